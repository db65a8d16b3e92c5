"""The sandbox runs real student code in real worker processes.

One zygote serves the whole module (as in a grading session). Each test
loads a small submission and calls it through the same proxy checks use.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pytest
from sandbox_users import ensure_test_user, python_paths, traversable

from autograder.sandbox import helpers, landlock, seccomp
from autograder.sandbox.client import Limits, Zygote
from autograder.sandbox.modes import SandboxMode, probe
from autograder.grading.student import SandboxRunner, Student, StudentError

SECCOMP = str(Path(seccomp.__file__))

SPEC = {"kind": "py", "module": "neural_network", "entry": "neural_network.py"}
LIMITS = Limits(call_timeout=1.5, import_timeout=3)


@pytest.fixture(scope="module")
def zygote() -> Iterator[Zygote]:
    z = Zygote(job=5)
    yield z
    z.close()


def load(zygote: Zygote, source: str, **spec) -> tuple[SandboxRunner, Student]:
    runner = SandboxRunner(zygote, files={"neural_network.py": source},
                           spec={**SPEC, **spec}, limits=LIMITS)
    runner.start()
    return runner, Student(runner)


def test_calls_cross_as_plain_data(zygote: Zygote, reference_source: str) -> None:
    runner, student = load(zygote, reference_source)
    Z = np.array([[-1.0, 2.0], [3.0, -4.0]])
    assert np.array_equal(student.relu(Z), [[0, 2], [3, 0]])
    assert np.allclose(student.softmax(Z).sum(axis=1), 1)
    # callables cross by name: a student function and a public helper
    X = np.ones((4, 2))
    params = {"W": np.ones((2, 1)), "b": np.zeros((1, 1))}
    grads = student.numerical_gradient(X, np.zeros((4, 1)), params, student.mse_loss,
                                       helpers.linear_forward)
    assert set(grads) == {"W", "b"} and np.allclose(grads["b"], 4.0, atol=1e-4)
    runner.close()


def test_in_place_changes_are_written_back(zygote: Zygote) -> None:
    runner, student = load(zygote, "def relu(Z):\n    Z[Z < 0] = 0\n    return Z\n")
    Z = np.array([-1.0, 2.0])
    student.relu(Z)
    assert Z.tolist() == [0.0, 2.0]  # as if the function had run here
    runner.close()


def test_replaced_dict_entries_are_written_back(zygote: Zygote) -> None:
    source = ("import numpy as np\ndef nudge(params):\n    params['W'] = params['W'] + 1\n"
              "    params['b'] = np.zeros(3)\n    return None\n")
    runner, student = load(zygote, source)
    params = {"W": np.zeros((2, 1)), "b": np.zeros(1)}
    student.nudge(params)
    assert params["W"].tolist() == [[1.0], [1.0]]  # a new array with the same shape
    assert params["b"].shape == (3,)  # a new array of another shape replaces the entry
    runner.close()


def test_an_import_the_zygote_had_not_loaded_works(zygote: Zygote) -> None:
    source = ("import fractions, decimal, statistics, json\n"
              "def mse_loss(a, b):\n    return float(statistics.mean([1.0, 3.0]))\n")
    runner, student = load(zygote, source)
    assert runner.import_error is None
    assert student.mse_loss(1, 2) == 2.0
    runner.close()


def test_worker_sees_only_its_own_files(zygote: Zygote, repo: Path) -> None:
    if zygote.mode != "namespaces":
        pytest.skip("file isolation needs the namespace sandbox (root)")
    solution = str(repo / "solutions" / "neural_network.py")
    source = (f"import os\ndef probe():\n    return [os.path.exists({solution!r}), "
              f"os.path.exists({str(repo / 'assignments')!r}), sorted(os.listdir('.')), "
              "os.getuid(), os.path.exists('/etc/shadow')]\n")
    runner, student = load(zygote, source)
    solution_visible, checks_visible, files, uid, shadow = student.probe()
    assert not solution_visible and not checks_visible and not shadow
    assert files == ["neural_network.py"]
    assert uid != 0
    runner.close()


def test_timeout_fails_that_function_only(zygote: Zygote) -> None:
    source = "def softmax(Z):\n    while True:\n        pass\ndef relu(Z):\n    return Z\n"
    runner, student = load(zygote, source)
    with pytest.raises(StudentError, match="did not finish") as info:
        student.softmax(1)
    assert info.value.kind == "timeout"
    assert student.relu(3) == 3  # a fresh worker serves the others
    with pytest.raises(StudentError, match="not run again"):
        student.softmax(1)  # no second wait for a function that hung
    runner.close()


def test_crash_is_described_and_recovered(zygote: Zygote) -> None:
    source = ("import ctypes, os\ndef boom():\n    ctypes.string_at(0xdead0000000, 8)\n"
              "def leave():\n    os._exit(3)\ndef ok():\n    return 1\n")
    runner, student = load(zygote, source)
    with pytest.raises(StudentError, match="segmentation fault"):
        student.boom()
    with pytest.raises(StudentError, match="exit code 3"):
        student.leave()
    assert student.ok() == 1
    runner.close()


def test_import_failure_is_reported_once(zygote: Zygote) -> None:
    runner, student = load(zygote, "import sys\nprint('bye')\nsys.exit(0)\n")
    assert runner.import_error and "sys.exit(0)" in runner.import_error
    for _ in range(3):
        with pytest.raises(StudentError) as info:
            student.relu(1)
        assert info.value.kind == "import"
    assert runner.restarts == 0  # the import was not retried
    assert "bye" in runner.close()


def test_hanging_import_times_out(zygote: Zygote) -> None:
    runner, student = load(zygote, "while True:\n    pass\n")
    assert runner.import_error and "did not finish" in runner.import_error
    runner.close()


def test_notebook_cells_run_one_by_one(zygote: Zygote) -> None:
    cells = ["import numpy as np\n%matplotlib inline\n!pip install nothing",
             "def relu(Z):\n    return np.maximum(0, Z)",
             "undefined_name + 1",
             "def relu(Z):\n    return np.maximum(0, Z) * 1.0  # the last definition wins",
             "def softmax(Z):\n    return Z"]
    runner, student = load(zygote, "", kind="cells", cells=cells)
    assert [c["cell"] for c in runner.cell_errors] == [3]
    assert runner.cell_errors[0]["type"] == "NameError"
    assert student.relu(-2.0) == 0.0
    assert "softmax" in runner.defined
    runner.close()


def test_output_is_captured_with_a_cap(zygote: Zygote) -> None:
    source = "def talk():\n    print('x' * 100_000)\n    return 1\n"
    runner, student = load(zygote, source)
    assert student.talk() == 1
    output = runner.close()
    assert len(output) < LIMITS.output_cap + 200 and "not kept" in output


def test_memory_limit_turns_a_bomb_into_an_error(zygote: Zygote) -> None:
    runner, student = load(zygote, "import numpy as np\ndef hog():\n"
                                   "    return np.ones((1024, 1024, 1024)).sum()\n")
    with pytest.raises(StudentError, match="MemoryError"):
        student.hog()
    runner.close()


def test_basic_mode_still_grades(reference_source: str, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Without namespaces (an instructor's laptop, not root) grading still works."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the zygote's temp folders go there
    z = Zygote(job=6, mode="basic")
    try:
        assert z.mode == "basic"
        assert "network namespace (no network)" not in z.protections
        runner, student = load(z, reference_source)
        assert np.array_equal(student.relu(np.array([-1.0, 1.0])), [0.0, 1.0])
        runner.close()
    finally:
        z.close()
    assert not any(n.startswith("dlgrade-student-") for n in os.listdir(tmp_path))


def test_user_namespace_mode_isolates_without_root(reference_source: str, repo: Path) -> None:
    """The layers an ordinary user gets on a kernel with user namespaces
    (forced here, since the suite may run as root)."""
    if probe(SandboxMode.USERNS)[0] != "userns":
        pytest.skip("this kernel does not allow user namespaces")
    z = Zygote(job=7, mode="userns")
    try:
        assert z.mode == "userns"
        assert "network namespace (no network)" in z.protections
        source = reference_source + (
            f"\nimport os\ndef probe():\n    return [os.path.exists({str(repo / 'assignments')!r}),"
            " os.getpid()]\n")
        runner, student = load(z, source)
        assert student.probe() == [False, 1]  # course hidden; PID 1 of its own namespace
        assert np.array_equal(student.relu(np.array([-1.0, 1.0])), [0.0, 1.0])
        runner.close()
    finally:
        z.close()


def test_basic_mode_keeps_the_status_of_a_worker_that_died_early(
        repo: Path, reference_source: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The next submission's worker is forked early; when it dies on its own
    while the current one is cleaned up, its exit status and temp folder must
    not be lost."""
    from autograder.course.assignment import load_assignment
    from autograder.grading.session import run_session
    from autograder.course.submission import Submission

    assignment = load_assignment(repo, "activations")
    subs = [Submission(name, "py", files={"neural_network.py": source})
            for name, source in (("a", reference_source), ("b", "import os\nos._exit(0)\n"),
                                 ("c", reference_source))]
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the zygote's temp folders go there
    results: list = []
    run_session(assignment=assignment, submissions=subs, emit=results.append,
                sandbox_mode="basic")
    assert "exit code 0" in results[1].error
    assert results[0].score == results[2].score == assignment.total_points
    assert not any(n.startswith("dlgrade-student-") for n in os.listdir(tmp_path))


