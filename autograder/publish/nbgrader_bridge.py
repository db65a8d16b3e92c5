"""Hand dlgrade's grades to an nbgrader course (``dlgrade grade ... --to-nbgrader``).

After ``dlgrade grade COURSE/submitted -a ASSIGNMENT -o OUT``:

* the scores go into the course's nbgrader gradebook through nbgrader's own
  API (:class:`nbgrader.api.Gradebook`): one grade per autograded test cell
  ``test_<function>``, worth the sum of the points dlgrade gave that
  function's checks. ``nbgrader export`` and formgrader then show them;
* each student's dlgrade feedback is put where ``nbgrader release_feedback``
  looks: ``COURSE/feedback/<student>/<assignment>/<notebook>.html``, with the
  submission's ``timestamp.txt`` and ``submission_secret.txt``.

nbgrader is imported inside the functions only: importing autograder never
imports it.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.errors import UsageError
from autograder.reports.writer import student_dir
from autograder.course.submission import student_id

CONFIG_FILE = "nbgrader_config.py"
SUBMISSION_FILES = ("timestamp.txt", "submission_secret.txt")


@dataclass
class CourseSettings:
    """What the bridge needs from ``nbgrader_config.py``."""

    root: Path
    course_id: str = ""
    db_url: str = ""
    feedback_directory: str = "feedback"
    source_directory: str = "source"


def course_settings(course: Path) -> CourseSettings:
    """Read the nbgrader course's config (with nbgrader's defaults)."""
    from traitlets.config.loader import PyFileConfigLoader

    settings = CourseSettings(root=course)
    if (course / CONFIG_FILE).is_file():
        config = PyFileConfigLoader(CONFIG_FILE, path=str(course)).load_config()
        coursedir = config.get("CourseDirectory", {})
        for name in ("course_id", "db_url", "feedback_directory", "source_directory"):
            if name in coursedir:
                setattr(settings, name, str(coursedir[name]))
    settings.db_url = settings.db_url or f"sqlite:///{course.resolve() / 'gradebook.db'}"
    return settings


@dataclass
class StudentScores:
    """One student's dlgrade scores per toolkit function."""

    student: str  # the nbgrader student id (the submitted/ folder name)
    folder: Path  # submitted/<student>/<assignment>/
    scores: dict[str, float] = field(default_factory=dict)
    max_scores: dict[str, float] = field(default_factory=dict)
    feedback: Path | None = None


def read_scores(out: Path, submissions_dir: Path, assignment_id: str) -> list[StudentScores]:
    """The dlgrade results in ``out`` of every nbgrader submission in ``submissions_dir``."""
    found = []
    by_entry: dict[str, tuple[Path, dict[str, Any]]] = {}  # ids may differ from folder names
    for results in sorted(Path(out).glob("*/results.json")):
        document: dict[str, Any] = json.loads(results.read_text(encoding="utf-8"))
        entry_name = (document.get("extra_data") or {}).get("entry")
        if entry_name:
            by_entry[entry_name] = (results, document)
    for folder in sorted(Path(submissions_dir).iterdir()):
        submitted = folder / assignment_id
        if folder.is_symlink() or submitted.is_symlink() or not submitted.is_dir():
            continue
        if folder.name in by_entry:
            results, document = by_entry[folder.name]
        else:  # results written before entries were recorded
            results = Path(out) / student_dir(student_id(folder.name)) / "results.json"
            if not results.is_file():
                continue
            document = json.loads(results.read_text(encoding="utf-8"))
        entry = StudentScores(student=folder.name, folder=submitted)
        for test in document.get("tests", []):
            function = (test.get("tags") or ["?"])[0]
            entry.scores[function] = entry.scores.get(function, 0.0) + float(test["score"])
            entry.max_scores[function] = (entry.max_scores.get(function, 0.0)
                                          + float(test["max_score"]))
        html = results.parent / "feedback.html"
        entry.feedback = html if html.is_file() else None
        found.append(entry)
    return found


