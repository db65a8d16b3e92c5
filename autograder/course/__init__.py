"""The course model: assignments, their limits, and what students submitted."""
