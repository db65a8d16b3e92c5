"""The shared check runtime: one copy of ids, seeding, fixtures and outcomes."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import checklib
from autograder.publish.template import template_files
from autograder.runtime import checkrun
from autograder.runtime.checkrun import (
    ERROR,
    FAILED,
    GRADER_ERROR,
    PASSED,
    InProcessStudent,
    StudentError,
    run_check,
)
from autograder.sandbox import helpers

COURSE = Path(__file__).resolve().parents[2]
RUNTIME = COURSE / "autograder" / "runtime"
SHIPPED = ("checkrun.py", "template_conftest.py", "nbsetup.py")


def test_shipped_runtime_files_import_only_stdlib_numpy_and_pytest():
    allowed = set(sys.stdlib_module_names) | {"numpy", "pytest", "__future__"}
    for name in SHIPPED:
        tree = ast.parse((RUNTIME / name).read_text(encoding="utf-8"))
        imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                    if isinstance(node, ast.Import) for alias in node.names}
        imported |= {(node.module or "").split(".")[0] for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom)}
        assert imported, name
        assert imported <= allowed, f"{name} imports {imported - allowed}"


def test_template_carries_verbatim_copies_of_the_runtime():
    files = template_files(COURSE)
    assert files["tests/_dlgrade/checkrun.py"] == (RUNTIME / "checkrun.py").read_text()
    assert files["conftest.py"] == (RUNTIME / "template_conftest.py").read_text()
    assert files["tests/_dlgrade/checklib.py"] == (COURSE / "autograder/checklib.py").read_text()


def test_check_id_and_seed():
    assert checkrun.check_id("test_softmax_shapes[4x10]") == "softmax_shapes[4x10]"
    assert checkrun.check_id("test_relu") == "relu"
    assert checkrun.check_id("relu_probe") == "relu_probe"
    first = checkrun.make_rng("relu_probe").integers(2**31)
    assert first == checkrun.make_rng("relu_probe").integers(2**31)  # same id, same input
    assert first != checkrun.make_rng("relu_probe2").integers(2**31)


def run(test, namespace, *, hidden=False, check="probe"):
    return run_check(test, check, hidden=hidden, student=InProcessStudent(namespace),
                     checklib=checklib, helpers=helpers)


def uses_relu(student, expect):
    Z = np.array([-1.0, 2.0])
    expect.close(student.relu(Z), np.array([0.0, 2.0]), what="relu(Z)")


def test_missing_function_is_a_student_error():
    outcome, message, detail = run(uses_relu, {})
    assert (outcome, detail) == (ERROR, "")
    assert message.startswith("`relu` is not defined in your file")


def load(folder: Path, name: str, source: str) -> dict:
    """A student file, really written, executed into a namespace."""
    path = folder / name
    path.write_text(source)
    namespace: dict = {}
    exec(compile(source, str(path), "exec"), namespace)
    return namespace


def test_stub_says_not_written_yet_and_where(tmp_path: Path):
    namespace = load(tmp_path, "neural_network.py",
                     "def relu(Z):\n    raise NotImplementedError('Write relu')\n")
    outcome, message, _ = run(uses_relu, namespace)
    assert outcome == ERROR
    assert message == ("relu is not written yet: it raises NotImplementedError "
                       "(neural_network.py, line 2: raise NotImplementedError('Write relu'))")


def test_wrong_answer_fails_with_the_checklib_message_and_live_redefinition_is_seen():
    namespace: dict = {"relu": lambda Z: Z}
    outcome, message, _ = run(uses_relu, namespace)
    assert outcome == FAILED and message.startswith("relu(Z) is wrong in 1 of 2 entries")
    namespace["relu"] = lambda Z: np.maximum(0, Z)  # the student fixes the cell and reruns it
    assert run(uses_relu, namespace) == (PASSED, "", "")


def test_plain_assert_in_hidden_check_shows_no_detail():
    def bare(student, expect):
        assert student.relu(np.zeros(1))[0] == 1, "expected 1 for input 0"

    namespace = {"relu": lambda Z: Z}
    assert run(bare, namespace, hidden=True)[:2] == (FAILED, "This hidden check failed.")
    outcome, message, _ = run(bare, namespace)  # (pytest rewrites this file's asserts)
    assert outcome == FAILED and message.startswith("expected 1 for input 0")


def test_a_bug_in_the_check_is_a_grader_error_not_the_students():
    def broken(student, expect):
        raise KeyError("oops")

    outcome, message, detail = run(broken, {})
    assert outcome == GRADER_ERROR and "not your fault" in message
    assert detail == "KeyError: 'oops'"


def test_student_exception_and_sys_exit_are_reported_with_their_line(tmp_path: Path):
    namespace = load(tmp_path, "nn.py", "import sys\ndef relu(Z):\n    sys.exit(3)\n")
    outcome, message, _ = run(uses_relu, namespace)
    assert (outcome, message) == (ERROR, "relu raised SystemExit: called sys.exit(3) "
                                  "(nn.py, line 3: sys.exit(3))")


def test_parameters_and_rng_reach_the_check():
    seen = {}

    def probe(rng, helpers, shape):
        seen["draw"] = rng.integers(2**31)
        seen["shape"] = shape
        seen["helpers"] = helpers

    outcome = run_check(probe, "probe[2x3]", hidden=False, student=None, checklib=checklib,
                        helpers=helpers, params={"shape": (2, 3)})
    assert outcome == (PASSED, "", "")
    assert seen == {"draw": checkrun.make_rng("probe[2x3]").integers(2**31),
                    "shape": (2, 3), "helpers": helpers}


def test_helper_passed_as_student_function_reaches_the_real_function():
    def passes_own(student, expect):
        expect.true(student.apply(student.double, 2) == 4, "apply(double, 2) should be 4")

    namespace = {"apply": lambda fn, x: fn(x), "double": lambda x: 2 * x}
    assert run(passes_own, namespace) == (PASSED, "", "")


@pytest.mark.parametrize("name", ["relu", "_private"])
def test_student_proxy_hides_private_names(name):
    student = InProcessStudent({})
    if name.startswith("_"):
        with pytest.raises(AttributeError):
            getattr(student, name)
    else:
        with pytest.raises(StudentError):
            getattr(student, name)(1)


def test_where_points_at_the_students_line_not_into_the_library(tmp_path: Path):
    namespace = load(tmp_path, "nn.py", "import json\ndef relu(Z):\n    return json.loads('{')\n")
    outcome, message, _ = run(uses_relu, namespace)
    assert outcome == ERROR and message.startswith("relu raised JSONDecodeError: ")
    assert message.endswith("(nn.py, line 3: return json.loads('{'))")


def test_run_case_gives_the_hint_of_a_failure_and_lets_a_runner_signal_through():
    def with_hint(student, expect):
        expect.true(False, "each row must sum to 1", hint="divide by the row's sum")

    outcome, message, detail, hint = checkrun.run_case(
        with_hint, "probe", hidden=False, student=None, checklib=checklib, helpers=helpers)
    assert (outcome, message, detail, hint) == (FAILED, "each row must sum to 1", "",
                                                "divide by the row's sum")
    assert run(with_hint, {}) == (FAILED, "each row must sum to 1", "")  # run_check: no hint

    class Elsewhere(Exception):
        pass

    def needs_another_runner(student):
        raise Elsewhere("pytest.approx")

    with pytest.raises(Elsewhere):
        checkrun.run_case(needs_another_runner, "probe", hidden=False, student=None,
                          checklib=checklib, helpers=helpers, reraise=(Elsewhere,))
    assert run(needs_another_runner, {})[0] == GRADER_ERROR  # any other runner: a fault