def grade_cells(settings: CourseSettings, assignment_id: str,
                functions: dict[str, float]) -> tuple[str, dict[str, float]]:
    """(notebook name, {grade_id: points}) of the assignment's source notebook.

    Without a source notebook, the generated layout is assumed: notebook
    ``<assignment>``, one cell ``test_<function>`` per function.
    """
    folder = settings.root / settings.source_directory / assignment_id
    notebooks = sorted(folder.glob("*.ipynb")) if folder.is_dir() else []
    if not notebooks:
        return assignment_id, {f"test_{f}": points for f, points in functions.items()}
    if len(notebooks) > 1:
        raise UsageError(f"'{folder}' holds {len(notebooks)} notebooks; the dlgrade layout "
                         "has one notebook per assignment")
    cells: dict[str, float] = {}
    for cell in json.loads(notebooks[0].read_text(encoding="utf-8")).get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and meta.get("grade_id"):
            cells[str(meta["grade_id"])] = float(meta.get("points", 0))
    missing = [f"test_{f}" for f in functions if f"test_{f}" not in cells]
    if missing:
        raise UsageError(f"{notebooks[0]} has no grade cell(s) {', '.join(missing)}: was it "
                         "made by `dlgrade nbgrader init`?")
    return notebooks[0].stem, cells


def write_scores(out: Path, *, submissions_dir: Path, assignment_id: str) -> int:
    """Write dlgrade's results in ``out`` into the nbgrader course of ``submissions_dir``.

    Args:
        out: the output folder of ``dlgrade grade`` (``OUT/<student>/results.json``).
        submissions_dir: the course's ``submitted/`` folder; its parent is the course.
        assignment_id: the assignment graded.

    Returns:
        How many submissions were written to the gradebook.

    Raises:
        UsageError: the folder is not an nbgrader course's ``submitted/``.
    """
    from nbgrader.api import Grade, Gradebook, MissingEntry

    course = Path(submissions_dir).resolve().parent
    if not (course / CONFIG_FILE).is_file() and not (course / "gradebook.db").is_file():
        raise UsageError(f"'{course}' is not an nbgrader course (no {CONFIG_FILE}); "
                         "--to-nbgrader needs SUBMISSIONS to be COURSE/submitted")
    settings = course_settings(course)
    students = read_scores(out, submissions_dir, assignment_id)
    if not students:
        return 0
    functions: dict[str, float] = {}
    for entry in students:
        functions.update(entry.max_scores)
    notebook, cells = grade_cells(settings, assignment_id, functions)

    with Gradebook(settings.db_url, course_id=settings.course_id) as gb:
        gb.update_or_create_assignment(assignment_id)
        try:
            gb.find_notebook(notebook, assignment_id)
        except MissingEntry:
            gb.add_notebook(notebook, assignment_id)
        for grade_id, points in cells.items():
            gb.update_or_create_grade_cell(grade_id, notebook, assignment_id,
                                           max_score=points, cell_type="code")
        for entry in students:
            gb.update_or_create_student(entry.student)
            stamp = entry.folder / "timestamp.txt"
            try:
                gb.find_submission(assignment_id, entry.student)
            except MissingEntry:
                extra = {"timestamp": stamp.read_text().strip()} if stamp.is_file() else {}
                gb.add_submission(assignment_id, entry.student, **extra)
            submitted = gb.find_submission_notebook(notebook, assignment_id, entry.student)
            for function, score in entry.scores.items():
                grade_id = f"test_{function}"
                cell = gb.find_grade_cell(grade_id, notebook, assignment_id)
                try:
                    grade = gb.find_grade(grade_id, notebook, assignment_id, entry.student)
                except MissingEntry:  # a grade cell added after the submission
                    grade = Grade(cell_id=cell.id, notebook=submitted)
                    gb.db.add(grade)
                top = entry.max_scores.get(function) or 0.0
                # the cell's points decide; dlgrade's per-check points are scaled to them
                grade.auto_score = round(score * cell.max_score / top, 4) if top else 0.0
                grade.needs_manual_grade = False
            gb.db.commit()
    for entry in students:
        write_feedback(entry, settings, assignment_id, notebook)
    return len(students)


def write_feedback(entry: StudentScores, settings: CourseSettings, assignment_id: str,
                   notebook: str) -> Path | None:
    """Copy dlgrade's feedback where ``nbgrader release_feedback`` finds it."""
    if entry.feedback is None:
        return None
    folder = settings.root / settings.feedback_directory / entry.student / assignment_id
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{notebook}.html"
    shutil.copyfile(entry.feedback, target)
    for name in SUBMISSION_FILES:
        if (entry.folder / name).is_file():
            shutil.copyfile(entry.folder / name, folder / name)
    return target
