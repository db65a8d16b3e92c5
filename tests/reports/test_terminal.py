"""What `dlgrade check` prints, rendered to a string from hand-made results."""

from __future__ import annotations

import io
from pathlib import Path

from autograder.reports.terminal import render_self_check
from autograder.results import CheckResult, SubmissionResult
from autograder.selfcheck.run import SelfCheck, student_paths

HOSTILE = "[bold]loud[/bold] [/b] \x1b[2J\rcleared"


def check(name: str, function: str, outcome: str, message: str = "", hint: str = "",
          points: float = 1.0) -> CheckResult:
    return CheckResult(check=name, function=function, points=points if outcome == "passed"
                       else 0.0, max_points=points, visibility="public", outcome=outcome,
                       message=message, hint=hint)


def render(result: SubmissionResult, *, hints: bool = False, colour: bool = False,
           functions: tuple[str, ...] = ("normalize", "relu", "softmax")) -> tuple[bool, str]:
    outcome = SelfCheck(result=result, assignment="toolkit", title="The [b]toolkit",
                        protections=["basic"], file=Path("/home/me/my [work]/neural_network.py"),
                        functions=functions)
    out = io.StringIO()
    ok = render_self_check(outcome, hints=hints, file=out, colour=colour)
    return ok, out.getvalue()


def result(*checks: CheckResult, **kwargs) -> SubmissionResult:
    return SubmissionResult(student="ada", assignment="toolkit", content_hash="x",
                            checks=list(checks), **kwargs)


def test_student_and_check_text_is_printed_verbatim_without_control_characters() -> None:
    ok, text = render(result(
        check("relu_example", "relu", "error", f"relu raised ValueError: {HOSTILE}"),
        check("softmax_sum", "softmax", "failed", "contains 6 nan/inf value(s): [nan, nan]."),
        cell_errors=[{"cell": 2, "type": "NameError", "message": HOSTILE}],
        output=f"printed {HOSTILE}\n"))
    assert not ok
    assert text.splitlines()[0] == ("Checking /home/me/my [work]/neural_network.py against the "
                                    "public checks of 'toolkit' (The [b]toolkit)")
    assert "       relu raised ValueError: [bold]loud[/bold] [/b] ?[2J?cleared\n" in text
    assert "       contains 6 nan/inf value(s): [nan, nan].\n" in text
    assert "Notebook cell 2 raised NameError: [bold]loud[/bold] [/b] ?[2J?cleared" in text
    assert text.endswith("Your code printed:\nprinted [bold]loud[/bold] [/b] ?[2J?cleared\n")
    assert "\x1b" not in text and "\r" not in text


def test_only_our_own_colours_reach_a_terminal() -> None:
    _, text = render(result(check("relu_example", "relu", "failed", HOSTILE),
                            check("relu_other", "relu", "passed")), colour=True)
    assert "\x1b[31mFAIL\x1b[0m relu_example" in text
    assert "\x1b[32mpass\x1b[0m relu_other" in text
    assert "\x1b[2J" not in text


def test_course_order_one_line_for_unwritten_and_the_next_step() -> None:
    _, text = render(result(
        check("softmax_a", "softmax", "error", "softmax is not written yet: it raises "
              "NotImplementedError (neural_network.py, line 9)"),
        check("relu_a", "relu", "failed", "relu(Z) is wrong", hint="use np.maximum"),
        check("relu_b", "relu", "passed"),
        check("normalize_a", "normalize", "passed", points=2.0),
        check("extra_a", "extra", "error", "`extra` is not defined in your file (is it ...)")))
    lines = text.splitlines()
    assert lines[2:] == [
        "normalize  2/2 points   1 of 1 checks pass",
        "relu       1/2 points   1 of 2 checks pass",
        "  FAIL relu_a",
        "       relu(Z) is wrong",
        "  pass relu_b",
        "Functions not written yet (they raise NotImplementedError): softmax",
        "Functions not defined in your file (check the spelling; define them at the top "
        "level): extra",
        "",
        "1 of 4 functions pass their public checks; next: relu",
        "2 of 5 public checks passed (3/6 points).",
        "For a hint on how to fix each failed check: dlgrade check --hints",
        "These are the public checks only: hidden checks run too when your work is graded, "
        "so also test cases of your own.",
    ]


def test_hints_show_on_request_under_their_message() -> None:
    failed = check("relu_a", "relu", "failed", "relu(Z) is wrong\n  got: [1]",
                   hint="use np.maximum")
    _, text = render(result(failed), hints=True)
    assert "       relu(Z) is wrong\n         got: [1]\n       Hint: use np.maximum\n" in text
    assert "--hints" not in text


def test_a_file_that_does_not_load_is_one_message_and_no_table() -> None:
    error = "your file could not be loaded: SyntaxError: invalid syntax (neural_network.py, line 3)"
    _, text = render(result(*[check(f"relu_{i}", "relu", "error", error) for i in range(4)],
                            status="load_failed", error=error))
    assert text.splitlines()[2:] == [
        "Your file could not be loaded: SyntaxError: invalid syntax (neural_network.py, line 3)",
        "", "None of the 4 public checks could run."]


def test_a_hang_while_loading_points_at_top_level_code() -> None:
    error = ("your file could not be loaded: loading (it did not finish) took longer than "
             "10 s")
    _, text = render(result(check("relu_0", "relu", "error", error), status="load_failed",
                            error=error))
    assert "Your file could not be loaded: loading it did not finish within 10 s." in text
    assert 'under `if __name__ == "__main__":`' in text


def test_sandbox_paths_become_the_students_folder() -> None:
    folder = Path("/home/me/work")
    assert student_paths("/home/student/data.csv not found.", folder) == \
        "/home/me/work/data.csv not found."
    assert student_paths("File \"/tmp/dlgrade-student-k2_x9/neural_network.py\", line 3",
                         folder) == 'File "/home/me/work/neural_network.py", line 3'
    assert student_paths("/home/students/x", folder) == "/home/students/x"
