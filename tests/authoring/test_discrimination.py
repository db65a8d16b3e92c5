"""The checks tell right from wrong, on every assignment.

Every file in ``tests/corpus/correct`` and ``tests/corpus/buggy`` is a small
student snippet that redefines one function; appended to the reference
solution it makes a full submitted file (later definitions win). Its header
(``tests/corpus_support.py``) names the function (``# function: softmax``),
optionally the assignments it targets (``# assignment: toolkit``; default:
every assignment whose functions include it), a buggy one's bug
(``# bug: ...``) and the variants of ``assignments/mistakes.py`` whose
messages its failures must name (``# cause: softmax_axis0``; ``none`` when no
variant can recognise it). The assignments come from ``assignments/``: a new
one is graded here the moment it exists.

* the course's own code scores full marks on every assignment it can be
  submitted to; every correct snippet too, on every assignment it targets
  (the reference's full marks are asserted once, in test_reference.py);
* every buggy snippet loses points on a check of its function, and on no
  other function's checks (except the assignment's functions that call it,
  found in the reference: forward_perceptron uses the student's own sigmoid),
  on every assignment it targets;
* bugs are named: at least 95 % of the buggy snippets get a "Likely cause:"
  in some failure message (assignments/mistakes.py).

Many entries come from the mutation analysis (``dlgrade lint --prove``):
realistic versions of mutants the checks once let through, and of the
contract the course text states (one number from a loss, every sample every
epoch, inputs left alone).
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from typing import Callable

import pytest
from hint_rules import fix_given_away

from autograder.results import SubmissionResult
from autograder.course.submission import Submission
from corpus_support import (
    Entry,
    course_assignments,
    failures,
    grade,
    header_problems,
    judge,
    read_corpus,
    reference_of,
    targets,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
COURSE_CODE = CORPUS / "course_reference.py"
ASSIGNMENTS = course_assignments(ROOT)
DIAGNOSED_AT_LEAST = 0.95

ENTRIES = read_corpus(CORPUS)
CORRECT = [e for e in ENTRIES if e.kind == "correct"]
BUGGY = [e for e in ENTRIES if e.kind == "buggy"]
CASES = [(e, aid) for e in ENTRIES for aid in targets(e, ASSIGNMENTS) if aid in ASSIGNMENTS]


def _course_code_fits(aid: str) -> bool:
    """The course's own code is a neural_network.py with every function of ``aid``."""
    a = ASSIGNMENTS[aid]
    tree = ast.parse(COURSE_CODE.read_text(encoding="utf-8"))
    defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    return a.submit == "neural_network.py" and set(a.functions) <= defined


COURSE_FITS = [aid for aid in ASSIGNMENTS if _course_code_fits(aid)]


@pytest.fixture(scope="module")
def graded() -> Callable[[str], dict[str, SubmissionResult]]:
    """assignment id -> results of the course's code and every entry that
    targets it (one grading session per assignment, on first use)."""
    cache: dict[str, dict[str, SubmissionResult]] = {}

    def results(aid: str) -> dict[str, SubmissionResult]:
        if aid not in cache:
            assignment = ASSIGNMENTS[aid]
            reference = reference_of(ROOT, assignment)
            subs = []
            if _course_code_fits(aid):
                subs.append(Submission("course", "py", files={
                    assignment.submit: COURSE_CODE.read_text(encoding="utf-8")}))
            subs += [e.submission(reference, assignment.submit)
                     for e, target in CASES if target == aid]
            cache[aid] = grade(ROOT, aid, subs)
        return cache[aid]

    return results


def test_corpus_is_large_and_well_formed() -> None:
    assert len(CORRECT) >= 40 and len(BUGGY) >= 87
    problems = [p for entry in ENTRIES for p in header_problems(entry, ASSIGNMENTS)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("assignment_id", COURSE_FITS)
def test_course_code_full_marks(graded, assignment_id):
    result = graded(assignment_id)["course"]
    assert result.status == "graded", result.error
    assert result.score == result.max_score, failures(result)


def _ids(cases: list[tuple[Entry, str]]) -> list[str]:
    return [f"{e.name}-{aid}" for e, aid in cases]


CORRECT_CASES = [(e, a) for e, a in CASES if e.kind == "correct"]
BUGGY_CASES = [(e, a) for e, a in CASES if e.kind == "buggy"]


@pytest.mark.parametrize("entry,assignment_id", CORRECT_CASES, ids=_ids(CORRECT_CASES))
def test_correct_entry_full_marks(graded, entry, assignment_id):
    assignment = ASSIGNMENTS[assignment_id]
    why = judge(entry, graded(assignment_id)[entry.name], assignment,
                reference_of(ROOT, assignment))
    assert not why, why


@pytest.mark.parametrize("entry,assignment_id", BUGGY_CASES, ids=_ids(BUGGY_CASES))
def test_buggy_entry_caught_by_its_own_checks(graded, entry, assignment_id):
    assignment = ASSIGNMENTS[assignment_id]
    why = judge(entry, graded(assignment_id)[entry.name], assignment,
                reference_of(ROOT, assignment))
    assert not why, why


def test_most_bugs_are_diagnosed(graded):
    diagnosed = [e.name for e in BUGGY
                 if any("Likely cause:" in c.message
                        for aid in targets(e, ASSIGNMENTS)
                        for c in graded(aid)[e.name].checks)]
    missed = [e.name for e in BUGGY if e.name not in diagnosed]
    fraction = len(diagnosed) / len(BUGGY)
    print(f"\ndiagnosed {len(diagnosed)}/{len(BUGGY)} buggy entries ({fraction:.0%}); "
          f"not diagnosed: {', '.join(missed) or 'none'}")
    assert fraction >= DIAGNOSED_AT_LEAST


def test_named_causes_are_the_right_ones(graded):
    # A wrong "Likely cause:" misleads more than none: on every assignment an entry
    # targets, the messages on the checks of its own function come only from its
    # declared variants, and on one of them they are exactly those (an assignment
    # with fewer checks of the function may have none that recognises the bug).
    library = load_mistakes()
    for entry in BUGGY:
        messages = dict((wrong.__name__, message)
                        for message, wrong in library.get(entry.function, []))
        unknown = entry.causes - set(messages)
        assert not unknown, f"{entry.name}: no variant {sorted(unknown)} in mistakes.py"
        declared = {messages[name] for name in entry.causes}
        named = {aid: {c.message.split("Likely cause: ", 1)[1]
                       for c in graded(aid)[entry.name].checks
                       if c.function == entry.function and "Likely cause: " in c.message}
                 for aid in targets(entry, ASSIGNMENTS)}
        assert all(found <= declared for found in named.values()), (entry.name, named)
        assert any(found == declared for found in named.values()), (entry.name, named)


def test_first_messages_name_the_problem_not_the_fix(graded):
    # Issue 9: the message a buggy submission gets says what is wrong and where; how
    # to fix it is the hint (dlgrade check --hints), and a named cause always has one.
    given_away, no_hint = {}, []
    for assignment_id in sorted(ASSIGNMENTS):
        results = graded(assignment_id)
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
