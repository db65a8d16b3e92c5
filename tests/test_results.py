"""results.py: the outcome and status vocabulary, and its JSON form."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

from autograder.results import (OUTCOMES, CheckResult, CheckSpec, Outcome, Status,
                                SubmissionResult, not_graded)
from autograder.runtime import checkrun


def test_outcomes_are_the_check_runtimes_strings() -> None:
    # checkrun.py is copied to students, so its constants stay plain strings
    assert [o.value for o in Outcome] == ["passed", "failed", "error", "grader_error"]
    assert tuple(Outcome) == OUTCOMES
    assert checkrun.OUTCOMES == ("passed", "failed", "error", "grader_error")
    assert all(type(o) is str for o in checkrun.OUTCOMES)
    assert [Outcome(o) for o in checkrun.OUTCOMES] == list(Outcome)


def test_statuses_are_the_results_json_strings() -> None:
    assert [s.value for s in Status] == ["graded", "load_failed", "invalid", "grader_error"]
    assert Status.GRADED == "graded" and "invalid" == Status.INVALID
    assert {Status.LOAD_FAILED: 1}["load_failed"] == 1  # a plain string finds an enum key


def test_enums_write_as_their_value_everywhere_output_goes() -> None:
    assert f"{Outcome.PASSED}|{Status.GRADED:>7}|{Outcome.ERROR!s}" == "passed| graded|error"
    assert json.dumps([Outcome.GRADER_ERROR, {Status.INVALID: 1}]) == \
        '["grader_error", {"invalid": 1}]'
    buffer = io.StringIO()
    csv.writer(buffer).writerow([Status.LOAD_FAILED, Outcome.FAILED])
    assert buffer.getvalue() == "load_failed,failed\r\n"
    row = sqlite3.connect(":memory:").execute("SELECT ?, ?", (Status.GRADED, Outcome.PASSED))
    assert row.fetchone() == ("graded", "passed")


def test_a_result_holding_enums_serialises_as_one_holding_strings() -> None:
    spec = CheckSpec(id="c1", function="relu", points=2.0, visibility="public", nodeid="x")
    with_enums = not_graded(student="s", assignment="a", content_hash="h", specs=[spec],
                            reason="boom")
    with_enums.graded_at = "2026-11-30T00:00:00+00:00"
    as_strings = SubmissionResult.from_dict(json.loads(json.dumps(with_enums.to_dict())))
    assert as_strings.status == "grader_error" and type(as_strings.status) is str
    assert json.dumps(with_enums.to_dict()) == json.dumps(as_strings.to_dict())
    assert '"status": "grader_error"' in json.dumps(with_enums.to_dict())


def test_a_default_result_is_graded() -> None:
    result = SubmissionResult(student="s", assignment="a", content_hash="h",
                              checks=[CheckResult("c", "f", 1.0, 1.0, "public", Outcome.PASSED)])
    assert json.loads(json.dumps(result.to_dict()))["status"] == "graded"
    assert result.score == 1.0
