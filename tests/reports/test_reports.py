"""Reports of ``dlgrade grade``: results.json, grades.csv, feedback and report.html."""

from __future__ import annotations

import csv
import gc
import json
import re
import weakref
from pathlib import Path

import pytest

from autograder.course.assignment import find_course, load_assignment
from autograder.results import CheckSpec
from autograder.reports.summary import SORT_SCRIPT
from autograder.reports.stats import Summary
from autograder.reports.writer import ReportWriter, student_dir
from autograder.results import CheckResult, SubmissionResult
from autograder.grading.session import run_session
from autograder.course.submission import Submission

ROOT = Path(__file__).resolve().parents[2]
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
    # the contract columns first, unchanged; added columns only after them
    assert rows[0] == ["student", *(s.id for s in SPECS), "total", "max_total", "entry",
                       "raw_total", "late_penalty_percent", "days_late", "submitted_at",
                       "late_status"]
    by_student = {r[0]: r for r in rows[1:]}
    # sorted by student id; the quote and comma in an id survive the round trip
    assert [r[0] for r in rows[1:]] == sorted(["ada", "bob", 'o"neil, <b>c</b>'])
    # points without float noise; total after the late penalty, raw total beside it
    assert by_student["ada"][1:] == ["3", "1.5", "0", "0", "4.05", "7.5",
                                     "", "4.5", "10", "1", "", ""]
    assert by_student["bob"][1:7] == ["0", "0", "0", "0", "0", "7.5"]
    assert by_student['o"neil, <b>c</b>'][1:7] == ["0", "0", "0", "0", "0", "0"]


def test_html_escapes_student_output_and_ids(out: Path) -> None:
    feedback = (out / "ada" / "feedback.html").read_text("utf-8")
    assert HOSTILE not in feedback
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in feedback
    assert "&lt;with keepdims=True&gt;" in feedback  # messages are escaped too
    assert "<details>" in feedback  # the output sits in a collapsible block
    report = (out / "report.html").read_text("utf-8")
    assert "<b>c</b>" not in report and "&lt;b&gt;c&lt;/b&gt;" in report
    assert "<script" not in feedback
    # the report's one script is our own table sorter; nothing a student wrote is a script
    assert report.count("<script") == 1 and f"<script>{SORT_SCRIPT}</script>" in report


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


# ------------------------------------------------------------ the instructor's report

AXIS0 = "your softmax normalises each column (axis=0), not each row."
ROWS_MESSAGE = ("each row of softmax(Z) must sum to 1, but row 0 sums to 1.37.\n"
                f"Likely cause: {AXIS0}")
TIMEOUT = "softmax did not finish within 2 s (an endless loop?)"


def student(name: str, outcomes: list[tuple[str, str]], **extra: object) -> SubmissionResult:
    return SubmissionResult(student=name, assignment="activations", content_hash=name,
                            checks=[check(spec, outcome, message) for spec, (outcome, message)
                                    in zip(SPECS, outcomes, strict=True)], **extra)  # type: ignore[arg-type]


def a_class() -> list[SubmissionResult]:
    ok = ("passed", "")
    return [
        student("ann", [ok, ok, ok, ok]),
        # the same named mistake on two checks of softmax: one student, one mistake
        student("ben", [ok, ok, ("failed", ROWS_MESSAGE), ("failed", ROWS_MESSAGE)],
                late={"days": 2, "penalty": 0.2}),
        student("cat", [ok, ("failed", "relu(Z) changed its input Z."),
                        ("failed", ROWS_MESSAGE), ok]),
        student("dan", [ok, ok, ("error", TIMEOUT), ("error", "softmax was not run again: "
                                                             "it already took longer than 2 s "
                                                             "on an earlier check")],
                events=["softmax: timed out"]),
        load_failed(),
        invalid(),
    ]


def section(report: str, heading: str) -> str:
    start = report.index(f"<h2>{heading}")
    return report[start:report.index("</section>", start)]