# ------------------------------------------------------------- landlock, seccomp, modes


def in_child(body: Callable[[], dict]) -> dict:
    """Run ``body`` in a forked child (confinement is for good) and return its dict."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            result = body()
        except BaseException as exc:  # noqa: BLE001
            result = {"crashed": repr(exc)}
        os.write(w, json.dumps(result).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    return json.loads(data)


def attempt(fn: Callable[[], object]) -> str:
    """"ok", or the errno name an attempt failed with."""
    try:
        fn()
    except OSError as exc:
        return errno.errorcode.get(exc.errno or 0, str(exc))
    return "ok"


def test_seccomp_denies_what_a_worker_never_needs(tmp_path: Path) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    libc = ctypes.CDLL(None, use_errno=True)

    def clone_newuser() -> None:
        if libc.syscall(seccomp.syscalls()["unshare"], 0x10000000) != 0:
            raise OSError(ctypes.get_errno(), "unshare")

    def ptrace_parent() -> None:
        if libc.ptrace(16, os.getppid(), 0, 0) != 0:  # PTRACE_ATTACH
            raise OSError(ctypes.get_errno(), "ptrace")

    def body() -> dict:
        seccomp.worker_filter()
        unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        return {
            "inet": attempt(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM)),
            "inet6": attempt(lambda: socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)),
            "netlink": attempt(lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)),
            "unix_dgram": attempt(lambda: socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)),
            "unix_connect": attempt(lambda: unix.connect("/run/anything.sock")),
            "socketpair": attempt(lambda: socket.socketpair()),
            "unshare": attempt(clone_newuser),
            "ptrace": attempt(ptrace_parent),
            "fork_and_exec": attempt(lambda: subprocess.run(
                [sys.executable, "-c", "print(1)"], check=True, capture_output=True)),
            "file": attempt(lambda: (tmp_path / "x").write_text("fine")),
        }

    result = in_child(body)
    listener.close()
    assert result == {"inet": "EPERM", "inet6": "EPERM", "netlink": "EPERM",
                      "unix_dgram": "EPERM", "unix_connect": "EPERM", "socketpair": "ok",
                      "unshare": "EPERM", "ptrace": "EPERM", "fork_and_exec": "ok",
                      "file": "ok"}, result
    assert port  # the listener was real: only the filter stopped the attempts


# numbers written out independently of seccomp.py's own table
RAW_CALLS = {
    "x86_64": {"keyctl": 250, "bpf": 321, "io_uring_setup": 425, "perf_event_open": 298,
               "userfaultfd": 323, "mount": 165, "process_vm_readv": 310, "setns": 308,
               "clone3": 435, "clone": 56, "shmget": 29, "kexec_load": 246, "getpid": 39},
    "aarch64": {"keyctl": 219, "bpf": 280, "io_uring_setup": 425, "perf_event_open": 241,
                "userfaultfd": 282, "mount": 40, "process_vm_readv": 270, "setns": 268,
                "clone3": 435, "clone": 220, "shmget": 194, "kexec_load": 104, "getpid": 172},
}


@pytest.mark.skipif(os.uname().machine not in RAW_CALLS, reason="no syscall table here")
def test_seccomp_denies_the_kernel_interfaces_a_worker_never_needs() -> None:
    nr = RAW_CALLS[os.uname().machine]

    def body() -> dict:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        seccomp.worker_filter()
        out = {}
        calls = {"keyctl": (0, 0), "bpf": (0, 0, 0), "io_uring_setup": (1, 0),
                 "perf_event_open": (0, 0, -1, -1, 0), "userfaultfd": (0,),
                 "mount": (0, 0, 0, 0, 0), "process_vm_readv": (1, 0, 0, 0, 0, 0),
                 "setns": (-1, 0), "clone3": (0, 0), "shmget": (0, 4096, 0o1000),
                 "kexec_load": (0, 0, 0, 0), "clone": (0x40000000 | 17, 0, 0, 0, 0),
                 "getpid": ()}
        for name, args in calls.items():
            ret = libc.syscall(ctypes.c_long(nr[name]), *[ctypes.c_long(a) for a in args])
            out[name] = "ok" if ret >= 0 else errno.errorcode[ctypes.get_errno()]
        return out

    result = in_child(body)
    expected = {name: "EPERM" for name in RAW_CALLS["x86_64"]}
    expected.update(clone3="ENOSYS", getpid="ok")  # clone3: libc falls back to clone
    assert result == expected


def test_seccomp_scopes_signals_where_landlock_cannot() -> None:
    """Landlock ABI < 6 cannot scope signals; a worker running as the grader's
    own user then gets a seccomp rule: itself and its process group only."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            os.setsid()
            seccomp.worker_filter(signals_to=os.getpid())
            child = os.fork()
            if child == 0:
                time.sleep(5)
                os._exit(0)
            result = {"parent": attempt(lambda: os.kill(os.getppid(), 0)),
                      "everyone": attempt(lambda: os.kill(-1, 0)),
                      "itself": attempt(lambda: os.kill(os.getpid(), 0)),
                      "group_by_id": attempt(lambda: os.kill(-os.getpid(), 0)),
                      "a_child_by_pid": attempt(lambda: os.kill(child, 0))}
            os.write(w, json.dumps(result).encode())
            os.kill(0, signal.SIGKILL)  # the whole group: the sleeping child and this one
        finally:
            os._exit(1)
    os.close(w)
    with os.fdopen(r, "rb") as fh:
        result = json.loads(fh.read())
    os.waitpid(pid, 0)
    assert result == {"parent": "EPERM", "everyone": "EPERM", "itself": "ok",
                      "group_by_id": "ok", "a_child_by_pid": "EPERM"}


