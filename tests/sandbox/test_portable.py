"""The portable sandbox (macOS, Windows; forced on Linux with DLGRADE_PORTABLE=1).

Two kinds of evidence, both on this Linux machine:

* the real ``dlgrade check`` run twice on the same file, once on the portable
  path and once on Linux's zygote, must give the same exit code and the same
  report, messages included;
* ``tests/simulate_platform.py`` runs ``dlgrade check`` in a fresh interpreter
  that looks like macOS or Windows (``sys.platform``, no libc, no Linux-only
  module or call: see its docstring for exactly what is and is not simulated)
  and reports any Linux-only import or call that was reached.

Nothing here runs on a real Mac or Windows machine.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.sandbox import launch

pytestmark = pytest.mark.slow
SIMULATE = Path(__file__).resolve().parents[1] / "simulate_platform.py"


SANDBOX_LINE = re.compile(r"^Your code ran in the '[\w-]+' sandbox\.$", re.MULTILINE)
FUNCTION_ROW = re.compile(r"^(\w+) +(\S+)/(\S+) points +(\d+) of (\d+) checks pass$",
                          re.MULTILINE)
TOTALS = re.compile(r"^(\d+) of (\d+) public checks passed \((\S+)/(\S+) points\)\.$",
                    re.MULTILINE)


def flat(text: str) -> str:
    """Terminal output on one line, whitespace collapsed."""
    return " ".join(text.split())


def without_sandbox_line(text: str) -> str:
    """``text`` without the line naming the sandbox (it differs by design)."""
    assert len(SANDBOX_LINE.findall(text)) == 1, text
    return SANDBOX_LINE.sub("", text)


def tables(proc: subprocess.CompletedProcess) -> str:
    """The check results, without what the student's code printed (it has
    random numbers in it) and without the line naming the sandbox."""
    return without_sandbox_line(proc.stdout).split("Your code printed:")[0]


def function_rows(stdout: str) -> dict[str, tuple[float, float, int, int]]:
    """Each function's line: name -> (points, max points, checks passed, checks)."""
    return {m[1]: (float(m[2]), float(m[3]), int(m[4]), int(m[5]))
            for m in FUNCTION_ROW.finditer(stdout)}


def totals(stdout: str) -> tuple[int, int, float, float]:
    """The last line of results: (checks passed, checks, points, max points)."""
    found = TOTALS.findall(stdout)
    assert len(found) == 1, stdout
    passed, total, got, top = found[0]
    return int(passed), int(total), float(got), float(top)


def assert_only_relu_failed(stdout: str) -> list[str]:
    """``activations``: every relu check failed, every softmax check passed, and
    the totals add up to that. Returns the messages under relu's FAILs."""
    rows = function_rows(stdout)
    assert set(rows) == {"relu", "softmax"}, stdout
    relu_got, relu_top, relu_passed, relu_checks = rows["relu"]
    soft_got, soft_top, soft_passed, soft_checks = rows["softmax"]
    assert relu_got == 0 and relu_passed == 0 and relu_checks > 0 and relu_top > 0, stdout
    assert soft_got == soft_top > 0 and soft_passed == soft_checks > 0, stdout
    assert totals(stdout) == (soft_checks, relu_checks + soft_checks, soft_got,
                              soft_top + relu_top), stdout
    fails = re.findall(r"^  FAIL (\S+)\n {7}(.*)$", stdout, re.MULTILINE)
    assert len(fails) == relu_checks, stdout  # softmax's passing checks are not listed
    assert "1 of 2 functions pass their public checks; next: relu" in stdout
    return [message for _, message in fails]


def check(work: Path, assignment: str, *paths: str,
          portable: bool) -> subprocess.CompletedProcess:
    """``dlgrade check -a ASSIGNMENT [PATH]`` in ``work``, on the chosen path."""
    env = {k: v for k, v in os.environ.items() if k != launch.PORTABLE_ENV}
    if portable:
        env[launch.PORTABLE_ENV] = "1"
    return subprocess.run([sys.executable, "-m", "autograder.cli", "check", "-a", assignment,
                           *paths], cwd=work, env=env, capture_output=True, text=True, timeout=300)


def on_both_paths(work: Path, assignment: str, *paths: str) -> subprocess.CompletedProcess:
    """Run the check on both paths; they must agree. Returns the portable run."""
    portable = check(work, assignment, *paths, portable=True)
    native = check(work, assignment, *paths, portable=False)
    assert "Traceback" not in portable.stdout + portable.stderr, portable.stderr
    assert portable.returncode == native.returncode, (portable.stdout, native.stdout)
    assert tables(portable) == tables(native)  # same checks, same messages, same points
    return portable


def with_body(source: str, function: str, body: str) -> str:
    """``source`` with the solution of ``function`` replaced by ``body``."""
    start = source.index(f"def {function}(")
    begin = source.index("### BEGIN SOLUTION\n", start) + len("### BEGIN SOLUTION\n")
    end = source.index("    ### END SOLUTION", begin)
    return source[:begin] + "".join(f"    {line}\n" for line in body.splitlines()) + source[end:]


