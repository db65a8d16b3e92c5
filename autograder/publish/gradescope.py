"""Gradescope: build ``autograder.zip`` and grade one submission inside it.

Gradescope unzips the package into ``/autograder/source``, runs ``setup.sh`` once
(as root, on Ubuntu 22.04), then for every submission copies ``run_autograder``
to ``/autograder/run_autograder`` and runs it with the student's files in
``/autograder/submission``; it reads ``/autograder/results/results.json``.
``run_autograder`` calls ``python -m autograder.publish.gradescope`` (this
module's :func:`main`) from the venv ``setup.sh`` made.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path
from typing import Any

from autograder.course.assignment import load_assignment
from autograder.errors import UsageError
from autograder.publish import DEFAULT_HIDDEN_VISIBILITY, HIDDEN_VISIBILITIES
from autograder.publish.bundle import build_wheel, template, write_bundle
from autograder.publish.runtime import Graded, entry_main, run_entry

VISIBILITY = "visible"  # the results as a whole: public checks show at once
STDOUT_VISIBILITY = "hidden"  # run_autograder's output: for the instructor only
SCRIPTS = ("setup.sh", "run_autograder")
BUNDLE = "dlgrade"  # the bundle folder inside the zip (/autograder/source/dlgrade)
ZIP_DATE = (2020, 1, 1, 0, 0, 0)  # fixed: the same inputs give the same zip
FAULT_MESSAGE = ("The autograder could not grade this submission because of a problem on "
                 "the grader's side, not in your code. Your instructor can see the details; "
                 "please let them know.")


def build(*, course_root: Path, assignment_id: str, out: Path,
          hidden_visibility: str = DEFAULT_HIDDEN_VISIBILITY,
          wheel: Path | None = None) -> list[str]:
    """Write the Gradescope autograder zip for ``assignment_id`` to ``out``.

    Args:
        course_root: the course (holds ``assignments/``).
        assignment_id: e.g. "activations".
        out: the zip to write (must end in ``.zip``).
        hidden_visibility: Gradescope visibility of the hidden checks.
        wheel: a prebuilt dlgrade wheel (default: build one from this tree).

    Returns:
        The zip's member names, in order.

    Raises:
        UsageError: a bad ``out`` or visibility, or an unknown assignment.
    """
    if out.suffix != ".zip":
        raise UsageError(f"-o '{out}': a Gradescope autograder is a .zip file")
    if hidden_visibility not in HIDDEN_VISIBILITIES:
        raise UsageError(f"--hidden-visibility '{hidden_visibility}' must be one of "
                         f"{', '.join(HIDDEN_VISIBILITIES)}")
    assignment = load_assignment(course_root, assignment_id)
    with tempfile.TemporaryDirectory(prefix="dlgrade-gradescope-") as tmp:
        wheel = wheel or build_wheel(Path(tmp) / "wheel")
        bundle = Path(tmp) / BUNDLE
        write_bundle(bundle, assignment=assignment, wheel=wheel, hidden=True,
                     config={"platform": "gradescope", "hidden_visibility": hidden_visibility})
        members = [(name, template("gradescope", name), 0o755) for name in SCRIPTS]
        members += [(f"{BUNDLE}/{path.relative_to(bundle).as_posix()}", path.read_bytes(), 0o644)
                    for path in sorted(bundle.rglob("*")) if path.is_file()]
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".part")
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data, mode in members:
                info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
                info.external_attr = (0o100000 | mode) << 16  # a regular file and its mode
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
        partial.replace(out)
    return [name for name, _, _ in members]


def to_results(graded: Graded, *, hidden_visibility: str) -> dict[str, Any]:
    """dlgrade grade's results.json, with the visibilities Gradescope needs set."""
    document = dict(graded.document)
    hidden = {c.check for c in graded.result.checks if c.visibility == "hidden"}
    document["tests"] = [dict(test, visibility=hidden_visibility) if test["name"] in hidden
                         else test for test in document["tests"]]
    document["visibility"] = VISIBILITY
    document["stdout_visibility"] = STDOUT_VISIBILITY
    document["extra_data"] = {**document.get("extra_data", {}), "sandbox": graded.mode,
                              "protections": graded.protections}
    return document


def fault_results(detail: str, seconds: float) -> dict[str, Any]:
    """A valid results.json for a grader fault: zero, said to be the grader's fault."""
    return {"score": 0, "execution_time": round(seconds, 3), "output": FAULT_MESSAGE,
            "visibility": VISIBILITY, "stdout_visibility": STDOUT_VISIBILITY, "tests": [],
            "extra_data": {"status": "grader_error", "error": detail}}


def run(root: Path) -> dict[str, Any]:
    """Grade ``root/submission`` and write ``root/results/results.json``; return it.

    Never raises for a grading problem: a fault is written as a valid result
    whose output tells the student it is not their fault, and the traceback
    goes to stdout, which only the instructor sees (``stdout_visibility``).
    """
    return run_entry(bundle=root / "source" / BUNDLE, upload=root / "submission",
                     results=root / "results" / "results.json", convert=_convert,
                     summary=_summary, fault=_fault)


def _convert(graded: Graded, config: dict[str, Any]) -> dict[str, Any]:
    return to_results(graded, hidden_visibility=str(
        config.get("hidden_visibility") or DEFAULT_HIDDEN_VISIBILITY))


def _summary(graded: Graded, document: dict[str, Any], seconds: float) -> list[str]:
    """The log lines of a graded upload (stdout: the instructor's view)."""
    lines = [f"dlgrade: {graded.result.status}, score {document['score']} "
             f"(sandbox: {graded.mode}; {', '.join(graded.protections)})"]
    if graded.result.error:
        lines.append(f"dlgrade: {graded.result.error}")
    return lines


def _fault(exc: BaseException, trace: str, seconds: float) -> tuple[dict[str, Any], list[str]]:
    """The fault result, and the traceback for the instructor's log."""
    detail = f"{type(exc).__name__}: {exc}".strip()
    document = fault_results(detail.splitlines()[0] if detail else "grader fault", seconds)
    return document, ["dlgrade: grader fault (the student sees only that the grader failed):",
                      trace]


def main(argv: list[str] | None = None) -> None:
    """``python -m autograder.publish.gradescope [--root DIR]`` (run_autograder calls it)."""
    entry_main(argv, platform="gradescope", default_root="/autograder", run=run,
               root_help="Gradescope's root")


if __name__ == "__main__":
    main()
