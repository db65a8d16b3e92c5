#!/bin/sh
# dlgrade on PrairieLearn: the external grader's entry point
# (written by `dlgrade package prairielearn`; info.json names it).
#
# PrairieLearn copies the question's tests/ to /grade/tests and the student's
# files to /grade/student, then runs this in the grading image, which has no
# network. dlgrade is unpacked from its wheel (no pip needed); the image must
# provide python3 with numpy and pytest. The result is written, in one step,
# to /grade/results/results.json; if dlgrade cannot run at all, a valid
# "not gradable" result says so, so a grader problem never costs an attempt.
#
# Environment (for tests; PrairieLearn sets none of these):
#   DLGRADE_PLATFORM_ROOT  the grading root [default: /grade]
#   DLGRADE_PYTHON         the Python to run [default: python3]
ROOT="${DLGRADE_PLATFORM_ROOT:-/grade}"
PYTHON="${DLGRADE_PYTHON:-python3}"
RESULTS="$ROOT/results/results.json"
LIB="$(mktemp -d "${TMPDIR:-/tmp}/dlgrade-lib.XXXXXX")"

mkdir -p "$ROOT/results"
rm -f "$RESULTS"
"$PYTHON" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
    "$ROOT"/tests/dlgrade/dlgrade-*.whl "$LIB" \
  && PYTHONPATH="$LIB" DLGRADE_PLATFORM_ROOT="$ROOT" "$PYTHON" -m autograder.publish.prairielearn
status=$?
rm -rf "$LIB"
if [ ! -s "$RESULTS" ]; then
    echo "dlgrade: the entry point exited with status $status and wrote no results"
    cat > "$RESULTS.tmp" <<'JSON'
{
  "gradable": false,
  "score": 0.0,
  "message": "The grader failed on this submission (a problem on the grader's side, not in your code). It was not graded and does not count; please tell your instructor.",
  "output": "",
  "format_errors": ["The grader failed on this submission (a problem on the grader's side, not in your code). It was not graded and does not count; please tell your instructor."],
  "tests": [],
  "dlgrade_fault": "run_dlgrade.sh: dlgrade wrote no results.json (is python3 with numpy and pytest in the grading image?)"
}
JSON
    mv -f "$RESULTS.tmp" "$RESULTS"
fi
exit 0
