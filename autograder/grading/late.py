"""Late work: when each submission came in, against ``--due``, and what it costs.

A submission's time comes from nbgrader's ``timestamp.txt`` or from a CSV
given with ``--times`` (columns ``student,submitted_at``, as LMS exports give
them). Times and deadlines without a zone are read in one zone: ``--tz``, by
default the machine's own. A date-only ``--due`` means the end of that day.

Every submission gets one :class:`Timing`; none is quietly on time: an entry
with no time is marked "no submission time" and an unreadable time is flagged.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from autograder.errors import UsageError
from autograder.course.submission import SUFFIXES, Submission, entry_stem

UTC = dt.timezone.utc
DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


class Timing(str, Enum):
    """How a submission stands against the deadline (``late["status"]`` in results)."""

    ON_TIME = "on time"
    LATE = "late"
    NO_TIME = "no submission time"
    UNREADABLE = "unreadable submission time"


def local_zone() -> tuple[dt.tzinfo, str]:
    """The machine's time zone and its name, through zoneinfo (``TZ``, then
    ``/etc/timezone``, then the ``/etc/localtime`` link); UTC when none is set."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    except OSError:
        pass
    link = os.path.realpath("/etc/localtime")
    if "zoneinfo/" in link:
        candidates.append(link.split("zoneinfo/", 1)[1])
    for name in candidates:
        if name:
            try:
                return zone(name), name
            except UsageError:
                continue
    return UTC, "UTC"


def zone(name: str) -> dt.tzinfo:
    """The zone called ``name`` (``Europe/Paris``, ``UTC``). Raises UsageError."""
    if name.upper() in ("UTC", "Z", "ETC/UTC"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"--tz '{name}' is not a time zone (e.g. Europe/Paris, "
                         "America/New_York, UTC)") from None


def parse_timestamp(text: str, *, tz: dt.tzinfo = UTC) -> dt.datetime | None:
    """Parse nbgrader's ``2026-11-28 17:00:00.123456 UTC`` or an ISO date and time.

    A time without a zone is in ``tz``. Returns None when ``text`` is not one.
    """
    cleaned = text.strip()
    if cleaned.upper().endswith(" UTC"):
        cleaned = cleaned[:-4] + "+00:00"
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    try:
        value = dt.datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=tz)


def parse_due(text: str, *, tz: dt.tzinfo) -> dt.datetime:
    """``--due``: a date and time, or a date alone meaning the end of that day."""
    if DATE_ONLY.fullmatch(text.strip()):
        day = dt.date.fromisoformat(text.strip())
        return dt.datetime.combine(day, dt.time(23, 59, 59, 999999), tzinfo=tz)
    when = parse_timestamp(text, tz=tz)
    if when is None:
        raise UsageError(f"--due '{text}' is not a date or a date and time "
                         "(e.g. 2026-12-01 or 2026-12-01T17:00)")
    return when


def shown(when: dt.datetime) -> str:
    """"2026-12-01 23:59:59+01:00" (seconds; the offset says the zone)."""
    return when.isoformat(sep=" ", timespec="seconds")


def read_times(path: Path) -> dict[str, str]:
    """``--times FILE``: student -> submitted_at text, from a CSV with those columns.

    Raises:
        UsageError: the file cannot be read, lacks a column or lists a student twice.
    """
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = [c.strip().lower() for c in reader.fieldnames or []]
            if "student" not in columns or "submitted_at" not in columns:
                raise UsageError(f"--times '{path}' needs the columns student,submitted_at "
                                 f"(found: {', '.join(columns) or 'nothing'})")
            reader.fieldnames = columns
            times: dict[str, str] = {}
            lines: dict[str, int] = {}
            for row in reader:
                student = unicodedata.normalize("NFC", (row.get("student") or "").strip())
                if not student:
                    continue
                if student in times:
                    raise UsageError(f"--times '{path}' lists '{student}' twice (lines "
                                     f"{lines[student]} and {reader.line_num})")
                times[student] = (row.get("submitted_at") or "").strip()
                lines[student] = reader.line_num
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"--times '{path}' could not be read: {exc}") from None
    return times


@dataclass(frozen=True)
class LatePolicy:
    """Late work: ``per_day`` of the score per started day after ``due``, up to ``cap``.

    ``tz``/``zone`` is the zone of times without one; ``times`` are per-student
    submission times from ``--times`` (they win over ``timestamp.txt``).
    """

    due: dt.datetime
    per_day: float = 0.0
    cap: float = 1.0
    tz: dt.tzinfo = UTC
    zone: str = "UTC"
    times: dict[str, str] = field(default_factory=dict)
    times_file: str = ""

    def assess(self, timestamp: str, *, error: str = "",
               source: str = "timestamp.txt") -> dict[str, Any]:
        """The ``late`` record of one submission (``status`` is a :class:`Timing`)."""
        due = shown(self.due)
        if error:
            return {"status": Timing.UNREADABLE.value, "due": due, "note": error}
        if not timestamp:
            return {"status": Timing.NO_TIME.value, "due": due}
        submitted = parse_timestamp(timestamp, tz=self.tz)
        if submitted is None:
            return {"status": Timing.UNREADABLE.value, "due": due,
                    "note": f"{source}: '{timestamp[:60]}' is not a date and time"}
        record = {"submitted": shown(submitted), "due": due, "source": source}
        if submitted <= self.due:
            return {"status": Timing.ON_TIME.value, **record}
        days = math.ceil((submitted - self.due).total_seconds() / 86400)
        return {"status": Timing.LATE.value, "days": days,
                "penalty": round(min(self.cap, days * self.per_day), 4), **record}

    def time_of(self, sub: Submission) -> str | None:
        """The ``--times`` entry for ``sub`` (by entry name, its stem, or id), if any."""
        for key in self.keys(sub):
            if key in self.times:
                return key
        return None

    @staticmethod
    def keys(sub: Submission) -> list[str]:
        name = unicodedata.normalize("NFC", sub.entry_name or sub.student)
        stem = entry_stem(name, is_dir=False) if name.lower().endswith(SUFFIXES) else name
        return [name, stem, sub.student]


