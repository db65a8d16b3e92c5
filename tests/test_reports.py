"""Reports of ``dlgrade grade``: results.json, grades.csv, feedback and report.html."""

from __future__ import annotations

import csv
import gc
import json
import weakref
from pathlib import Path

import pytest

from autograder.assignment import find_course, load_assignment
from autograder.plugin import CheckSpec
from autograder.reports.writer import ReportWriter, Summary, student_dir
from autograder.results import CheckResult, SubmissionResult
from autograder.session import run_session
from autograder.submission import Submission

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = "<script>alert(1)</script>"
SPECS = [
    CheckSpec("relu_course_matrix", "relu", 3.0, "public", "public/test_relu.py::a"),
    CheckSpec("relu_keeps_input", "relu", 1.5, "hidden", "hidden/test_relu.py::b"),
    CheckSpec("softmax_rows_sum_to_one", "softmax", 2.0, "public", "public/test_softmax.py::c"),
    CheckSpec("softmax_large[4x10]", "softmax", 1.0, "hidden", "hidden/test_softmax.py::d"),
]
SOFTMAX_MESSAGE = ("each row of softmax(Z) must sum to 1, but row 0 sums to 1.37:\n"
                   "did you normalise over axis=1 <with keepdims=True>?")


def check(spec: CheckSpec, outcome: str, message: str = "") -> CheckResult:
    return CheckResult(check=spec.id, function=spec.function,
                       points=spec.points if outcome == "passed" else 0.0,
                       max_points=spec.points, visibility=spec.visibility, outcome=outcome,
                       message=message)


def graded() -> SubmissionResult:
    """A graded file: one failure, one grader error, a late penalty, hostile output."""
    return SubmissionResult(
        student="ada", assignment="activations", content_hash="abc123",
        checks=[check(SPECS[0], "passed"), check(SPECS[1], "passed"),
                check(SPECS[2], "failed", SOFTMAX_MESSAGE),
                check(SPECS[3], "grader_error", "The grader hit an internal error.")],
        output=f"hello\n{HOSTILE}\n", duration=0.25, late={"days": 1, "penalty": 0.1},
        graded_at="2026-01-01T00:00:00+00:00")


def load_failed() -> SubmissionResult:
    error = "your file could not be loaded: ModuleNotFoundError: No module named 'nump'"
    return SubmissionResult(student="bob", assignment="activations", content_hash="def",
                            checks=[check(s, "error", error) for s in SPECS],
                            status="load_failed", error=error, events=[])


def invalid() -> SubmissionResult:
    """An invalid entry whose result carries no checks at all."""
    return SubmissionResult(student='o"neil, <b>c</b>', assignment="activations",
                            content_hash="", status="invalid",
                            error="notebook.ipynb is not valid JSON")


def write(out: Path, results: list[SubmissionResult]) -> Summary:
    writer = ReportWriter(out, assignment_id="activations", title="Activation functions",
                          specs=SPECS, protections=["resource limits", "no network"],
                          sandbox_mode="test")
    for result in results:
        writer.add(result)
    return writer.finish()


@pytest.fixture
def out(tmp_path: Path) -> Path:
    write(tmp_path, [graded(), load_failed(), invalid()])
    return tmp_path


def results_json(out: Path, student: str) -> dict:
    return json.loads((out / student_dir(student) / "results.json").read_text("utf-8"))


@pytest.mark.parametrize("student", ["ada", "bob", 'o"neil, <b>c</b>'])
def test_results_json_follows_the_gradescope_contract(out: Path, student: str) -> None:
    doc = results_json(out, student)
    assert isinstance(doc["score"], (int, float))
    assert isinstance(doc["execution_time"], (int, float))
    assert isinstance(doc["output"], str) and doc["output"]
    # every check is listed, in spec order, also when the file did not load
    assert [t["name"] for t in doc["tests"]] == [s.id for s in SPECS]
    for test, spec in zip(doc["tests"], SPECS, strict=False):
        assert set(test) >= {"name", "score", "max_score", "status", "visibility", "output",
                             "tags"}
        assert test["tags"][0] == spec.function  # the contract: tags[0] is the function
        assert test["max_score"] == spec.points
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] == ("visible" if spec.visibility == "public"
                                      else "after_published")
    assert doc["extra_data"]["student"] == student
    assert doc["extra_data"]["assignment"] == "activations"


