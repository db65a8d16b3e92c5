"""GitHub Classroom: build the starter repository and grade a student's push.

The starter repository is the student template for one assignment plus
``.github/workflows/classroom.yml`` and ``.github/dlgrade/`` (a dlgrade wheel,
the assignment's PUBLIC checks, ``platform.json``). A student's repository is
readable by the student, so hidden checks never go in it: the instructor runs
them with ``dlgrade grade`` over the cloned repositories.

The workflow's grading step runs ``python -m autograder.publish.classroom``
(:func:`main`): it grades ``neural_network.py`` with the public checks through
:func:`autograder.selfcheck.run.self_check` and writes the autograding runner
result (``result=<base64 JSON>``) to ``$GITHUB_OUTPUT``, where
``classroom-resources/autograding-grading-reporter`` reads it.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from autograder.course.assignment import load_assignment
from autograder.errors import DlgradeError
from autograder.publish.template import template_files
from autograder.publish.bundle import (
    COURSE_DIR,
    build_wheel,
    prepare_out_dir,
    read_config,
    template,
    write_bundle,
)
from autograder.reports.feedback import message_of
from autograder.results import SubmissionResult
from autograder.runtime.checkrun import GRADER_ERROR, PASSED

BUNDLE = Path(".github") / "dlgrade"
WORKFLOW = Path(".github") / "workflows" / "classroom.yml"
RUNNER_ID = "dlgrade"  # the grading step's id; the reporter reads DLGRADE_RESULTS
MARKER = (BUNDLE / "platform.json").as_posix()


def build(*, course_root: Path, assignment_id: str, out: Path,
          wheel: Path | None = None) -> list[Path]:
    """Write the starter repository of ``assignment_id`` into the folder ``out``.

    Returns:
        Every file written.

    Raises:
        UsageError: unknown assignment, or ``out`` is a non-empty folder that is
            not an earlier Classroom package.
    """
    assignment = load_assignment(course_root, assignment_id)
    prepare_out_dir(out, marker=MARKER)
    written: list[Path] = []
    files = template_files(course_root)
    for name, text in sorted(files.items()):
        parts = Path(name).parts
        if parts[0] == "tests" and parts[1] not in ("_dlgrade", assignment.id):
            continue  # other assignments' checks
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if name == "README.md":
            text = template("classroom", "README.md").decode("utf-8").replace(
                "ASSIGNMENT", assignment.id) + "\n" + text
        target.write_text(text, encoding="utf-8")
        written.append(target)
    (out / WORKFLOW).parent.mkdir(parents=True, exist_ok=True)
    (out / WORKFLOW).write_bytes(template("classroom", "classroom.yml"))
    written.append(out / WORKFLOW)
    with tempfile.TemporaryDirectory(prefix="dlgrade-classroom-") as tmp:
        wheel = wheel or build_wheel(Path(tmp))
        written += write_bundle(out / BUNDLE, assignment=assignment, wheel=wheel, hidden=False,
                                config={"platform": "classroom",
                                        "public_points": _public_points(out, assignment.id)})
    return written


def _public_points(repo: Path, assignment_id: str) -> float:
    """The public checks' total, measured by checking the starter's own stubs."""
    from autograder.selfcheck.run import self_check

    outcome = self_check(repo / "neural_network.py", assignment_id=assignment_id)
    return outcome.result.max_score


def whole_points(values: list[float], caps: list[int] | None = None,
                 prefer: list[float] | None = None) -> list[int]:
    """Round ``values`` to whole numbers whose sum is their sum rounded (largest remainder).

    Classroom's CSV export keeps whole points only; rounding each check on its
    own could turn four half points into 0 (or 4). Here each value moves to its
    floor or its ceiling, never above its cap, and only a value with a fraction
    is rounded up (a check worth 0 stays 0). Ties go to the higher ``prefer``.
    """
    target = math.floor(sum(values) + 0.5 + 1e-9)
    rounded = [math.floor(v + 1e-9) for v in values]
    if caps is not None:
        rounded = [min(r, c) for r, c in zip(rounded, caps, strict=True)]
    rank = prefer or [0.0] * len(values)
    missing = target - sum(rounded)
    for i in sorted(range(len(values)), key=lambda i: (rounded[i] - values[i], -rank[i], i)):
        if missing <= 0:
            break
        if values[i] - rounded[i] > 1e-9 and (caps is None or rounded[i] < caps[i]):
            rounded[i] += 1
            missing -= 1
    return rounded


def runner_result(result: SubmissionResult, *, assignment: str) -> dict[str, Any]:
    """The autograding runner result (version 1) for one self-check result."""
    checks = result.checks
    # checks the student passed get the rounded-up maxima first, so their points fit
    maxima = whole_points([c.max_points for c in checks],
                          prefer=[c.points / c.max_points if c.max_points else 0 for c in checks])
    scores = whole_points([c.points for c in checks], caps=maxima)
    tests = [{
        "name": c.check,
        "status": "pass" if c.outcome == PASSED else "error" if c.outcome == GRADER_ERROR
        else "fail",
        "score": score,
        "message": message_of(c) or f"{c.check}: passed",
        "test_code": f"dlgrade check -a {assignment}  # check {c.check} of {c.function}",
        "filename": "neural_network.py",
        "line_no": 0,
        "execution_time": f"{c.duration:.2f}s",
    } for c, score in zip(checks, scores, strict=True)]
    status = ("error" if any(t["status"] == "error" for t in tests)
              else "pass" if tests and all(t["status"] == "pass" for t in tests) else "fail")
    return {"version": 1, "status": status, "max_score": sum(maxima), "tests": tests}


def failed_result(message: str, *, max_score: float, status: str = "fail") -> dict[str, Any]:
    """A runner result for a repository that could not be graded at all."""
    return {"version": 1, "status": status, "max_score": math.floor(max_score + 0.5),
            "tests": [{"name": "neural_network.py", "status": status, "score": 0,
                       "message": message, "test_code": "", "filename": "neural_network.py",
                       "line_no": 0, "execution_time": "0.00s"}]}


def run(repo: Path) -> dict[str, Any]:
    """Grade ``repo``'s neural_network.py with the public checks; return the runner result."""
    config: dict[str, Any] = {}
    try:
        config = read_config(repo / BUNDLE)
        target = repo / str(config.get("submit") or "neural_network.py")
        if not target.is_file():
            return failed_result(f"{target.name} is missing from the repository: commit it "
                                 "(same name, top folder) and push again.",
                                 max_score=float(config.get("public_points") or 0))
        from autograder.selfcheck.run import self_check

        outcome = self_check(target, assignment_id=str(config["assignment"]),
                             course=repo / BUNDLE / COURSE_DIR)
        return runner_result(outcome.result, assignment=str(config["assignment"]))
    except DlgradeError as exc:
        detail = str(exc)
    except Exception as exc:  # noqa: BLE001 - the reporter must still get a result
        detail = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return failed_result(f"The grader could not run (not a problem with your code): {detail}",
                         max_score=float(config.get("public_points") or 0), status="error")


def encode(document: dict[str, Any]) -> str:
    """Base64 of the compact JSON, as the reporter decodes it."""
    return base64.b64encode(json.dumps(document).encode("utf-8")).decode("ascii")


def main(argv: list[str] | None = None) -> None:
    """``python -m autograder.publish.classroom [--repo DIR]``: the workflow's grading step."""
    parser = argparse.ArgumentParser(prog="python -m autograder.publish.classroom")
    parser.add_argument("--repo", type=Path, default=Path("."),
                        help="the student's repository [default: the current folder]")
    args = parser.parse_args(argv)
    document = run(args.repo)
    for test in document["tests"]:
        print(f"{test['status']:>5}  {test['score']:>3}  {test['name']}  {test['message']}")
    total = sum(t["score"] for t in document["tests"])
    print(f"dlgrade: {total}/{document['max_score']} points from the public checks "
          f"({document['status']})")
    output = os.environ.get("GITHUB_OUTPUT")
    if output:
        with open(output, "a", encoding="utf-8") as handle:
            handle.write(f"result={encode(document)}\n")
    else:
        print(f"result={encode(document)}")


if __name__ == "__main__":
    main()
