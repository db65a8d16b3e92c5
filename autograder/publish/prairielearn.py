"""PrairieLearn: build an externally graded question and grade one submission.

The question folder holds ``info.json`` (external grading on), ``question.html``
(an upload of ``neural_network.py`` and the grader's results) and ``tests/``:
the entry point ``run_dlgrade.sh``, and ``dlgrade/`` (wheel, checks, mistake
library). PrairieLearn copies ``tests/`` to ``/grade/tests`` and the student's
files to ``/grade/student``, runs the entry point in the grading image without
network, and reads ``/grade/results/results.json``. The entry point unpacks the
wheel (no pip, no network) and runs ``python -m autograder.publish.prairielearn``.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from pathlib import Path
from typing import Any

from autograder.course.assignment import load_assignment
from autograder.publish import DEFAULT_IMAGE
from autograder.publish.bundle import build_wheel, prepare_out_dir, template, write_bundle
from autograder.publish.runtime import Graded, entry_main, run_entry

ENTRYPOINT = "/grade/tests/run_dlgrade.sh"
TIMEOUT = 120  # seconds for the whole grading job (PrairieLearn allows up to 600)
BUNDLE = Path("tests") / "dlgrade"
MAX_BYTES = 1_000_000  # PrairieLearn's limit on results.json
MESSAGE_CAP = 2_000  # characters per test message when a result must shrink
OUTPUT_CAP = 20_000
FAULT_MESSAGE = ("The grader failed on this submission (a problem on the grader's side, not "
                 "in your code). It was not graded and does not count; please tell your "
                 "instructor.")


def build(*, course_root: Path, assignment_id: str, out: Path, image: str = DEFAULT_IMAGE,
          wheel: Path | None = None) -> list[Path]:
    """Write a PrairieLearn question folder for ``assignment_id`` into ``out``.

    Returns:
        Every file written.

    Raises:
        UsageError: unknown assignment, or ``out`` is a non-empty folder that is
            not an earlier PrairieLearn package.
    """
    assignment = load_assignment(course_root, assignment_id)
    prepare_out_dir(out, marker="info.json")
    info = {
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"dlgrade:{course_root.name}:{assignment.id}")),
        "title": assignment.title,
        "topic": "Deep learning with NumPy",
        "tags": ["dlgrade", assignment.id],
        "type": "v3",
        "singleVariant": True,
        "gradingMethod": "External",
        "externalGradingOptions": {"enabled": True, "image": image, "entrypoint": ENTRYPOINT,
                                   "timeout": TIMEOUT},
    }
    (out / "info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    (out / "question.html").write_bytes(template("prairielearn", "question.html"))
    (out / "tests").mkdir(exist_ok=True)
    entry = out / "tests" / "run_dlgrade.sh"
    entry.write_bytes(template("prairielearn", "run_dlgrade.sh"))
    entry.chmod(0o755)
    written = [out / "info.json", out / "question.html", entry]
    with tempfile.TemporaryDirectory(prefix="dlgrade-prairielearn-") as tmp:
        wheel = wheel or build_wheel(Path(tmp))
        written += write_bundle(out / BUNDLE, assignment=assignment, wheel=wheel, hidden=True,
                                config={"platform": "prairielearn"})
    return written


def to_results(graded: Graded) -> dict[str, Any]:
    """PrairieLearn's results.json for one graded upload."""
    result, document = graded.result, graded.document
    hidden = {c.check for c in result.checks if c.visibility == "hidden"}
    tests = [{
        "name": test["name"],
        "description": f"{test['tags'][0]}: {'hidden' if test['name'] in hidden else 'public'}"
                       " check",
        "points": test["score"],
        "max_points": test["max_score"],
        "message": test["output"] or "passed",
        "output": "",
    } for test in document["tests"]]
    results: dict[str, Any] = {
        "gradable": True,
        "score": round(result.score / result.max_score, 4) if result.max_score else 0.0,
        "message": document["output"],
        "output": f"Graded by dlgrade (sandbox: {graded.mode}).\n"
                  + (f"Your code printed:\n{result.output}" if result.output else ""),
        "tests": tests,
    }
    if result.status in ("invalid", "load_failed"):
        reason = (f"your submission could not be read: {result.error}"
                  if result.status == "invalid" else result.error)
        results.update(gradable=False, score=0.0, format_errors=[reason])
    elif result.status == "grader_error":
        results.update(gradable=False, score=0.0, format_errors=[FAULT_MESSAGE])
    return fit(results)


def fit(results: dict[str, Any], limit: int = MAX_BYTES) -> dict[str, Any]:
    """``results`` made to serialise under ``limit`` bytes (long texts are cut)."""
    def size() -> int:
        return len(json.dumps(results).encode("utf-8"))

    def cut(text: str, cap: int) -> str:
        return text if len(text) <= cap else text[:cap] + " [... cut]"

    if size() <= limit:
        return results
    results["output"] = cut(results.get("output", ""), OUTPUT_CAP)
    for test in results.get("tests", []):
        test["message"] = cut(test["message"], MESSAGE_CAP)
    if size() > limit:  # still too big: keep the numbers, drop the words
        results["output"] = cut(results["output"], 1_000)
        for test in results.get("tests", []):
            test["message"] = cut(test["message"], 100)
    return results


def fault_results(detail: str) -> dict[str, Any]:
    """A valid, not-gradable result for a grader fault (never a silent zero)."""
    return {"gradable": False, "score": 0.0, "message": FAULT_MESSAGE, "output": "",
            "format_errors": [FAULT_MESSAGE], "tests": [], "dlgrade_fault": detail[:10_000]}


def run(root: Path) -> dict[str, Any]:
    """Grade ``root/student`` and write ``root/results/results.json``; return it."""
    return run_entry(bundle=root / BUNDLE, upload=root / "student",
                     results=root / "results" / "results.json",
                     convert=lambda graded, config: to_results(graded),
                     summary=_summary, fault=_fault)


def _summary(graded: Graded, results: dict[str, Any], seconds: float) -> list[str]:
    """The log line of a graded upload."""
    return [f"dlgrade: {graded.result.status}, score {results['score']} "
            f"({seconds:.1f} s, sandbox: {graded.mode})"]


def _fault(exc: BaseException, trace: str, seconds: float) -> tuple[dict[str, Any], list[str]]:
    """The not-gradable fault result (the traceback in it), and one log line."""
    return fault_results(trace), ["dlgrade: grader fault; details in results.json's "
                                  "dlgrade_fault"]


def main(argv: list[str] | None = None) -> None:
    """``python -m autograder.publish.prairielearn [--root DIR]`` (run_dlgrade.sh calls it)."""
    entry_main(argv, platform="prairielearn", default_root="/grade", run=run,
               root_help="the grading root")


if __name__ == "__main__":
    main()
