"""The `dlgrade` command as users run it: real folders, real grading runs."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder.course.assignment import list_assignments, load_assignment
from autograder.cli import main

pytestmark = pytest.mark.slow


def flat(text: str) -> str:
    """Terminal output without table borders and line wrapping."""
    return " ".join(text.replace("│", " ").replace("┃", " ").split())


def dlgrade(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def examples_run(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("examples") / "out"
    proc = dlgrade("grade", str(repo / "examples" / "submissions"), "-a", "toolkit",
                   "-o", str(out), "--timeout", "2", cwd=repo)
    return {"proc": proc, "out": out}


def test_grade_examples_exits_zero_with_a_summary(examples_run: dict) -> None:
    proc = examples_run["proc"]
    assert proc.returncode == 0, proc.stderr
    assert "graded 7 submissions of 'toolkit'" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_grades_csv_has_the_contract_columns(examples_run: dict, repo: Path) -> None:
    with open(examples_run["out"] / "grades.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    checks = json.loads((examples_run["out"] / "alice" / "results.json").read_text())["tests"]
    # the contract columns, unchanged and first; added columns come after them
    assert header[:len(checks) + 3] == ["student", *[t["name"] for t in checks], "total",
                                        "max_total"]
    assert header[len(checks) + 3:] == ["entry", "raw_total", "late_penalty_percent",
                                        "days_late", "submitted_at", "late_status"]
    assert [r[0] for r in rows[1:]] == ["alice", "bob", "carol", "dan", "eve", "frank", "grace"]
    assignment = load_assignment(repo, "toolkit")
    by_student = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    alice = by_student["alice"]
    assert float(alice["total"]) == assignment.total_points  # the reference: full marks
    assert float(alice["max_total"]) == assignment.total_points
    assert by_student["bob"]["entry"] == "bob.py" and alice["entry"] == "alice"


def test_every_results_json_lists_every_check(examples_run: dict, repo: Path) -> None:
    functions = set(load_assignment(repo, "toolkit").functions)
    names = None
    for student_dir in sorted(p for p in examples_run["out"].iterdir() if p.is_dir()):
        data = json.loads((student_dir / "results.json").read_text())
        assert isinstance(data["score"], (int, float))
        assert isinstance(data["execution_time"], (int, float))
        these = [t["name"] for t in data["tests"]]
        names = names or these
        assert these == names, f"{student_dir.name}: a different list of checks"
        for test in data["tests"]:
            assert {"name", "score", "max_score", "status", "visibility", "output",
                    "tags"} <= set(test)
            assert test["tags"][0] in functions
            assert test["status"] in ("passed", "failed")


def test_feedback_names_bobs_mistake_and_only_softmax_loses(examples_run: dict) -> None:
    data = json.loads((examples_run["out"] / "bob" / "results.json").read_text())
    lost = {t["tags"][0] for t in data["tests"] if t["score"] < t["max_score"]}
    assert lost == {"softmax"}
    feedback = (examples_run["out"] / "bob" / "feedback.md").read_text()
    # the cause first; the fix is the hint, under the failed check
    assert "**Likely cause:** your softmax normalises each column (axis=0), not each row." \
        in feedback
    assert "Each row is one sample: take the maximum and the sum along axis=1." in feedback


def test_cheater_and_broken_files(examples_run: dict) -> None:
    out = examples_run["out"]
    eve = json.loads((out / "eve" / "results.json").read_text())
    softmax = [t for t in eve["tests"] if t["tags"][0] == "softmax"]
    # patching numpy gains nothing: her softmax (global sum) keeps only the few
    # points such a bug earns anyway (one-row input, values in range)
    assert sum(t["score"] for t in softmax) <= 0.3 * sum(t["max_score"] for t in softmax)
    frank = json.loads((out / "frank" / "results.json").read_text())
    assert frank["score"] == 0 and "SyntaxError" in frank["output"]
    grace = json.loads((out / "grace" / "results.json").read_text())
    lost = {t["tags"][0] for t in grace["tests"] if t["score"] < t["max_score"]}
    assert lost == {"gradient_descent"}  # the endless loop costs only that function
    carol = (out / "carol" / "feedback.md").read_text()
    assert "NameError" in carol  # the failing notebook cell is reported


def test_regrading_reuses_unchanged_submissions(repo: Path, tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(repo / "examples" / "submissions" / "bob.py", subs / "bob.py")
    shutil.copy(repo / "solutions" / "neural_network.py", subs / "ann.py")
    args = ["grade", str(subs), "-a", "activations", "-o", str(tmp_path / "out")]
    first = dlgrade(*args, cwd=repo)
    assert "2 graded, 0 unchanged" in first.stdout, first.stderr
    (subs / "ann.py").write_text((subs / "ann.py").read_text() + "\n# edited\n")
    second = dlgrade(*args, cwd=repo)
    assert "1 graded, 1 unchanged" in second.stdout
    third = dlgrade(*args, "--force", cwd=repo)
    assert "2 graded, 0 unchanged" in third.stdout
    export = dlgrade("export", "--gradebook", str(tmp_path / "out" / "gradebook.db"),
                     "-o", str(tmp_path / "all.csv"))
    assert export.returncode == 0
    rows = list(csv.reader(open(tmp_path / "all.csv", newline="")))
    assert rows[0][0] == "student" and len(rows) == 3


def test_reference_scores_full_marks_on_every_assignment(repo: Path, tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(repo / "solutions" / "neural_network.py", subs / "reference.py")
    for assignment_id in list_assignments(repo):
        out = tmp_path / assignment_id
        proc = dlgrade("grade", str(subs), "-a", assignment_id, "-o", str(out), cwd=repo)
        assert proc.returncode == 0, proc.stderr
        data = json.loads((out / "reference" / "results.json").read_text())
        assert data["score"] == load_assignment(repo, assignment_id).total_points, [
            (t["name"], t["output"]) for t in data["tests"] if t["status"] != "passed"]


@pytest.mark.parametrize("args, message", [
    (["grade", "nowhere", "-a", "toolkit", "-o", "x"], "is not a folder of submissions"),
    (["grade", "examples/submissions", "-a", "nope", "-o", "x"], "unknown assignment 'nope'"),
    (["grade", "examples/submissions", "-a", "toolkit", "-o", "x", "--late-penalty", "5%/day"],
     "--late-penalty needs --due"),
    (["grade", "examples/submissions", "-a", "toolkit", "-o", "x", "--due", "2026-12-01",
      "--late-cap", "50%"], "--late-cap needs --late-penalty"),
    (["grade", "examples/submissions", "-a", "toolkit", "-o", "x", "--due", "2026-12-01",
      "--tz", "Nowhere/City"], "--tz 'Nowhere/City' is not a time zone"),
    (["grade", "examples/submissions", "-a", "toolkit", "-o", "examples/submissions/out"],
     "is inside SUBMISSIONS"),
    (["grade", "examples/submissions", "-a", "toolkit", "-o", "x", "--gradebook",
      "examples/submissions/out/gb.db"], "--gradebook 'examples/submissions/out/gb.db' is "
     "inside SUBMISSIONS 'examples/submissions'; keep it elsewhere"),
])
def test_usage_errors_are_one_line_and_exit_2(repo: Path, tmp_path: Path, args: list[str],
                                              message: str, monkeypatch) -> None:
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, [a.replace("x", str(tmp_path / "o")) if a == "x" else a
                                       for a in args])
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "Traceback" not in result.output
    assert not (repo / "examples" / "submissions" / "out").exists()


def test_no_course_is_a_usage_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "subs").mkdir()
    result = CliRunner().invoke(main, ["grade", "subs", "-a", "toolkit", "-o", "out"])
    assert result.exit_code == 2 and "no course found" in result.output


def test_check_in_the_student_template(repo: Path, tmp_path: Path) -> None:
    work = tmp_path / "mine"
    shutil.copytree(repo / "student_template", work)
    stub = dlgrade("check", "-a", "activations", cwd=work)
    assert stub.returncode == 1
    assert "not written yet" in flat(stub.stdout) and "Traceback" not in stub.stdout + stub.stderr
    assert "hidden" in stub.stdout  # says plainly that hidden checks run at grading
    shutil.copy(repo / "solutions" / "neural_network.py", work / "neural_network.py")
    for assignment_id in ("activations", "toolkit"):
        done = dlgrade("check", "-a", assignment_id, cwd=work)
        assert done.returncode == 0, done.stdout


@pytest.mark.parametrize("source, message", [
    ("def relu(:\n", "SyntaxError"),
    ("import not_a_module\n", "ModuleNotFoundError"),
    ("import numpy as np\ndef relu(Z):\n    raise ValueError('oops')\n", "relu raised ValueError"),
    ("import numpy as np\n", "not defined in your file"),
])
def test_check_with_a_broken_file_gives_one_clear_line(repo: Path, tmp_path: Path, source: str,
                                                       message: str) -> None:
    work = tmp_path / "mine"
    shutil.copytree(repo / "student_template", work)
    (work / "neural_network.py").write_text(source)
    proc = dlgrade("check", "-a", "activations", cwd=work)
    assert proc.returncode == 1
    assert message in flat(proc.stdout)
    assert "Traceback" not in proc.stdout + proc.stderr


# ------------------------------------------------------------------ odd classes (issue 8)


def rows_of(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {r["student"]: r for r in csv.DictReader(handle)}


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_out_inside_submissions_is_refused_and_changes_no_score(repo: Path,
                                                                tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(repo / "examples" / "submissions" / "bob.py", subs / "bob.py")
    shutil.copy(repo / "solutions" / "neural_network.py", subs / "ann.py")
    graded = tmp_path / "graded"
    first = dlgrade("grade", "subs", "-a", "activations", "-o", "graded", "--course", str(repo),
                    cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    before = rows_of(graded / "grades.csv")
    assert sorted(before) == ["ann", "bob"] and before["ann"]["total"] == "20"
    files = listing(subs)
    (tmp_path / "link").symlink_to(subs, target_is_directory=True)
    # the sequences: -o subs twice, -o subs/out, and their mirror images
    for out, message in [
        ("subs", "dlgrade: error: OUT 'subs' is the SUBMISSIONS folder; write the results "
                 "elsewhere (e.g. -o graded)"),
        ("subs", "dlgrade: error: OUT 'subs' is the SUBMISSIONS folder; write the results "
                 "elsewhere (e.g. -o graded)"),
        ("subs/out", "dlgrade: error: OUT 'subs/out' is inside SUBMISSIONS 'subs' and would "
                     "be graded as a student next time; write the results elsewhere"),
        ("link/out", "dlgrade: error: OUT 'link/out' is inside SUBMISSIONS 'subs' and would "
                     "be graded as a student next time; write the results elsewhere"),
        (".", "dlgrade: error: SUBMISSIONS 'subs' is inside OUT '.'; keep submissions and "
              "results in separate folders"),
    ]:
        proc = dlgrade("grade", "subs", "-a", "activations", "-o", out, "--course", str(repo),
                       cwd=tmp_path)
        assert (proc.returncode, proc.stderr.strip(), proc.stdout) == (2, message, "")
    assert listing(subs) == files  # nothing was written into SUBMISSIONS
    again = dlgrade("grade", "subs", "-a", "activations", "-o", "graded", "--course",
                    str(repo), cwd=tmp_path)
    assert "graded 2 submissions" in again.stdout and "0 graded, 2 unchanged" in again.stdout
    assert rows_of(graded / "grades.csv") == before  # no score changed, no fake student
    export = dlgrade("export", "--gradebook", str(graded / "gradebook.db"), "-o", "all.csv",
                     cwd=tmp_path)
    assert export.returncode == 0
    exported = rows_of(tmp_path / "all.csv")
    assert sorted(exported) == ["ann", "bob"] and exported["ann"]["activations (20)"] == "20"


def test_odd_names_get_readable_unique_ids_recorded_everywhere(repo: Path,
                                                                tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    (subs / "s1").mkdir(parents=True)
    reference = repo / "solutions" / "neural_network.py"
    bob = repo / "examples" / "submissions" / "bob.py"  # softmax over the wrong axis
    shutil.copy(reference, subs / "s1" / "neural_network.py")
    shutil.copy(bob, subs / "s1.py")
    shutil.copy(reference, subs / "s1-2.py")
    shutil.copy(reference, subs / "José García.py")
    shutil.copy(reference, subs / "李.py")
    shutil.copy(bob, subs / "+1+1.py")
    shutil.copy(reference, subs / "a:b.py")
    shutil.copy(reference, subs / os.fsdecode(b"caf\xe9.py"))  # a Latin-1 name: not UTF-8
    (subs / ".DS_Store").write_text("")
    out = tmp_path / "out"
    proc = dlgrade("grade", str(subs), "-a", "activations", "-o", str(out), cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "graded 8 submissions" in proc.stdout
    assert proc.stdout.rstrip().endswith(
        "; 3 renamed: a:b.py -> a_b, caf\ufffd.py -> caf_, s1.py -> s1-3; 1 skipped: .DS_Store")
    rows = rows_of(out / "grades.csv")
    assert {k: (v["entry"], v["total"]) for k, v in rows.items()} == {
        "'+1+1": ("'+1+1.py", "11"), "a_b": ("a:b.py", "20"), "s1": ("s1", "20"),
        "s1-2": ("s1-2.py", "20"), "s1-3": ("s1.py", "11"),
        "José García": ("José García.py", "20"), "李": ("李.py", "20"),
        "caf_": ("caf\ufffd.py", "20")}
    for student, entry in [("s1-3", "s1.py"), ("José García", "José García.py"),
                           ("李", "李.py"), ("+1+1", "+1+1.py")]:
        extra = json.loads((out / student / "results.json").read_text("utf-8"))["extra_data"]
        assert (extra["student"], extra["entry"]) == (student, entry)
    assert "Feedback for **José García**" in (out / "José García" / "feedback.md").read_text()
    report = (out / "report.html").read_text("utf-8")
    assert "Renamed entries" in report
    assert "s1.py -&gt; s1-3 (&#x27;s1&#x27; is already the id of s1)" in report
    assert "<li>.DS_Store</li>" in report
    export = dlgrade("export", "--gradebook", str(out / "gradebook.db"), "-o",
                     str(tmp_path / "all.csv"))
    assert export.returncode == 0
    exported = rows_of(tmp_path / "all.csv")
    assert exported["s1-3"]["entry"] == "s1.py" and exported["'+1+1"]["entry"] == "'+1+1.py"
    assert exported["李"]["activations (20)"] == "20"


def test_late_work_says_what_it_decided(repo: Path, tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("early.py", "late.py", "garbled.py", "silent.py"):
        shutil.copy(repo / "solutions" / "neural_network.py", subs / name)
    times = tmp_path / "times.csv"
    times.write_text("student,submitted_at\nearly.py,2026-12-01 23:30\n"
                     "late,2026-12-03T09:00:00+01:00\ngarbled,the day after\n"
                     "zoe,2026-12-01 10:00\n")
    out = tmp_path / "out"
    proc = dlgrade("grade", str(subs), "-a", "activations", "-o", str(out), "--due",
                   "2026-12-01", "--tz", "Europe/Paris", "--times", str(times),
                   "--late-penalty", "10%/day", "--late-cap", "50%", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.rstrip().endswith(
        "; due 2026-12-01 23:59:59+01:00 (Europe/Paris): 1 late, 1 with no submission time, "
        "1 with an unreadable submission time, 1 unknown in --times (zoe)")
    rows = rows_of(out / "grades.csv")
    assert {k: (v["total"], v["raw_total"], v["late_penalty_percent"], v["days_late"],
                v["late_status"]) for k, v in rows.items()} == {
        "early": ("20", "20", "0", "0", "on time"),
        "late": ("16", "20", "20", "2", "late"),
        "garbled": ("20", "20", "0", "0", "unreadable submission time"),
        "silent": ("20", "20", "0", "0", "no submission time")}
    report = (out / "report.html").read_text("utf-8")
    assert "times without a zone are read in Europe/Paris" in report
    assert "No submission time (not penalised; check by hand): silent." in report
    assert "times.csv: &#x27;the day after&#x27; is not a date and time" in report
    assert "In --times but not among the submissions: zoe." in report
    export = dlgrade("export", "--gradebook", str(out / "gradebook.db"), "-o",
                     str(tmp_path / "all.csv"))
    assert export.returncode == 0
    late = rows_of(tmp_path / "all.csv")["late"]
    assert (late["activations (20)"], late["activations raw"],
            late["activations late penalty %"], late["activations days late"]) == (
        "16", "20", "20", "2")
    # a later run without --due puts the raw grade back, in the export too
    plain = dlgrade("grade", str(subs), "-a", "activations", "-o", str(out), cwd=repo)
    assert "0 graded, 4 unchanged" in plain.stdout
    assert rows_of(out / "grades.csv")["late"]["total"] == "20"
    dlgrade("export", "--gradebook", str(out / "gradebook.db"), "-o", str(tmp_path / "all.csv"))
    assert rows_of(tmp_path / "all.csv")["late"]["activations (20)"] == "20"