def test_results_json_scores_and_messages(out: Path) -> None:
    doc = results_json(out, "ada")
    tests = {t["name"]: t for t in doc["tests"]}
    # 4.5 raw points, minus the 10% late penalty
    assert doc["score"] == pytest.approx(4.05)
    assert "Late by 1 day: 10% penalty" in doc["output"]
    assert tests["relu_course_matrix"] == {**tests["relu_course_matrix"], "score": 3,
                                           "status": "passed"}
    assert tests["softmax_rows_sum_to_one"]["output"] == SOFTMAX_MESSAGE
    assert tests["softmax_rows_sum_to_one"]["status"] == "failed"
    # a grader error is told apart from a failed check
    assert tests["softmax_large[4x10]"]["output"].startswith("Grader error:")
    assert doc["extra_data"]["grader_errors"] == ["softmax_large[4x10]"]
    assert doc["extra_data"]["late"] == {"days": 1, "penalty": 0.1}


def test_results_json_of_unloadable_and_invalid_files(out: Path) -> None:
    bob = results_json(out, "bob")
    assert bob["score"] == 0
    assert "ModuleNotFoundError" in bob["output"]
    assert bob["extra_data"]["status"] == "load_failed"
    assert all("nump" in t["output"] for t in bob["tests"])
    odd = results_json(out, 'o"neil, <b>c</b>')
    assert odd["extra_data"]["status"] == "invalid"
    # checks the result lacks are still listed, worth 0, saying why
    assert all(t["score"] == 0 and "not valid JSON" in t["output"] for t in odd["tests"])