@pytest.fixture
def work(repo: Path, tmp_path: Path) -> Path:
    """A student's copy of the template, holding the reference solution."""
    folder = tmp_path / "mine"
    shutil.copytree(repo / "student_template", folder)
    shutil.copy(repo / "solutions" / "neural_network.py", folder / "neural_network.py")
    return folder


def test_the_forced_path_really_is_the_portable_one(work: Path, reference_source: str) -> None:
    probe = "import os, sys\nprint('worker:', os.path.basename(sys.argv[0]))\n"
    (work / "neural_network.py").write_text(reference_source + probe)
    portable = check(work, "activations", portable=True)
    native = check(work, "activations", portable=False)
    assert "worker: portable_main.py" in portable.stdout  # a plain subprocess per submission
    assert "worker: zygote.py" in native.stdout  # forked by Linux's zygote


@pytest.mark.parametrize("assignment", ["activations", "toolkit"])
def test_the_reference_passes_every_check(work: Path, assignment: str) -> None:
    proc = on_both_paths(work, assignment)
    assert proc.returncode == 0, proc.stdout
    assert re.search(r"\b(\d+) of \1 public checks passed", flat(proc.stdout)), proc.stdout


def test_a_buggy_file_gets_the_same_messages(work: Path, reference_source: str) -> None:
    source = with_body(reference_source, "relu", "return np.minimum(0, Z)")
    source = with_body(source, "softmax", "raise ValueError('scores are odd')")
    source = with_body(source, "mse_loss", "return object()")
    source = source.replace("def sigmoid(", "def sigmoid_(")
    (work / "neural_network.py").write_text(source)
    proc = on_both_paths(work, "toolkit")
    text = flat(proc.stdout)
    assert proc.returncode == 1
    assert "softmax raised ValueError: scores are odd (neural_network.py, line" in text
    assert "Functions not defined in your file (check the spelling; define them at the top " \
        "level): sigmoid" in text
    assert "mse_loss returned something that is not a number" in text
    assert re.search(r"FAIL relu_course_example_3x2 relu\(Z\) on the 3x2 example", text), text


def test_a_hang_times_out_and_the_other_functions_are_graded(work: Path,
                                                             reference_source: str) -> None:
    source = with_body(reference_source, "relu", "while True:\n    pass")
    (work / "neural_network.py").write_text(source)
    proc = on_both_paths(work, "activations")
    assert proc.returncode == 1
    messages = assert_only_relu_failed(proc.stdout)  # softmax: all passed
    assert messages[0] == "relu did not finish within 5 s (an endless loop?)"
    assert all(m == "relu was not run again: it already took longer than 5 s on an earlier "
               "check" for m in messages[1:]), messages


def test_os_exit_while_loading_is_reported(work: Path, reference_source: str) -> None:
    (work / "neural_network.py").write_text(reference_source + "import os\nos._exit(3)\n")
    proc = on_both_paths(work, "activations")
    assert proc.returncode == 1
    assert ("\nYour file could not be loaded: loading ended the Python process (exit code 3; "
            "was os._exit or sys.exit called?)\n") in proc.stdout
    ran_none = re.search(r"^None of the (\d+) public checks could run\.$", proc.stdout,
                         re.MULTILINE)
    assert ran_none and int(ran_none.group(1)) > 0, proc.stdout
    assert not function_rows(proc.stdout) and "FAIL" not in proc.stdout


def test_a_segfault_fails_one_function_only(work: Path, reference_source: str) -> None:
    source = with_body(reference_source, "relu", "import ctypes\nreturn ctypes.string_at(0)")
    (work / "neural_network.py").write_text(source)
    proc = on_both_paths(work, "activations")
    assert proc.returncode == 1
    messages = assert_only_relu_failed(proc.stdout)  # restarted for softmax
    assert messages[0] == "calling relu crashed with a segmentation fault"


def test_a_notebook_is_checked_cell_by_cell(work: Path, reference_source: str) -> None:
    cells = [reference_source, "raise RuntimeError('a cell that fails')", "x = 1\n"]
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": source} for source in cells]}
    (work / "neural_network.py").unlink()
    (work / "mine.ipynb").write_text(json.dumps(notebook))
    proc = on_both_paths(work, "activations", "mine.ipynb")
    text = flat(proc.stdout)
    assert proc.returncode == 0, proc.stdout
    assert "Notebook cell 2 raised RuntimeError: a cell that fails (at <cell 2>, line 1) " \
        "(the other cells still ran)" in text
    assert re.search(r"\b(\d+) of \1 public checks passed", text), text


def test_printing_a_lot_is_capped_the_same_way(work: Path, reference_source: str) -> None:
    (work / "neural_network.py").write_text(reference_source + "print('x' * 100_000)\n")
    portable = check(work, "activations", portable=True)
    native = check(work, "activations", portable=False)
    assert portable.returncode == native.returncode == 0
    assert "[... 67233 more bytes of output not kept]" in portable.stdout  # 100001 - 32768
    assert tables(portable) == tables(native)
    printed = [without_sandbox_line(p.stdout).split("Your code printed:")[1]
               for p in (portable, native)]
    assert printed[0] == printed[1]  # the same end of the kept 32 kB, the same count of the rest
    assert "x" * 1000 in printed[0]