@dataclass
class LateSummary:
    """What the late policy did to a class, for the summary line and the report."""

    due: str
    zone: str
    per_day: float
    cap: float
    late: list[str] = field(default_factory=list)
    no_time: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # "id: why"
    unknown: list[str] = field(default_factory=list)  # --times students with no entry

    def line(self) -> str:
        """"due 2026-12-01 23:59:59+01:00 (Europe/Paris): 2 late, 1 with no submission time"."""
        parts = [f"{len(self.late)} late"]
        if self.no_time:
            parts.append(f"{len(self.no_time)} with no submission time")
        if self.unreadable:
            parts.append(f"{len(self.unreadable)} with an unreadable submission time")
        if self.unknown:
            more = ", ..." if len(self.unknown) > 5 else ""
            parts.append(f"{len(self.unknown)} unknown in --times "
                         f"({', '.join(self.unknown[:5])}{more})")
        return f"due {self.due} ({self.zone}): " + ", ".join(parts)

    def notes(self) -> list[str]:
        """Lines for report.html."""
        penalty = (f"{self.per_day * 100:g}% per started day late, at most {self.cap * 100:g}%"
                   if self.per_day else "no penalty (late work is only marked)")
        notes = [f"Due {self.due}; times without a zone are read in {self.zone}; {penalty}.",
                 f"Late: {', '.join(self.late) or 'none'}."]
        if self.no_time:
            notes.append("No submission time (not penalised; check by hand): "
                         + ", ".join(self.no_time) + ".")
        if self.unreadable:
            notes.append("Unreadable submission time (not penalised; check by hand): "
                         + "; ".join(self.unreadable) + ".")
        if self.unknown:
            notes.append("In --times but not among the submissions: "
                         + ", ".join(self.unknown) + ".")
        return notes


def assess_class(policy: LatePolicy,
                 subs: Iterable[Submission]) -> tuple[dict[str, dict[str, Any]], LateSummary]:
    """Every submission's ``late`` record (by student id) and the class summary."""
    summary = LateSummary(due=shown(policy.due), zone=policy.zone, per_day=policy.per_day,
                          cap=policy.cap)
    records: dict[str, dict[str, Any]] = {}
    used: set[str] = set()
    for sub in subs:
        key = policy.time_of(sub)
        if key is not None:
            used.add(key)
            record = policy.assess(policy.times[key], source=policy.times_file,
                                   error="" if policy.times[key] else
                                   f"{policy.times_file}: empty submitted_at")
        else:
            record = policy.assess(sub.timestamp, error=sub.timestamp_error)
        records[sub.student] = record
        status = record["status"]
        if status == Timing.LATE.value:
            summary.late.append(sub.student)
        elif status == Timing.NO_TIME.value:
            summary.no_time.append(sub.student)
        elif status == Timing.UNREADABLE.value:
            summary.unreadable.append(f"{sub.student}: {record.get('note', '')}")
    summary.unknown = sorted(set(policy.times) - used)
    return records, summary


def parse_late_policy(due: str | None, penalty: str | None, cap: str | None, *,
                      tz: str | None = None, times: Path | None = None) -> LatePolicy | None:
    """Build a policy from ``--due``, ``--late-penalty 10%/day``, ``--late-cap 50%``,
    ``--tz`` and ``--times``. Raises UsageError for anything inconsistent."""
    if cap and not penalty:
        raise UsageError("--late-cap needs --late-penalty (the cap limits the penalty)")
    if not due:
        for given, flag in ((penalty, "--late-penalty"), (tz, "--tz"), (times, "--times")):
            if given:
                raise UsageError(f"{flag} needs --due")
        return None
    where, name = (zone(tz), tz) if tz else local_zone()
    when = parse_due(due, tz=where)
    per_day = 0.0
    if penalty:
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%\s*/\s*day\s*", penalty)
        if not match:
            raise UsageError(f"--late-penalty '{penalty}' must look like 10%/day")
        per_day = float(match.group(1)) / 100
    cap_value = 1.0
    if cap:
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%\s*", cap)
        if not match:
            raise UsageError(f"--late-cap '{cap}' must look like 50%")
        cap_value = float(match.group(1)) / 100
    return LatePolicy(due=when, per_day=per_day, cap=min(cap_value, 1.0), tz=where, zone=name,
                      times=read_times(times) if times else {},
                      times_file=Path(times).name if times else "")
