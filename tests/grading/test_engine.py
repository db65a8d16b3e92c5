"""Late work: nbgrader's timestamp.txt or --times against --due, penalised in every
report and export; and where OUT may be."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from autograder.grading.engine import grade
from autograder.options import GradeOptions
from autograder.errors import UsageError
from autograder.grading.late import parse_late_policy, parse_timestamp, read_times


def test_parse_timestamps_of_nbgrader_and_iso() -> None:
    stamp = parse_timestamp("2026-11-28 17:00:00.123456 UTC")
    assert stamp == dt.datetime(2026, 11, 28, 17, 0, 0, 123456, tzinfo=dt.timezone.utc)
    assert parse_timestamp("2026-12-01T23:59") is not None
    assert parse_timestamp("yesterday") is None


def test_policy_counts_started_days_and_caps() -> None:
    policy = parse_late_policy("2026-12-01T00:00", "10%/day", "25%", tz="UTC")
    assert policy is not None
    assert policy.assess("2026-11-30 12:00:00 UTC")["status"] == "on time"
    assert policy.assess("2026-12-01 00:00:01 UTC")["days"] == 1
    late = policy.assess("2026-12-03 01:00:00 UTC")
    assert late["status"] == "late"
    assert late["days"] == 3 and late["penalty"] == 0.25  # 30%, capped at 25%
    # no time, or a time that cannot be read, is never quietly on time
    assert policy.assess("") == {"status": "no submission time",
                                 "due": "2026-12-01 00:00:00+00:00"}
    assert policy.assess("last tuesday") == {
        "status": "unreadable submission time", "due": "2026-12-01 00:00:00+00:00",
        "note": "timestamp.txt: 'last tuesday' is not a date and time"}


def test_a_date_alone_is_the_end_of_that_day_in_the_chosen_zone() -> None:
    policy = parse_late_policy("2026-12-01", None, None, tz="Europe/Paris")
    assert policy is not None and policy.zone == "Europe/Paris"
    assert policy.due.isoformat() == "2026-12-01T23:59:59.999999+01:00"
    # 22:30 UTC is 23:30 in Paris: on time; 23:30 UTC is 00:30 the next day: late
    assert policy.assess("2026-12-01T22:30:00Z")["status"] == "on time"
    assert policy.assess("2026-12-01T23:30:00Z")["days"] == 1
    # a time without a zone is read in the same zone as the deadline
    assert policy.assess("2026-12-01 23:59:00")["status"] == "on time"


def test_the_default_zone_is_the_machines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    policy = parse_late_policy("2026-12-01", None, None)
    assert policy is not None and policy.zone == "Asia/Tokyo"
    assert policy.due.isoformat() == "2026-12-01T23:59:59.999999+09:00"


@pytest.mark.parametrize("due, penalty, cap, extra, message", [
    (None, "10%/day", None, {}, "--late-penalty needs --due"),
    ("soon", None, None, {}, "--due 'soon' is not a date or a date and time"),
    ("2026-12-01", "ten", None, {}, "--late-penalty 'ten' must look like 10%/day"),
    ("2026-12-01", "10%/day", "lots", {}, "--late-cap 'lots' must look like 50%"),
    ("2026-12-01", None, "50%", {}, "--late-cap needs --late-penalty"),
    (None, None, None, {"tz": "Europe/Paris"}, "--tz needs --due"),
    (None, None, None, {"times": Path("times.csv")}, "--times needs --due"),
    ("2026-12-01", None, None, {"tz": "Mars/Olympus"}, "--tz 'Mars/Olympus' is not a time zone"),
])
def test_bad_policies_are_usage_errors(due, penalty, cap, extra, message) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        parse_late_policy(due, penalty, cap, **extra)


def test_times_csv_is_read_as_lms_exports_give_it(tmp_path: Path) -> None:
    good = tmp_path / "times.csv"
    good.write_bytes("\ufeffStudent,Submitted_At,Email\r\nJose\u0301,2026-12-02 10:00,j@x\r\n"
                     "bob,,b@x\r\n".encode())  # Excel's BOM, CRLF, NFD, another column
    assert read_times(good) == {"Jos\u00e9": "2026-12-02 10:00", "bob": ""}
    twice = tmp_path / "twice.csv"
    twice.write_text("student,submitted_at\nbob,2026-12-01\nann,2026-12-01\nbob,2026-12-02\n")
    with pytest.raises(UsageError, match="lists 'bob' twice \\(lines 2 and 4\\)"):
        read_times(twice)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("name,time\nbob,2026-12-01\n")
    with pytest.raises(UsageError, match="needs the columns student,submitted_at"):
        read_times(wrong)


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
    options = GradeOptions(jobs=1, late=parse_late_policy("2026-12-01T00:00", "10%/day", None,
                                                          tz="UTC"))
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


def test_unseeded_student_randomness_gives_the_same_feedback_on_every_regrade(
        repo: Path, tmp_path: Path) -> None:
    """A gradient_descent that shuffles with np.random (never seeded) and has a bug:
    its failure messages quote losses that depend on the shuffle, so two grading runs
    of the same file must give the same messages."""
    reference = (repo / "solutions" / "neural_network.py").read_text()
    snippet = (repo / "tests" / "corpus" / "buggy" / "gd_unshuffled_y.py").read_text()
    assert "np.random.permutation" in snippet
    submitted = tmp_path / "class"
    submitted.mkdir()
    (submitted / "student.py").write_text(f"{reference}\n\n{snippet}")
    outputs = []
    for run in ("first", "second"):
        grade(submitted, assignment_id="toolkit", out=tmp_path / run, course=repo,
              options=GradeOptions(jobs=1))
        outputs.append([(c["name"], c["score"], c["output"]) for c in json.loads(
            (tmp_path / run / "student" / "results.json").read_text())["tests"]])
    lost = [name for name, score, _ in outputs[0] if name.startswith("gd_") and score == 0]
    assert lost, "the corpus bug should lose gradient_descent points"
    assert outputs[0] == outputs[1]
