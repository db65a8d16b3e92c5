"""The mutation worker: a subprocess that grades a batch of mutants.

:mod:`autograder.authoring.mutant_grading` starts ``python -m
autograder.authoring.mutant_worker`` with a memory limit and writes one job to
its stdin (JSON: the course, the assignment, the functions whose checks count,
the mutants' code). The worker grades every mutant in one pytest session with
dlgrade's own engine (``run_session``, unsandboxed: the code is the trusted
reference, mutated) and prints one JSON line per mutant as soon as it is graded,
so that the parent can blame a hang or a crash on the mutant in flight.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from autograder.authoring.problems import SOLUTIONS_DIR, REFERENCE
from autograder.course.assignment import load_assignment


def main() -> None:
    """Grade the mutants on stdin (JSON) in one pytest session; one JSON line each."""
    from autograder.grading.session import run_session
    from autograder.course.submission import Submission

    job = json.loads(sys.stdin.read())
    assignment = load_assignment(Path(job["course"]), job["assignment"])
    functions = job["functions"]
    subset = dataclasses.replace(
        assignment, functions=tuple(functions),
        points={f: assignment.points[f] for f in functions})
    files = [p for p in assignment.check_files(hidden=True)
             if p.stem.removeprefix("test_") in functions]

    out = sys.stdout
    sys.stdout = sys.stderr  # pytest's own output must not mix with the results

    def emit(result: Any) -> None:
        failed = [c.check for c in result.checks if c.outcome != "passed"]
        out.write(json.dumps({"id": result.student, "score": result.score,
                              "max": result.max_score, "status": result.status,
                              "failed": failed}) + "\n")
        out.flush()

    solutions = Path(job["course"]) / SOLUTIONS_DIR
    others = {name: (solutions / name).read_text(encoding="utf-8")
              for name in assignment.also_submit}  # the files the mutated one imports
    # the unmutated reference first: the control that proves the runner grades this
    # assignment at all (see mutant_grading.REFERENCE)
    reference = (solutions / assignment.submit).read_text(encoding="utf-8")
    code = [(REFERENCE, reference), *((m["id"], m["code"]) for m in job["mutants"])]
    subs = (Submission(name, "py", files={**others, assignment.submit: text},
                       entry=assignment.submit) for name, text in code)
    try:
        run_session(assignment=subset, submissions=subs, sandbox_mode="none",
                    check_files=files, emit=emit)
    finally:
        sys.stdout = out


if __name__ == "__main__":
    main()
