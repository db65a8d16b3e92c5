"""Late work: nbgrader's timestamp.txt against --due, penalised in every report."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from autograder.engine import GradeOptions, grade, parse_late_policy, parse_timestamp
from autograder.errors import UsageError


def test_parse_timestamps_of_nbgrader_and_iso() -> None:
    stamp = parse_timestamp("2026-11-28 17:00:00.123456 UTC")
    assert stamp == dt.datetime(2026, 11, 28, 17, 0, 0, 123456, tzinfo=dt.timezone.utc)
    assert parse_timestamp("2026-12-01T23:59") is not None
    assert parse_timestamp("yesterday") is None


def test_policy_counts_started_days_and_caps() -> None:
    policy = parse_late_policy("2026-12-01T00:00", "10%/day", "25%")
    assert policy is not None
    assert policy.assess("2026-11-30 12:00:00 UTC") == {}
    assert policy.assess("2026-12-01 00:00:01 UTC")["days"] == 1
    late = policy.assess("2026-12-03 01:00:00 UTC")
    assert late["days"] == 3 and late["penalty"] == 0.25  # 30%, capped at 25%
    assert policy.assess("") == {}  # no timestamp: not late


@pytest.mark.parametrize("due, penalty, cap", [(None, "10%/day", None), ("soon", None, None),
                                               ("2026-12-01", "ten", None),
                                               ("2026-12-01", "10%/day", "lots")])
def test_bad_policies_are_usage_errors(due, penalty, cap) -> None:
    with pytest.raises(UsageError):
        parse_late_policy(due, penalty, cap)


@pytest.mark.slow
def test_late_submission_is_marked_and_penalised(repo: Path, tmp_path: Path) -> None:
    submitted = tmp_path / "submitted"
    for student, stamp in (("early", "2026-11-30 10:00:00.000000 UTC"),
                           ("late", "2026-12-02 10:00:00.000000 UTC")):
        folder = submitted / student / "activations"
        folder.mkdir(parents=True)
        shutil.copy(repo / "solutions" / "neural_network.py", folder / "neural_network.py")
        (folder / "timestamp.txt").write_text(stamp)
    out = tmp_path / "out"
    options = GradeOptions(jobs=1, late=parse_late_policy("2026-12-01T00:00", "10%/day", None))
    summary = grade(submitted, assignment_id="activations", out=out, course=repo,
                    options=options)
    assert summary.students == 2
    rows = {r["student"]: r for r in csv.DictReader(open(out / "grades.csv", newline=""))}
    assert float(rows["early"]["total"]) == 20 and float(rows["late"]["total"]) == 16
    late = json.loads((out / "late" / "results.json").read_text())
    assert late["score"] == 16 and late["extra_data"]["late"]["days"] == 2
    assert "late by 2 days" in late["output"].lower()
    assert "late by 2 days" in (out / "late" / "feedback.md").read_text()
    assert "late by 2 days" in (out / "report.html").read_text()
