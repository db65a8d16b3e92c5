"""Reports: grades.csv, results.json, feedback, the class summary page."""
