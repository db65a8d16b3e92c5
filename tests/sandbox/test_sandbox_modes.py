"""Which sandbox mode runs, through the real commands: a named mode that is
not available is an error (never silently weaker), ``auto`` refuses to grade
with ``basic`` only unless asked, and ``landlock`` needs what its unprivileged
worker uid must reach.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import pytest
from sandbox_users import ensure_test_user, python_paths, traversable

from autograder.sandbox import seccomp
from autograder.sandbox.modes import SandboxMode, probe

SECCOMP = str(Path(seccomp.__file__))


def dlgrade(*args: str, refuse: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real command, optionally under the test seccomp filter."""
    command = [sys.executable, "-m", "autograder.cli", *args]
    if refuse:
        command = [sys.executable, SECCOMP, refuse, *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=cwd)


@pytest.fixture()
def reachable_python() -> Iterator[None]:
    """Unprivileged worker uids must reach Python (under /root on the CI machine)."""
    with traversable(python_paths()):
        yield


@pytest.fixture()
def one_submission(tmp_path: Path, reference_source: str) -> Path:
    (tmp_path / "subs" / "alice").mkdir(parents=True)
    (tmp_path / "subs" / "alice" / "neural_network.py").write_text(reference_source)
    return tmp_path / "subs"


def test_forced_mode_that_is_unavailable_is_an_error(one_submission: Path, repo: Path) -> None:
    """Never silently weaker: with namespaces refused, --sandbox namespaces stops."""
    out = one_submission.parent / "out"
    proc = dlgrade("grade", str(one_submission), "-a", "activations", "-o", str(out),
                   "--course", str(repo), "--sandbox", "namespaces", refuse="refuse-namespaces")
    assert proc.returncode == 2
    assert proc.stderr.startswith("dlgrade: error: --sandbox namespaces is not available "
                                  "here: namespaces: the kernel refused new namespaces")
    assert len(proc.stderr.strip().splitlines()) == 1 and not out.exists()
    proc = dlgrade("check", str(one_submission / "alice"), "--course", str(repo), "-a",
                   "activations", "--sandbox", "userns", refuse="refuse-namespaces")
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("dlgrade: error: --sandbox userns is not available here: "
                                   "userns: this kernel does not allow user namespaces")


def test_grade_refuses_basic_unless_asked(one_submission: Path, repo: Path) -> None:
    """No namespaces, no Landlock (an old kernel, macOS): grading stops with
    one line; --sandbox basic grades and the report lists what is missing."""
    out = one_submission.parent / "out"
    args = ["grade", str(one_submission), "-a", "activations", "-o", str(out), "--course",
            str(repo)]
    proc = dlgrade(*args, refuse="refuse-namespaces+landlock")
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert proc.stderr.startswith("dlgrade: error: no sandbox stronger than 'basic' is "
                                  "available here")
    assert "pass --sandbox basic to accept the risk knowingly" in proc.stderr
    assert not out.exists()
    proc = dlgrade(*args, "--sandbox", "basic", refuse="refuse-namespaces+landlock")
    assert proc.returncode == 0, proc.stderr
    assert "sandbox: basic;" in proc.stdout
    assert proc.stderr.startswith("dlgrade: warning: --sandbox basic: student code was not "
                                  "isolated")
    report = (out / "report.html").read_text()
    for gap in ("missing: file isolation", "missing: network isolation",
                "missing: PID namespace", "missing: seccomp filter", "missing: Landlock",
                "missing: unprivileged uid"):
        assert gap in report, gap


def test_check_runs_what_is_available_and_says_so(one_submission: Path, repo: Path) -> None:
    proc = dlgrade("check", str(one_submission / "alice"), "--course", str(repo), "-a",
                   "activations", refuse="refuse-namespaces+landlock")
    assert proc.returncode == 0, proc.stderr
    assert "Your code ran in the 'basic' sandbox (no strong isolation here" in proc.stdout


def test_auto_picks_the_strongest_mode_here() -> None:
    expected = "namespaces" if os.geteuid() == 0 else "userns"
    assert probe(SandboxMode.AUTO) == (expected, "")
    assert probe(SandboxMode.BASIC) == ("basic", "")


def test_a_class_inside_the_python_installation_is_refused(
        repo: Path, reference_source: str, tmp_path: Path) -> None:
    """Student code may read the Python installation in every mode, so a class
    kept inside it would not be hidden: grading stops with one line."""
    from autograder.grading.engine import grade
    from autograder.options import GradeOptions
    from autograder.errors import UsageError

    inside = Path(tempfile.mkdtemp(prefix="dlgrade-test-class-", dir=sys.prefix))
    try:
        (inside / "alice").mkdir()
        (inside / "alice" / "neural_network.py").write_text(reference_source)
        with pytest.raises(UsageError, match="which the sandbox lets student code read"):
            grade(inside, assignment_id="activations", out=tmp_path / "out", course=repo)
        assert not (tmp_path / "out").exists()
        with pytest.raises(UsageError, match="unknown sandbox mode 'strong'"):
            grade(inside, assignment_id="activations", out=tmp_path / "out", course=repo,
                  options=GradeOptions(sandbox="strong"))  # type: ignore[arg-type]
    finally:
        shutil.rmtree(inside)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root drops workers to another uid")
def test_landlock_as_root_needs_a_temp_folder_the_worker_uid_can_use(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reachable_python: None) -> None:
    """A worker that could not use its folder would fail every student: the
    mode is refused up front, with the reason, instead."""
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    monkeypatch.setenv("TMPDIR", str(private))
    assert probe(SandboxMode.LANDLOCK) == ("", (
        f"landlock: the temp folder ({private}) is not writable by an unprivileged uid: "
        "set TMPDIR to a folder every user can write (like /tmp)"))
    shared = Path(tempfile.mkdtemp(prefix="sandbox-shared-", dir="/tmp"))
    try:
        os.chmod(shared, 0o1777)  # like /tmp itself
        monkeypatch.setenv("TMPDIR", str(shared))
        assert probe(SandboxMode.LANDLOCK) == ("landlock", "")
    finally:
        shared.rmdir()


@pytest.mark.skipif(os.geteuid() != 0, reason="creating the ordinary test user needs root")
def test_student_without_user_namespaces_gets_landlock(repo: Path, reference_source: str) -> None:
    """An ordinary user whose kernel refuses user namespaces (Ubuntu 24.04's
    default, simulated by the seccomp filter): ``dlgrade check`` picks
    landlock by itself and says so."""
    user = ensure_test_user()
    folder = Path(tempfile.mkdtemp(prefix="student-check-"))
    try:
        shutil.copytree(repo / "student_template", folder / "template")
        (folder / "template" / "neural_network.py").write_text(reference_source)
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, user.pw_uid, user.pw_gid)
        command = [sys.executable, SECCOMP, "refuse-namespaces", sys.executable, "-m",
                   "autograder.cli", "check", "-a", "activations"]
        env = dict(os.environ, HOME=user.pw_dir, USER=user.pw_name, TMPDIR="/tmp",
                   PYTHONDONTWRITEBYTECODE="1")
        with traversable(python_paths()):
            proc = subprocess.run(command, cwd=folder / "template", env=env,
                                  capture_output=True, text=True, timeout=300,
                                  user=user.pw_uid, group=user.pw_gid, extra_groups=[])
        assert proc.returncode == 0, proc.stderr
        assert re.search(r"\b(\d+) of \1 public checks passed", proc.stdout)
        assert proc.stdout.rstrip().endswith("Your code ran in the 'landlock' sandbox.")
    finally:
        shutil.rmtree(folder)
