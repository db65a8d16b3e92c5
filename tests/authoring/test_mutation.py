"""Mutation analysis: every non-equivalent mutant of the reference loses points.

``autograder/authoring/prove.py`` (behind ``bench/mutation.py`` and ``dlgrade lint
--prove``) generates the first-order mutants of each assignment's reference
(cosmic-ray's core operators plus the course operators of
``autograder/authoring/mutation_ops.py``) and grades each through dlgrade's own engine.
The full set runs here for every assignment found in ``assignments/`` (a new
one is proven the moment it exists): a new survivor, or an entry of
``equivalent_mutants.toml`` that no longer matches a surviving mutant, fails
the suite with the report in the message.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from cosmic_ray.mutating import mutate_code

from autograder.authoring import mutation_ops
from autograder.authoring.mutant_grading import grade_mutants
from autograder.authoring.mutants import Mutant, callers, course_mutants, fences, generate
from autograder.authoring.prove_report import analyse
from autograder.course.assignment import list_assignments, load_assignment

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "solutions" / "neural_network.py"
ASSIGNMENTS = list_assignments(ROOT)


@pytest.mark.parametrize("name", sorted(mutation_ops.COURSE_OPERATORS))
def test_course_operator_examples(name: str) -> None:
    # each course operator documents what it does; the examples are the contract
    cls = mutation_ops.COURSE_OPERATORS[name]
    examples = cls.examples()
    assert examples, f"{name} has no examples"
    for example in examples:
        mutated = mutate_code(example.pre_mutation_code, cls(), example.occurrence)
        assert mutated == example.post_mutation_code, (name, example)


def test_mutants_cover_every_function_and_operator_family() -> None:
    source = SOLUTION.read_text(encoding="utf-8")
    mutants = generate(source)
    fenced = {function for function, _, _ in fences(source)}
    assert {m.function for m in mutants} == fenced
    families = {m.operator.split("/", 1)[1] for m in mutants if m.operator.startswith("course/")}
    assert families == set(mutation_ops.COURSE_OPERATORS)
    # ids are stable and unique: equivalent_mutants.toml refers to them
    assert len({m.id for m in mutants}) == len(mutants)
    assert [m.id for m in generate(source)] == [m.id for m in mutants]
    # the in-place update students write is among them
    assert any(m.before == "W = W - lr * grad_W" and m.after == "W -= lr * grad_W"
               for m in mutants)


def test_equivalent_entries_are_reviewable() -> None:
    for path in sorted(ROOT.glob("assignments/*/equivalent_mutants.toml")):
        entries = tomllib.loads(path.read_text(encoding="utf-8"))["mutant"]
        for entry in entries:
            assert set(entry) == {"id", "function", "operator", "before", "after", "reason"}
            assert len(entry["reason"]) > 20, entry


def test_a_survivor_is_reported() -> None:
    # A mutant that only changes the printed progress line keeps full marks; with no
    # equivalent_mutants.toml entry it is a survivor, and the report says so.
    mutants = [m for m in course_mutants(ROOT, ["toolkit"])
               if m.function == "gradient_descent"
               and m.before.startswith("print(") and m.after.startswith("print(")][:1]
    assert mutants
    results = grade_mutants(mutants, ROOT, jobs=1)
    report = analyse(mutants, results, {}, complete=False)
    assert [m.id for _, m in report.survivors] == [mutants[0].id]
    assert report.rows[0]["surviving"] == 1 and report.rows[0]["score"] == 0.0


def test_a_hanging_or_crashing_mutant_is_killed_and_the_batch_goes_on() -> None:
    # Mutants run in-process: one that hangs or kills its process must not stop the
    # run. It counts as killed (the sandbox would time it out), the rest are graded.
    reference = SOLUTION.read_text(encoding="utf-8")

    def mutant(name: str, body: str) -> Mutant:
        code = f"{reference}\n\ndef relu(Z):\n{body}\n"
        return Mutant(id=name, function="relu", operator="test", line=0,
                               before="", after=body.strip(), code=code)

    mutants = [mutant("hangs", "    while True:\n        pass"),
               mutant("exits", "    import os\n    os._exit(3)"),
               mutant("explodes", "    return np.ones((1 << 34,))"),
               mutant("same", "    return np.maximum(0, Z)")]
    results = grade_mutants(mutants, ROOT, jobs=1, timeout=3.0)
    toolkit = {mutant_id: r for (a, mutant_id), r in results.items() if a == "toolkit"}
    assert toolkit["hangs"]["status"] == "timeout"
    assert toolkit["exits"]["status"] == "crash"
    assert toolkit["explodes"]["status"] == "graded"  # a MemoryError: the checks fail
    assert toolkit["explodes"]["score"] < toolkit["explodes"]["max"]
    assert toolkit["same"]["status"] == "graded"
    assert toolkit["same"]["score"] == toolkit["same"]["max"] > 0
    report = analyse(mutants, results, {}, complete=False)
    assert sorted((a, m.id) for a, m in report.survivors) == [("activations", "same"),
                                                              ("toolkit", "same")]


def test_callers_are_found_in_the_reference() -> None:
    # a mutant of sigmoid is also graded on forward_perceptron's checks, which call it
    source = SOLUTION.read_text(encoding="utf-8")
    toolkit = ("normalize", "sigmoid", "forward_perceptron", "relu")
    assert callers(source, "sigmoid", toolkit) == ["forward_perceptron"]
    assert callers(source, "relu", toolkit) == []
    assert callers(source, "sigmoid", ("relu", "sigmoid")) == []


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_no_mutant_survives(assignment_id: str) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "mutation.py"),
                           "--assignment", assignment_id], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    report = proc.stdout + proc.stderr
    assert proc.returncode == 0, report
    assert "SURVIVOR" not in report and "STALE" not in report, report
    total = [line for line in report.splitlines() if line.startswith("all ")]
    assert total and total[0].rstrip().endswith("100.0%"), report
    # every function of the assignment had mutants graded
    functions = {line.split()[1] for line in report.splitlines()
                 if line.startswith(f"{assignment_id} ")}
    fenced = {f for f, _, _ in fences(SOLUTION.read_text(encoding="utf-8"))}
    assignment = load_assignment(ROOT, assignment_id)
    assert functions == set(assignment.functions) & fenced, report