@pytest.mark.skipif(landlock.abi_version() < 1, reason="this kernel has no Landlock")
def test_landlock_allows_python_and_the_temp_folder_only(tmp_path: Path, repo: Path) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    home = tmp_path / "home"
    home.mkdir()
    abi = landlock.abi_version()

    def body() -> dict:
        python = [p for p in python_paths() if p != str(repo)]  # the venv, not the course
        enforced = landlock.confine(read_only=["/usr", "/lib", *python],
                                    read_write=[str(home)], devices=["/dev/null"])
        return {
            "enforced": enforced,
            "solution": attempt(lambda: open(repo / "solutions" / "neural_network.py").read()),
            "list_course": attempt(lambda: os.listdir(repo)),
            "write_home": attempt(lambda: (home / "f.txt").write_text("mine")),
            "write_elsewhere": attempt(lambda: (tmp_path / "g.txt").write_text("no")),
            "import": attempt(lambda: open(os.path.join(os.path.dirname(os.__file__),
                                                        "colorsys.py")).read()),
            "tcp": attempt(lambda: socket.create_connection(("127.0.0.1", port), timeout=1)),
            "signal_parent": attempt(lambda: os.kill(os.getppid(), 0)),
        }

    result = in_child(body)
    listener.close()
    assert result["enforced"] == landlock.describe(abi)
    assert result["solution"] == result["list_course"] == result["write_elsewhere"] == "EACCES"
    assert result["write_home"] == result["import"] == "ok"
    assert result["tcp"] == ("EACCES" if abi >= 4 else "ok")
    assert result["signal_parent"] == ("EPERM" if abi >= 6 else "ok")


