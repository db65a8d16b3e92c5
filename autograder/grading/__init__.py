"""The trusted side of a grading run, in run order (see docs/architecture.md)."""
