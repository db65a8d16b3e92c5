"""The toolkit checks tell right from wrong.

Every file in ``tests/corpus/correct`` and ``tests/corpus/buggy`` is a small
student snippet that redefines one function; appended to the reference
solution it makes a full ``neural_network.py`` (later definitions win). Its
first line names the function (``# function: softmax``), a buggy one's second
line the bug (``# bug: ...``) and its third the variants of
``assignments/mistakes.py`` whose messages its failures must name
(``# cause: softmax_axis0``; ``none`` when no variant can recognise it).

* every correct snippet, the reference and the course's own code score full
  marks (on ``activations`` too for relu and softmax);
* every buggy snippet loses points on a check of its function, and on no
  other function's checks (except functions that call it: forward_perceptron
  uses the student's own sigmoid);
* bugs are named: at least 95 % of the buggy snippets get a "Likely cause:"
  in some failure message (assignments/mistakes.py).

Many entries come from the mutation analysis (bench/mutation.py): realistic
versions of mutants the checks once let through, and of the contract the
course text states (one number from a loss, every sample every epoch, inputs
left alone).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import pytest
from hint_rules import fix_given_away

from autograder.assignment import find_course, load_assignment
from autograder.results import SubmissionResult
from autograder.session import run_session
from autograder.submission import Submission

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
REFERENCE = (ROOT / "solutions" / "neural_network.py").read_text(encoding="utf-8")
COURSE = (CORPUS / "course_reference.py").read_text(encoding="utf-8")
ACTIVATIONS = {"relu", "softmax"}
# A wrong sigmoid may also cost points on these functions, which call it.
CALLERS = {"sigmoid": {"forward_perceptron"}}
DIAGNOSED_AT_LEAST = 0.95


@dataclass(frozen=True)
class Entry:
    """One corpus snippet."""

    name: str  # "buggy/softmax_axis0"
    kind: str  # "correct" or "buggy"
    function: str
    bug: str
    source: str
    causes: frozenset[str] = frozenset()

    def submission(self) -> Submission:
        text = f"{REFERENCE}\n\n# ---- student snippet ----\n{self.source}"
        return Submission(self.name, "py", files={"neural_network.py": text})


def read_entry(path: Path) -> Entry:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    header = dict(line[2:].split(": ", 1) for line in lines[:3] if line.startswith("# "))
    causes = header.get("cause", "none")
    return Entry(name=f"{path.parent.name}/{path.stem}", kind=path.parent.name,
                 function=header.get("function", ""), bug=header.get("bug", ""),
                 source=source,
                 causes=frozenset() if causes == "none" else frozenset(causes.split(",")))


ENTRIES = [read_entry(p) for p in sorted(CORPUS.glob("*/*.py"))]
CORRECT = [e for e in ENTRIES if e.kind == "correct"]
BUGGY = [e for e in ENTRIES if e.kind == "buggy"]
FULL = [Submission("reference", "py", files={"neural_network.py": REFERENCE}),
        Submission("course", "py", files={"neural_network.py": COURSE})]


def grade(assignment_id: str, submissions: list[Submission]) -> dict[str, SubmissionResult]:
    assignment = load_assignment(find_course(ROOT), assignment_id)
    results: dict[str, SubmissionResult] = {}
    run_session(assignment=assignment, submissions=submissions,
                emit=lambda r: results.__setitem__(r.student, r))
    return results


@pytest.fixture(scope="module")
def toolkit() -> dict[str, SubmissionResult]:
    return grade("toolkit", FULL + [e.submission() for e in ENTRIES])


@pytest.fixture(scope="module")
def activations() -> dict[str, SubmissionResult]:
    return grade("activations", FULL + [e.submission() for e in ENTRIES
                                        if e.function in ACTIVATIONS])


def failures(result: SubmissionResult) -> str:
    return "\n".join(f"  {c.check}: {c.outcome}: {c.message}" for c in result.checks
                     if c.outcome != "passed")


def lost(result: SubmissionResult) -> dict[str, list[str]]:
    """function -> ids of its checks that did not pass."""
    out: dict[str, list[str]] = {}
    for c in result.checks:
        if c.outcome != "passed":
            out.setdefault(c.function, []).append(c.check)
    return out


def test_corpus_is_large_and_well_formed() -> None:
    toolkit = load_assignment(find_course(ROOT), "toolkit")
    assert len(CORRECT) >= 40 and len(BUGGY) >= 87
    for entry in ENTRIES:
        assert entry.function in toolkit.functions, f"{entry.name}: bad '# function:' line"
        assert (entry.kind == "buggy") == bool(entry.bug), f"{entry.name}: '# bug:' line"
        if entry.kind == "buggy":
            assert "# cause: " in entry.source.splitlines()[2], f"{entry.name}: '# cause:'"


@pytest.mark.parametrize("assignment_id", ["toolkit", "activations"])
@pytest.mark.parametrize("who", ["reference", "course"])
def test_reference_and_course_code_full_marks(toolkit, activations, assignment_id, who):
    result = (toolkit if assignment_id == "toolkit" else activations)[who]
    assert result.status == "graded", result.error
    assert result.score == result.max_score, failures(result)


@pytest.mark.parametrize("entry", CORRECT, ids=[e.name for e in CORRECT])
def test_correct_entry_full_marks(toolkit, activations, entry):
    result = toolkit[entry.name]
    assert result.status == "graded", result.error
    assert result.score == result.max_score, failures(result)
    if entry.function in ACTIVATIONS:
        other = activations[entry.name]
        assert other.score == other.max_score, failures(other)


@pytest.mark.parametrize("entry", BUGGY, ids=[e.name for e in BUGGY])
def test_buggy_entry_caught_by_its_own_checks(toolkit, activations, entry):
    result = toolkit[entry.name]
    assert result.status == "graded", result.error
    by_function = lost(result)
    # the bug costs points on its own function ...
    assert entry.function in by_function, f"'{entry.bug}' was not caught"
    # ... and on no unrelated function
    allowed = {entry.function} | CALLERS.get(entry.function, set())
    assert set(by_function) <= allowed, failures(result)
    if entry.function in ACTIVATIONS:
        other = lost(activations[entry.name])
        assert set(other) == {entry.function}, failures(activations[entry.name])


def test_most_bugs_are_diagnosed(toolkit):
    diagnosed = [e.name for e in BUGGY
                 if any("Likely cause:" in c.message for c in toolkit[e.name].checks)]
    missed = [e.name for e in BUGGY if e.name not in diagnosed]
    fraction = len(diagnosed) / len(BUGGY)
    print(f"\ndiagnosed {len(diagnosed)}/{len(BUGGY)} buggy entries ({fraction:.0%}); "
          f"not diagnosed: {', '.join(missed) or 'none'}")
    assert fraction >= DIAGNOSED_AT_LEAST


def test_named_causes_are_the_right_ones(toolkit):
    # A wrong "Likely cause:" misleads more than none: the messages on the checks of
    # the entry's own function are exactly those of its declared variants.
    library = load_mistakes()
    for entry in BUGGY:
        named = {c.message.split("Likely cause: ", 1)[1] for c in toolkit[entry.name].checks
                 if c.function == entry.function and "Likely cause: " in c.message}
        messages = dict((wrong.__name__, message) for message, wrong in library[entry.function])
        unknown = entry.causes - set(messages)
        assert not unknown, f"{entry.name}: no variant {sorted(unknown)} in mistakes.py"
        assert named == {messages[name] for name in entry.causes}, (entry.name, named)


def test_first_messages_name_the_problem_not_the_fix(toolkit, activations):
    # Issue 9: the message a buggy submission gets says what is wrong and where; how
    # to fix it is the hint (dlgrade check --hints), and a named cause always has one.
    given_away, no_hint = {}, []
    for assignment_id, results in (("toolkit", toolkit), ("activations", activations)):
        for entry in BUGGY:
            for c in results[entry.name].checks if entry.name in results else []:
                if c.outcome != "failed":  # errors quote the student's own exception
                    continue
                where = f"{assignment_id}/{entry.name}/{c.check}"
                if problems := fix_given_away(c.message):
                    given_away[where] = (problems, c.message)
                if "Likely cause: " in c.message and not c.hint:
                    no_hint.append(where)
    assert given_away == {}
    assert no_hint == []


def load_mistakes():
    spec = importlib.util.spec_from_file_location(
        "_corpus_mistakes", ROOT / "assignments" / "mistakes.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MISTAKES
