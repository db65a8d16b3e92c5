"""`dlgrade check`: a student's own run of the public checks."""