@pytest.fixture()
def reachable_python() -> Iterator[None]:
    """Unprivileged worker uids must reach Python (under /root on the CI machine)."""
    with traversable(python_paths()):
        yield


def test_landlock_mode_grades_and_hides_the_course(
        reference_source: str, repo: Path, reachable_python: None) -> None:
    z = Zygote(job=8, mode=SandboxMode.LANDLOCK)
    try:
        assert z.mode == "landlock"
        abi = landlock.abi_version()
        assert set(landlock.describe(abi)) <= set(z.protections)
        assert seccomp.WORKER_SUMMARY in z.protections
        assert ("unprivileged uid" in z.protections) == (os.geteuid() == 0)
        assert any(m.startswith("PID namespace") for m in z.missing)
        source = reference_source + f"""
import os
def probe():
    out = []
    for attempt in (lambda: os.listdir({str(repo)!r}), lambda: open('/etc/shadow'),
                    lambda: open({str(repo / 'solutions' / 'neural_network.py')!r})):
        try:
            attempt()
            out.append('allowed')
        except OSError as exc:
            out.append(type(exc).__name__)
    return [out, os.getuid(), sorted(os.listdir('.'))]
"""
        runner, student = load(z, source)
        hidden, uid, files = student.probe()
        assert hidden == ["PermissionError"] * 3
        assert files == ["neural_network.py"]
        assert (uid != 0) if os.geteuid() == 0 else (uid == os.geteuid())
        assert np.array_equal(student.relu(np.array([-1.0, 1.0])), [0.0, 1.0])
        runner.close()
    finally:
        z.close()


def dlgrade(*args: str, refuse: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real command, optionally under the test seccomp filter."""
    command = [sys.executable, "-m", "autograder.cli", *args]
    if refuse:
        command = [sys.executable, SECCOMP, refuse, *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=cwd)


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
    from autograder.grading.engine import GradeOptions, grade
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
