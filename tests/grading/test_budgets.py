"""Crash and time budgets per function, and the per-submission time budget
(real sandboxed workers; the limits come from assignment.toml's [limits])."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest

from autograder.course.assignment import load_assignment
from autograder.course.limits import Limits
from autograder.sandbox.client import Zygote
from autograder.grading.student import SandboxRunner, Student, StudentError

REPO = Path(__file__).resolve().parents[2]
SPEC = {"kind": "py", "module": "neural_network", "entry": "neural_network.py"}
SOURCE = '''
import ctypes


def good(x):
    return x + 1


def crash(x):
    return ctypes.string_at(0xDEAD0000000, 16)  # unmapped: a segmentation fault


def hang(x):
    while True:
        pass
'''


@pytest.fixture(scope="module")
def zygote() -> Iterator[Zygote]:
    z = Zygote(job=8)
    yield z
    z.close()


def runner_for(zygote: Zygote, limits: Limits, source: str = SOURCE) -> tuple[SandboxRunner,
                                                                               Student]:
    runner = SandboxRunner(zygote, files={"neural_network.py": source}, spec=SPEC,
                           limits=limits)
    runner.start()
    return runner, Student(runner)


def messages(call: object, times: int) -> list[str]:
    out = []
    for _ in range(times):
        with pytest.raises(StudentError) as caught:
            call()  # type: ignore[operator]
        out.append(caught.value.message)
    return out


def test_crashes_cost_only_the_crashing_function(zygote: Zygote) -> None:
    runner, student = runner_for(zygote, Limits(call_timeout=2, function_crashes=2))
    try:
        got = messages(lambda: student.crash(1), 4)
        assert got[:2] == ["calling crash crashed with a segmentation fault"] * 2
        assert got[2:] == ["crash was not run again: it crashed with a segmentation fault on "
                           "2 earlier calls (your other functions were still graded)"] * 2
        assert [student.good(i) for i in range(3)] == [1, 2, 3]  # a fresh worker each time
        assert runner.restarts == 2
    finally:
        runner.close()


def test_crash_budget_is_configurable(zygote: Zygote) -> None:
    runner, student = runner_for(zygote, Limits(call_timeout=2, function_crashes=1))
    try:
        assert messages(lambda: student.crash(1), 2) == [
            "calling crash crashed with a segmentation fault",
            "crash was not run again: it crashed with a segmentation fault on an earlier call "
            "(your other functions were still graded)"]
        assert student.good(1) == 2
    finally:
        runner.close()


def test_timeout_budget_then_other_functions_still_run(zygote: Zygote) -> None:
    runner, student = runner_for(zygote, Limits(call_timeout=0.5, function_timeouts=2))
    try:
        assert messages(lambda: student.hang(1), 3) == [
            "hang did not finish within 0.5 s (an endless loop?)"] * 2 + [
            "hang was not run again: it already took longer than 0.5 s on 2 earlier checks"]
        assert student.good(41) == 42
    finally:
        runner.close()


def test_submission_time_budget_bounds_the_worst_case(zygote: Zygote) -> None:
    hangs = "".join(f"\ndef hang{i}(x):\n    while True:\n        pass\n" for i in range(6))
    runner, student = runner_for(zygote, Limits(call_timeout=0.5, submission_seconds=1.2),
                                 SOURCE + hangs)
    try:
        got = [messages(lambda i=i: getattr(student, f"hang{i}")(1), 1)[0] for i in range(6)]
        timed = [m for m in got if m.endswith("did not finish within 0.5 s (an endless loop?)")]
        stopped = [m for m in got if m.endswith("was not run: grading your file already took "
                                                 "longer than 1.2 s, the time one submission "
                                                 "may take")]
        assert len(timed) + len(stopped) == 6
        # at most ceil(1.2 / 0.5) calls can start within the budget; the rest are refused
        assert 1 <= len(timed) <= 3 and stopped
        assert messages(lambda: student.good(1), 1) == [
            "good was not run: grading your file already took longer than 1.2 s, the time "
            "one submission may take"]
    finally:
        runner.close()


def test_budgets_are_read_from_assignment_toml(tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(REPO / "assignments", course / "assignments")
    toml = course / "assignments" / "toolkit" / "assignment.toml"
    toml.write_text(toml.read_text().replace(
        "[limits]\n", "[limits]\nfunction_crashes = 3\nfunction_timeouts = 2\n"
        "submission_seconds = 45\n"))
    limits = load_assignment(course, "toolkit").limits
    assert (limits.function_crashes, limits.function_timeouts, limits.submission_seconds) == \
        (3, 2, 45)
    assert (Limits().function_crashes, Limits().function_timeouts,
            Limits().submission_seconds) == (2, 1, 120)