def table_rows(html: str) -> list[list[str]]:
    """The text of each body cell, row by row."""
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    return [[re.sub(r"<[^>]+>", "", cell).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", body)]


def test_report_per_function_summary(tmp_path: Path) -> None:
    write(tmp_path, a_class())
    report = (tmp_path / "report.html").read_text("utf-8")
    rows = table_rows(section(report, "Per function"))
    # function, points, full marks, (bar), students, mean points, code errors, mistake
    assert rows == [
        ["relu", "4.5", "75%", "", "3/4", "4.12", "0", "none named"],
        ["softmax", "3", "25%", "", "1/4", "1.00", "1", f"{AXIS0} (2)"],
    ]
    # the per-function summary comes before the per-check detail
    assert report.index("<h2>Per function") < report.index("<h2>Pass rate per check")


def test_unloaded_files_are_counted_apart(tmp_path: Path) -> None:
    write(tmp_path, a_class())
    report = (tmp_path / "report.html").read_text("utf-8")
    assert ("Counted apart: 1 file did not load and 1 submission was invalid (0 points; "
            "see <em>Submissions that need a look</em>).") in report
    hardest = table_rows(section(report, "Hardest checks"))
    by_check = {row[0]: row for row in hardest}
    # check, function, visibility, points, passed, failed, errors, most common message
    # (4 students whose file loaded: bob's load failure is not one of relu's failures)
    assert by_check["relu_keeps_input"][4:7] == ["75%", "1", "0"]
    assert "relu_course_matrix" not in by_check  # every loaded file passed it


def test_most_common_message_is_never_blank(tmp_path: Path) -> None:
    write(tmp_path, a_class())
    report = (tmp_path / "report.html").read_text("utf-8")
    for row in table_rows(section(report, "Hardest checks")):
        assert row[7], row
    by_check = {row[0]: row for row in table_rows(section(report, "Hardest checks"))}
    assert by_check["softmax_large[4x10]"][7] in (
        "each row of softmax(Z) must sum to 1, but row 0 sums to 1.37.",
        "softmax was not run again: it already took longer than 2 s on an earlier check")
    # a check that only timed out says so
    timeouts = write_one_timeout(tmp_path / "t")
    assert TIMEOUT in timeouts


def write_one_timeout(out: Path) -> str:
    ok = ("passed", "")
    write(out, [student("eve", [ok, ok, ("error", TIMEOUT), ok])])
    return section((out / "report.html").read_text("utf-8"), "Hardest checks")


def test_common_mistakes_table(tmp_path: Path) -> None:
    write(tmp_path, a_class())
    report = (tmp_path / "report.html").read_text("utf-8")
    assert table_rows(section(report, "Common mistakes")) == [
        ["softmax", AXIS0, "2", "50%"]]  # ben and cat, of the 4 files that loaded


def test_student_table_has_late_and_penalty_and_sorts(tmp_path: Path) -> None:
    write(tmp_path, a_class())
    report = (tmp_path / "report.html").read_text("utf-8")
    students = section(report, "All students")
    assert "<th class=\"num\">late</th><th class=\"num\">penalty</th>" in students
    by_student = {row[0]: row for row in table_rows(students)}
    # student, score, max, share, checks passed, late, penalty, problem
    assert by_student["ben"][1] == "3.6" and by_student["ben"][5:7] == ["2 days", "20%"]
    assert by_student["ann"][5:7] == ["—", "—"]
    assert report.count('<table class="sortable') == 5
    assert "http" not in report.split("<script>")[1]  # no external asset


def test_feedback_names_a_likely_cause_once_per_function(tmp_path: Path) -> None:
    write(tmp_path, a_class())
    text = (tmp_path / "ben" / "feedback.md").read_text("utf-8")
    assert text.count("Likely cause") == 1
    assert f"**Likely cause:** {AXIS0}" in text
    assert text.index("**Likely cause:**") < text.index("softmax_rows_sum_to_one")
    assert text.count("row 0 sums to 1.37.") == 2  # each check still says what it saw
    page = (tmp_path / "ben" / "feedback.html").read_text("utf-8")
    assert page.count("Likely cause") == 1
    assert page.count('<pre class="msg">') == 2  # the two failed checks; passed ones say nothing
    # results.json keeps each check's whole message (the output contract)
    tests = results_json(tmp_path, "ben")["tests"]
    assert sum("Likely cause" in t["output"] for t in tests) == 2


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