def test_grades_csv_has_one_row_per_student(out: Path) -> None:
    with (out / "grades.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["student", *(s.id for s in SPECS), "total", "max_total"]
    by_student = {r[0]: r for r in rows[1:]}
    # sorted by student id; the quote and comma in an id survive the round trip
    assert [r[0] for r in rows[1:]] == sorted(["ada", "bob", 'o"neil, <b>c</b>'])
    # points without float noise; total after the late penalty
    assert by_student["ada"][1:] == ["3", "1.5", "0", "0", "4.05", "7.5"]
    assert by_student["bob"][1:] == ["0", "0", "0", "0", "0", "7.5"]
    assert by_student['o"neil, <b>c</b>'][1:] == ["0", "0", "0", "0", "0", "0"]


def test_html_escapes_student_output_and_ids(out: Path) -> None:
    feedback = (out / "ada" / "feedback.html").read_text("utf-8")
    assert HOSTILE not in feedback
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in feedback
    assert "&lt;with keepdims=True&gt;" in feedback  # messages are escaped too
    assert "<details>" in feedback  # the output sits in a collapsible block
    report = (out / "report.html").read_text("utf-8")
    assert "<b>c</b>" not in report and "&lt;b&gt;c&lt;/b&gt;" in report
    assert "<script" not in report and "<script" not in feedback


def test_feedback_markdown_reads_well(out: Path) -> None:
    text = (out / "ada" / "feedback.md").read_text("utf-8")
    assert "**Score: 4.05 / 7.5**" in text
    assert "## `relu` — 4.5 / 4.5" in text and "## `softmax` — 0 / 3" in text
    assert "`relu_keeps_input` *(hidden check)*" in text
    assert "did you normalise over axis=1" in text  # the teaching message, both lines
    assert "Grader error:" in text
    assert HOSTILE in text  # inside a fenced block in markdown
    bob = (out / "bob" / "feedback.md").read_text("utf-8")
    assert "Your file could not be loaded" in bob


def test_feedback_lists_notebook_cell_errors(tmp_path: Path) -> None:
    result = graded()
    result.cell_errors = [{"cell": 3, "type": "NameError", "message": "name 'np' is not defined",
                           "where": "<cell 3>, line 1: np.zeros(3)"}]
    write(tmp_path, [result])
    for name in ("feedback.md", "feedback.html"):
        text = (tmp_path / "ada" / name).read_text("utf-8")
        assert "cell 3" in text and "NameError" in text


def test_report_summarises_the_class(tmp_path: Path) -> None:
    timed_out = graded()
    timed_out.student, timed_out.events = "cy", ["softmax: timed out", "softmax: timed out"]
    summary = write(tmp_path, [graded(), load_failed(), invalid(), timed_out])
    assert summary.students == 4
    assert summary.problems == 4  # grader error, load failure, invalid, timeout
    assert summary.grader_errors == 2
    assert summary.by_status == {"graded": 2, "load_failed": 1, "invalid": 1}
    report = (tmp_path / "report.html").read_text("utf-8")
    assert report.count("<svg") == 2  # histogram and pass rates
    assert "softmax: timed out (x2)" in report
    assert 'href="ada/feedback.html"' in report
    assert "no network" in report and "resource limits" in report


def test_writer_keeps_no_whole_results(tmp_path: Path) -> None:
    writer = ReportWriter(tmp_path, assignment_id="a", title="t", specs=SPECS,
                          protections=[], sandbox_mode="test")
    result = graded()
    ref = weakref.ref(result)
    writer.add(result)
    del result
    gc.collect()
    assert ref() is None  # only a light row survives
    assert writer.finish().students == 1


def test_student_dir_is_a_safe_folder_name() -> None:
    assert student_dir("ada") == "ada"
    assert student_dir("../etc") == "_etc"
    assert student_dir("a/b") == "a_b"


def test_reports_from_a_real_grading_session(tmp_path: Path) -> None:
    assignment = load_assignment(find_course(ROOT), "activations")
    solution = (ROOT / "solutions" / "neural_network.py").read_text("utf-8")
    results: list[SubmissionResult] = []
    specs: list[CheckSpec] = []
    run_session(assignment=assignment, emit=results.append,
                on_ready=lambda collected, _zygote: specs.extend(collected),
                submissions=[
                    Submission("good", "py", files={"neural_network.py": solution}),
                    Submission("broken", "py", files={"neural_network.py": "import nump"})])
    writer = ReportWriter(tmp_path, assignment_id=assignment.id, title=assignment.title,
                          specs=specs, protections=[], sandbox_mode="auto")
    for result in results:
        writer.add(result)
    summary = writer.finish()
    good = results_json(tmp_path, "good")
    assert good["score"] == assignment.total_points
    assert len(good["tests"]) == len(specs) and all(t["status"] == "passed"
                                                    for t in good["tests"])
    assert results_json(tmp_path, "broken")["score"] == 0
    assert summary.full_marks == 1 and summary.problems == 1


def test_feedback_lists_functions_that_lost_points_first() -> None:
    from autograder.reports.feedback import feedback_html, feedback_markdown

    checks = [CheckResult("relu_ok", "relu", 2, 2, "public", "passed"),
              CheckResult("softmax_rows", "softmax", 0, 2, "public", "failed", "rows sum to 3")]
    result = SubmissionResult("ann", "activations", "h", checks=checks)
    for text in (feedback_markdown(result, checks, title="t"),
                 feedback_html(result, checks, title="t")):
        assert text.index("softmax_rows") < text.index("relu_ok")


def test_feedback_shows_the_hint_under_the_message_results_json_does_not(
        tmp_path: Path) -> None:
    # graded feedback is read after grading: both levels; results.json: the message only
    result = graded()
    result.checks[2].hint = "Divide by the sum over axis=1 <keepdims>."
    write(tmp_path, [result])
    markdown = (tmp_path / "ada" / "feedback.md").read_text("utf-8")
    assert "  Hint: `Divide by the sum over axis=1 <keepdims>.`" in markdown
    assert markdown.index("did you normalise") < markdown.index("Hint:")
    page = (tmp_path / "ada" / "feedback.html").read_text("utf-8")
    assert '<p class="hint">Hint: Divide by the sum over axis=1 &lt;keepdims&gt;.</p>' in page
    assert "Hint" not in json.dumps(results_json(tmp_path, "ada"))
