"""The sandbox runs real student code in real worker processes.

One zygote serves the whole module (as in a grading session). Each test
loads a small submission and calls it through the same proxy checks use.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest
from sandbox_users import python_paths, traversable

from autograder.sandbox import helpers, landlock, seccomp
from autograder.course.limits import Limits
from autograder.sandbox.client import Zygote
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