def test_processes_the_code_started_are_killed(work: Path, reference_source: str) -> None:
    sleeper = ("import subprocess, sys\n"
               "kept = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
               "print('sleeper', kept.pid)\n")
    (work / "neural_network.py").write_text(reference_source + sleeper)
    proc = check(work, "activations", portable=True)
    assert proc.returncode == 0, proc.stdout
    pids = [int(pid) for pid in re.findall(r"sleeper (\d+)", proc.stdout)]
    assert pids  # one per worker started
    for pid in pids:
        deadline = time.monotonic() + 10
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(pid), f"process {pid} started by the student's code survived"


def alive(pid: int) -> bool:
    """Is ``pid`` a live process (not a zombie waiting to be reaped)?"""
    try:
        with open(f"/proc/{pid}/stat") as fh:  # the test runs on Linux only
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_the_suites_check_tests_pass_on_the_portable_path(repo: Path) -> None:
    # tests/test_cli.py's `dlgrade check` tests, run again with the portable path forced
    env = {**os.environ, launch.PORTABLE_ENV: "1"}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/test_cli.py", "-k", "check"], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:]
    passed = re.search(r"(\d+) passed", proc.stdout)
    assert passed and int(passed.group(1)) >= 6, proc.stdout[-500:]  # 6 when this was written


# ------------------------------------------- macOS and Windows, simulated


def simulate(platform: str, report: Path, *args: str) -> subprocess.CompletedProcess:
    report.mkdir()
    env = {k: v for k, v in os.environ.items() if k != launch.PORTABLE_ENV}
    return subprocess.run([sys.executable, str(SIMULATE), *args[:1], platform, str(report),
                           *args[1:]], env=env, capture_output=True, text=True, timeout=300)


def reports(report: Path) -> tuple[dict, list[dict]]:
    """(the grader's report, the workers' reports)."""
    trusted = json.loads((report / "trusted.json").read_text())
    children = [json.loads(p.read_text()) for p in sorted(report.glob("child-*.json"))]
    return trusted, children


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_the_simulation_refuses_linux_only_calls(platform: str, tmp_path: Path) -> None:
    # the control: without it, an empty list of refusals would prove nothing
    proc = simulate(platform, tmp_path / "r", "control")
    assert proc.returncode == 0, proc.stderr
    control = json.loads((tmp_path / "r" / "control.json").read_text())
    expected = {"start the Linux zygote", "read /proc", "load libc", "fork", "import fcntl"}
    if platform == "win32":
        expected.add("import resource")
    assert set(control["failed"]) == expected
    assert len(control["refused"]) == len(expected)


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_check_reaches_no_linux_only_call(platform: str, work: Path, tmp_path: Path) -> None:
    proc = simulate(platform, tmp_path / "r", "trusted", "--", "check", "-a", "toolkit",
                    str(work))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    passed, total, got, top = totals(proc.stdout)
    assert passed == total > 0 and got == top > 0, proc.stdout
    assert proc.stdout.rstrip().endswith("Your code ran in the 'portable' sandbox.")
    trusted, children = reports(tmp_path / "r")
    assert trusted["platform"] == platform and trusted["refused"] == []
    assert "autograder.sandbox.portable" in trusted["dlgrade_modules"]
    assert children and all(c["platform"] == platform and c["refused"] == [] for c in children)
    child_events = {e for c in children for e in c["events"]}
    if platform == "win32":  # the Windows branches ran: its own process group, no rlimits,
        assert "CREATE_NEW_PROCESS_GROUP" in trusted["events"]
        assert child_events == {"import msvcrt"}  # crash dialogs off (msvcrt is absent here)
    else:  # POSIX: the group killed when done, rlimits set in the worker
        assert "os.killpg" in trusted["events"]
        assert child_events == {"setrlimit"}


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_a_hang_is_killed_on_other_platforms(platform: str, work: Path, tmp_path: Path,
                                             reference_source: str) -> None:
    (work / "neural_network.py").write_text(
        with_body(reference_source, "relu", "while True:\n    pass"))
    proc = simulate(platform, tmp_path / "r", "trusted", "--", "check", "-a", "activations",
                    str(work))
    text = flat(proc.stdout)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "relu did not finish within 5 s (an endless loop?)" in text
    assert assert_only_relu_failed(proc.stdout)[0] == \
        "relu did not finish within 5 s (an endless loop?)"
    trusted, children = reports(tmp_path / "r")
    assert trusted["refused"] == [] and all(c["refused"] == [] for c in children)
    assert len(children) == 2  # the hung worker was killed, a new one graded softmax
    if platform == "win32":  # killed the Windows way (taskkill.exe is absent here)
        assert {"taskkill /F /T", "TerminateProcess"} <= set(trusted["events"])
        assert "os.killpg" not in trusted["events"]
    else:
        assert "os.killpg" in trusted["events"]
