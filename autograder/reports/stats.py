"""What the reports keep of a class while it is graded: one light row per
student, per-check counts, per-function digests and the class counts.

Written by :mod:`autograder.reports.writer`, read by
:mod:`autograder.reports.summary` (which renders them as ``report.html``).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from autograder.reports.feedback import likely_causes
from autograder.results import CheckResult, CheckSpec, Outcome, Status, SubmissionResult

# one letter per outcome keeps a student's row small
OUTCOME_CODES: dict[str, str] = {Outcome.PASSED: "P", Outcome.FAILED: "F", Outcome.ERROR: "E",
                 Outcome.GRADER_ERROR: "G"}
MAX_MESSAGES = 30  # distinct failure messages remembered per check
NOT_LOADED = (Status.INVALID, Status.LOAD_FAILED)  # statuses counted apart from the checks


class Row(NamedTuple):
    """What the writer remembers of one student."""

    student: str
    score: float
    max_score: float
    points: tuple[float, ...]  # per check, in spec order
    outcomes: str  # one OUTCOME_CODES letter per check, in spec order
    status: str  # SubmissionResult.status
    problem: str  # short label ("timed out", "failed to load"...), "" when none
    issue: str  # what happened, one line, "" when nothing did
    entry: str = ""  # the entry's own name in SUBMISSIONS
    raw_score: float = 0.0  # before the late penalty
    late: dict[str, Any] = {}  # SubmissionResult.late (never mutated)


@dataclass(frozen=True)
class Summary:
    """Counts over the class, returned by :meth:`ReportWriter.finish`."""

    students: int
    mean: float
    median: float
    max_score: float
    full_marks: int
    problems: int  # submissions that crashed, timed out, failed to load, ...
    grader_errors: int  # submissions with at least one grader error
    by_status: dict[str, int] = field(default_factory=dict)
    grades_csv: Path = Path("grades.csv")
    report_html: Path = Path("report.html")


@dataclass
class CheckStats:
    """How the class did on one check: outcome counts and common messages.

    Students whose file did not load (or was invalid) are counted in ``apart``,
    not as failures: the check never ran for them.
    """

    spec: CheckSpec
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOME_CODES.values(), 0))
    messages: dict[str, int] = field(default_factory=dict)
    apart: int = 0

    def add(self, code: str, message: str, sign: int = 1, *, loaded: bool = True) -> None:
        """Count one student's outcome (``sign=-1`` forgets one)."""
        if not loaded:
            self.apart += sign
            return
        self.counts[code] = self.counts.get(code, 0) + sign
        line = message.strip().splitlines()[0][:160] if message.strip() else ""
        if sign > 0 and line and (line in self.messages or len(self.messages) < MAX_MESSAGES):
            self.messages[line] = self.messages.get(line, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def pass_rate(self) -> float:
        return self.counts.get("P", 0) / self.total if self.total else 0.0

    @property
    def common_message(self) -> str:
        """The most common message of a check that did not pass (never blank when
        one did not: errors, timeouts and crashes give theirs too)."""
        if self.messages:
            return max(self.messages, key=self.messages.__getitem__)
        failing = self.total - self.counts.get("P", 0)
        return f"{failing} did not pass (no message)" if failing > 0 else ""


class FunctionDigest(NamedTuple):
    """One student's result on one toolkit function."""

    points: float
    max_points: float
    errors: bool  # their code raised, crashed or timed out on a check of it
    mistakes: tuple[str, ...]  # named mistakes ("Likely cause: ...") diagnosed


class StudentDigest(NamedTuple):
    """What the class tables need of one student (a few numbers and names)."""

    status: str
    functions: dict[str, FunctionDigest]
    raw_score: float
    late_days: float | None
    penalty: float


class FunctionRow(NamedTuple):
    """One row of the per-function summary."""

    function: str
    max_points: float
    students: int  # whose file loaded
    full_marks: int
    mean_points: float
    errors: int
    mistake: str  # the most common named mistake, "" when none was named
    mistake_students: int


class ClassStats:
    """Per toolkit function and per named mistake, over the students whose file
    loaded; the rest are counted apart. Keeps a small digest per student (no
    whole results), replaced when a student is graded again.

    Args:
        specs: the collected checks (their functions, in order).
    """

    def __init__(self, specs: Sequence[CheckSpec]) -> None:
        self.functions = list(dict.fromkeys(s.function for s in specs))
        self.students: dict[str, StudentDigest] = {}

    def add(self, result: SubmissionResult, checks: Sequence[CheckResult]) -> None:
        """Remember one student's result (``checks`` in spec order)."""
        functions: dict[str, FunctionDigest] = {}
        for check in checks:
            old = functions.get(check.function, FunctionDigest(0.0, 0.0, False, ()))
            new = tuple(m for m in likely_causes(check.message) if m not in old.mistakes)
            functions[check.function] = FunctionDigest(
                old.points + check.points, old.max_points + check.max_points,
                old.errors or check.outcome == Outcome.ERROR, old.mistakes + new)
        late = result.late or {}
        days = late.get("days")
        self.students[result.student] = StudentDigest(
            status=result.status, functions=functions, raw_score=result.raw_score,
            late_days=float(days) if isinstance(days, (int, float)) else None,
            penalty=float(late.get("penalty", 0.0) or 0.0))

    def apart(self) -> dict[str, int]:
        """How many files did not load, how many were invalid."""
        counts: dict[str, int] = dict.fromkeys(NOT_LOADED, 0)
        for digest in self.students.values():
            if digest.status in counts:
                counts[digest.status] += 1
        return counts

    def _loaded(self) -> list[StudentDigest]:
        return [d for d in self.students.values() if d.status not in NOT_LOADED]

    def function_rows(self) -> list[FunctionRow]:
        """One row per function, in assignment order."""
        loaded = self._loaded()
        rows = []
        for function in self.functions:
            got = [d.functions[function] for d in loaded if function in d.functions]
            mistakes: dict[str, int] = {}
            for digest in got:
                for mistake in digest.mistakes:
                    mistakes[mistake] = mistakes.get(mistake, 0) + 1
            top = max(mistakes, key=lambda m: (mistakes[m], m)) if mistakes else ""
            rows.append(FunctionRow(
                function=function, max_points=max((g.max_points for g in got), default=0.0),
                students=len(got), full_marks=sum(g.points >= g.max_points for g in got),
                mean_points=statistics.fmean(g.points for g in got) if got else 0.0,
                errors=sum(g.errors for g in got), mistake=top,
                mistake_students=mistakes.get(top, 0)))
        return rows

    def common_mistakes(self) -> list[tuple[str, str, int]]:
        """(function, named mistake, students who made it), most common first."""
        counts: dict[tuple[str, str], int] = {}
        for digest in self._loaded():
            for function, got in digest.functions.items():
                for mistake in got.mistakes:
                    counts[(function, mistake)] = counts.get((function, mistake), 0) + 1
        order = {f: i for i, f in enumerate(self.functions)}
        return [(f, m, n) for (f, m), n in sorted(
            counts.items(), key=lambda kv: (-kv[1], order.get(kv[0][0], 99), kv[0][1]))]
