"""What grading produces: one :class:`SubmissionResult` per student.

These are plain dataclasses that serialise to JSON, so results stream from
grading processes (or Dask workers) to the process writing the reports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

# the outcome strings are defined once, in the check runtime (students get that
# file, so they stay plain strings there); the enum below names the same values
from autograder.runtime import checkrun


class _StrEnum(str, Enum):
    """A str Enum that prints, formats and serialises (JSON, CSV, SQLite) as
    its value (``enum.StrEnum`` needs Python 3.11)."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class Outcome(_StrEnum):
    """The outcome of one check (``CheckResult.outcome``, results.json)."""

    PASSED = checkrun.PASSED
    FAILED = checkrun.FAILED  # a property of the student's answer does not hold
    ERROR = checkrun.ERROR  # the student's code raised, crashed, hung or is missing
    GRADER_ERROR = checkrun.GRADER_ERROR  # the grader failed: not the student's fault


class Status(_StrEnum):
    """What became of one submission as a whole (``SubmissionResult.status``)."""

    GRADED = "graded"
    LOAD_FAILED = "load_failed"  # the file could not be loaded (syntax error, crash...)
    INVALID = "invalid"  # the entry could not be read (not UTF-8, bad notebook...)
    GRADER_ERROR = checkrun.GRADER_ERROR  # some check hit a grader fault


# the outcomes under their historical names (typed as str: a variable that holds
# one may later hold an outcome read back from JSON)
PASSED: str = Outcome.PASSED
FAILED: str = Outcome.FAILED
ERROR: str = Outcome.ERROR
GRADER_ERROR: str = Outcome.GRADER_ERROR
OUTCOMES = tuple(Outcome)


@dataclass(frozen=True)
class CheckSpec:
    """A collected check: its id, function, points and visibility."""

    id: str
    function: str
    points: float
    visibility: str
    nodeid: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "function": self.function, "points": self.points,
                "visibility": self.visibility}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CheckSpec":
        """The spec :meth:`to_dict` wrote (the pytest node id stays behind: empty)."""
        return cls(id=data["id"], function=data["function"], points=data["points"],
                   visibility=data["visibility"], nodeid="")


@dataclass
class CheckResult:
    """The result of one check for one student."""

    check: str  # unique id, e.g. "softmax_rows_sum_to_one"
    function: str  # the toolkit function it exercises (tags[0])
    points: float  # points earned
    max_points: float
    visibility: str  # "public" or "hidden"
    outcome: str  # an Outcome
    message: str = ""  # for the student (hidden checks: no inputs or expected values)
    duration: float = 0.0
    detail: str = ""  # for the instructor only (grader errors)
    hint: str = ""  # second-level feedback: how to fix it (`dlgrade check --hints`)


@dataclass
class SubmissionResult:
    """Everything graded for one student and one assignment."""

    student: str
    assignment: str
    content_hash: str
    checks: list[CheckResult] = field(default_factory=list)
    status: str = Status.GRADED  # a Status
    error: str = ""  # why the file could not be loaded / the entry is invalid
    cell_errors: list[dict[str, Any]] = field(default_factory=list)
    events: list[str] = field(default_factory=list)  # crashes, timeouts
    output: str = ""  # what the student's code printed (capped)
    duration: float = 0.0
    graded_at: str = ""
    late: dict[str, Any] = field(default_factory=dict)  # {"status": .., "days": .., "penalty": ..}
    cached: bool = False
    entry: str = ""  # the entry's own name in SUBMISSIONS ("José García.py")

    @property
    def score(self) -> float:
        raw = sum(c.points for c in self.checks)
        penalty = float(self.late.get("penalty", 0.0)) if self.late else 0.0
        return round(max(raw * (1.0 - penalty), 0.0), 4)

    @property
    def raw_score(self) -> float:
        return round(sum(c.points for c in self.checks), 4)

    @property
    def max_score(self) -> float:
        return round(sum(c.max_points for c in self.checks), 4)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy (the fields are plain data already: no deep copy)."""
        data = dict(self.__dict__)
        data["checks"] = [dict(c.__dict__) for c in self.checks]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SubmissionResult":
        data = dict(data)
        data["checks"] = [CheckResult(**c) for c in data.get("checks", [])]
        return cls(**data)


def now_iso() -> str:
    """The current UTC time, to the second, in ISO 8601."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def not_graded(*, student: str, assignment: str, content_hash: str, specs: list[CheckSpec],
               reason: str) -> SubmissionResult:
    """A well-formed zero marked "grader error" (every check listed) for a
    submission the grader could not grade: never a silent zero."""
    return SubmissionResult(
        student=student, assignment=assignment, content_hash=content_hash,
        status=Status.GRADER_ERROR, error=reason, graded_at=now_iso(),
        checks=[CheckResult(check=s.id, function=s.function, points=0.0, max_points=s.points,
                            visibility=s.visibility, outcome=Outcome.GRADER_ERROR,
                            message="Grader error: not graded.", detail=reason)
                for s in specs])
