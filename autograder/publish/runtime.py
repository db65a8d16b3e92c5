"""What the packaged entry points share: find what a student uploaded, grade it
with the engine (exactly as ``dlgrade grade`` would), turn any fault into a
valid result, and write the result file in one step so a platform never reads
half of one.

:func:`run_entry` is the shape of every platform's ``run``: read the bundle's
config, grade the upload, convert, and on any exception write the platform's
fault result instead; :func:`entry_main` is the shape of its ``main``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.grading.engine import grade
from autograder.options import GradeOptions
from autograder.publish.bundle import COURSE_DIR, SANDBOX_MODE, read_config
from autograder.reports.writer import student_dir
from autograder.results import SubmissionResult
from autograder.sandbox.modes import SandboxMode

STUDENT = "submission"  # the one entry of the temporary submissions folder
SKIPPED = ("__MACOSX", "__pycache__")
MAX_DEPTH = 3  # folders wrapping the upload ("Archive/my-work/...") we look through


@dataclass
class Graded:
    """One upload graded by the engine."""

    result: SubmissionResult
    document: dict[str, Any]  # the results.json `dlgrade grade` writes for it
    mode: str  # the sandbox mode that ran
    protections: list[str] = field(default_factory=list)


def locate_entry(upload: Path, *, depth: int = 0) -> Path:
    """The path to grade for a platform's upload folder.

    The folder itself when it holds a ``.py`` or notebook at its top, else its one
    ``.zip``, else its one sub-folder (looked through, a few levels deep). Anything
    else is graded as the folder, which gives the student the discovery's message
    ("no neural_network.py and no notebook found (found ...)").
    """
    if not upload.is_dir():
        return upload
    visible = [p for p in sorted(upload.iterdir())
               if not p.name.startswith(".") and p.name not in SKIPPED]
    files = [p for p in visible if p.is_file()]
    if any(p.suffix in (".py", ".ipynb") for p in files):
        return upload
    zips = [p for p in files if p.suffix == ".zip"]
    if len(zips) == 1:
        return zips[0]
    folders = [p for p in visible if p.is_dir()]
    if not files and len(folders) == 1 and depth < MAX_DEPTH:
        return locate_entry(folders[0], depth=depth + 1)
    return upload


def grade_upload(upload: Path, *, course: Path, assignment_id: str,
                 sandbox: str) -> Graded:
    """Grade one student's upload with :func:`autograder.grading.engine.grade`.

    The upload is copied into a temporary submissions folder as its only entry
    (symbolic links stay links, which discovery refuses), so discovery,
    sandboxing, checks and the results.json document are those of ``dlgrade grade``.

    Raises:
        UsageError, ConfigError, GraderFault: as :func:`autograder.grading.engine.grade`.
    """
    with tempfile.TemporaryDirectory(prefix="dlgrade-platform-") as tmp:
        submissions = Path(tmp) / "submissions"
        submissions.mkdir()
        target = locate_entry(upload)
        if target.exists():
            # a copy, links kept as links: discovery reads no symbolic link
            if target.is_dir() and not target.is_symlink():
                shutil.copytree(target, submissions / STUDENT, symlinks=True)
            else:
                suffix = target.suffix if target.is_file() else ""
                shutil.copy2(target, submissions / (STUDENT + suffix), follow_symlinks=False)
        else:  # nothing uploaded: an empty entry, reported as such
            (submissions / STUDENT).mkdir()
        results: list[SubmissionResult] = []
        out = Path(tmp) / "out"
        summary = grade(submissions, assignment_id=assignment_id, out=out, course=course,
                        options=GradeOptions(jobs=1, sandbox=SandboxMode(sandbox)),
                        on_result=results.append)
        result = results[0]
        document = json.loads(
            (out / student_dir(result.student) / "results.json").read_text(encoding="utf-8"))
    return Graded(result=result, document=document, mode=summary.mode,
                  protections=list(summary.protections))


def write_json_atomic(path: Path, document: dict[str, Any]) -> None:
    """Write ``document`` to ``path`` in one step (a temporary file, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def platform_root(default: str) -> Path:
    """``$DLGRADE_PLATFORM_ROOT``, or the platform's own root (``/autograder``, ``/grade``)."""
    return Path(os.environ.get("DLGRADE_PLATFORM_ROOT") or default)


Document = dict[str, Any]  # a platform's result file, as JSON


def run_entry(*, bundle: Path, upload: Path, results: Path,
              convert: Callable[[Graded, dict[str, Any]], Document],
              summary: Callable[[Graded, Document, float], list[str]],
              fault: Callable[[BaseException, str, float], tuple[Document, list[str]]],
              ) -> Document:
    """Grade one upload for a platform and write its result file; return the document.

    Never raises for a grading problem: any exception (a bad bundle, a grader
    fault, a bug) becomes the platform's fault result, which tells the student
    it is not their fault. What is printed goes to the platform's log, which
    only the instructor sees.

    Args:
        bundle: the dlgrade bundle folder (its config and ``course/``).
        upload: the student's files, as the platform placed them.
        results: the result file the platform reads.
        convert: (graded upload, bundle config) -> the platform's result.
        summary: (graded upload, its result, seconds so far) -> lines to print.
        fault: (the exception, its traceback, seconds so far) -> (the fault
            result, lines to print).
    """
    started = time.perf_counter()
    try:
        config = read_config(bundle)
        graded = grade_upload(upload, course=bundle / COURSE_DIR,
                              assignment_id=str(config["assignment"]),
                              sandbox=str(config.get("sandbox") or SANDBOX_MODE))
        document = convert(graded, config)
        log = summary(graded, document, time.perf_counter() - started)
    except Exception as exc:  # noqa: BLE001 - any fault must still give a valid result
        document, log = fault(exc, traceback.format_exc(), time.perf_counter() - started)
    for line in log:
        print(line)
    write_json_atomic(results, document)
    return document


def entry_main(argv: list[str] | None, *, platform: str, default_root: str,
               run: Callable[[Path], Document], root_help: str) -> None:
    """``python -m autograder.publish.<platform> [--root DIR]``: parse, then ``run(root)``.

    The root is ``--root``, else ``$DLGRADE_PLATFORM_ROOT``, else ``default_root``.
    """
    parser = argparse.ArgumentParser(prog=f"python -m autograder.publish.{platform}")
    parser.add_argument("--root", type=Path, default=None,
                        help=f"{root_help} [default: $DLGRADE_PLATFORM_ROOT or {default_root}]")
    args = parser.parse_args(argv)
    run(args.root or platform_root(default_root))
