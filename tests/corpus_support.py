"""Shared by tests/authoring/test_discrimination.py and
tests/authoring/test_prove_new_assignment.py:
read the discrimination corpus, find the assignments each entry targets
(discovered from ``assignments/``, never listed), grade entries, and judge a
result by the corpus rules.

A corpus file is a student snippet that redefines one function; appended to
the reference solution it makes a full submitted file (later definitions
win). Its leading comment lines are a header:

* ``# function: NAME``: the function the snippet redefines (required);
* ``# assignment: ID[,ID]``: the assignments it targets (optional; default:
  every assignment whose functions include NAME);
* ``# bug: ...``: what is wrong (buggy entries only);
* ``# cause: VARIANT[,VARIANT]``: the variants of ``assignments/mistakes.py``
  whose messages its failures must name (buggy entries; ``none`` when no
  variant can recognise it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from autograder.course.assignment import Assignment, list_assignments, load_assignment
from autograder.authoring.mutants import callers
from autograder.results import SubmissionResult
from autograder.grading.session import run_session
from autograder.course.submission import Submission

HEADER = re.compile(r"^# (function|assignment|bug|cause): (.*)$")


@dataclass(frozen=True)
class Entry:
    """One corpus snippet."""

    name: str  # "buggy/softmax_axis0"
    kind: str  # "correct" or "buggy"
    function: str
    bug: str
    source: str
    causes: frozenset[str] = frozenset()
    assignments: tuple[str, ...] = ()  # declared by '# assignment:'; () = by function
    header: tuple[str, ...] = ()  # the header keys, in order

    def submission(self, reference: str, submit: str) -> Submission:
        """The reference with this snippet appended, as the file ``submit``."""
        text = f"{reference}\n\n# ---- student snippet ----\n{self.source}"
        return Submission(self.name, "py", files={submit: text}, entry=submit)


def read_entry(path: Path) -> Entry:
    """Parse one corpus file (its header is its leading ``# key: value`` lines)."""
    source = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    for line in source.splitlines():
        match = HEADER.match(line)
        if not match:
            break
        header[match.group(1)] = match.group(2).strip()
    causes = header.get("cause", "none")
    declared = tuple(a.strip() for a in header.get("assignment", "").split(",") if a.strip())
    return Entry(name=f"{path.parent.name}/{path.stem}", kind=path.parent.name,
                 function=header.get("function", ""), bug=header.get("bug", ""),
                 source=source,
                 causes=frozenset() if causes == "none" else frozenset(causes.split(",")),
                 assignments=declared, header=tuple(header))


def read_corpus(corpus: Path) -> list[Entry]:
    """Every entry of ``corpus/correct`` and ``corpus/buggy``."""
    return [read_entry(p) for p in sorted(corpus.glob("*/*.py"))
            if p.parent.name in ("correct", "buggy")]


def course_assignments(course: Path) -> dict[str, Assignment]:
    """Every assignment of the course, by id (discovered from ``assignments/``)."""
    return {aid: load_assignment(course, aid) for aid in list_assignments(course)}


def targets(entry: Entry, assignments: dict[str, Assignment]) -> list[str]:
    """The assignments ``entry`` is graded against."""
    if entry.assignments:
        return list(entry.assignments)
    return [aid for aid, a in assignments.items() if entry.function in a.functions]


def header_problems(entry: Entry, assignments: dict[str, Assignment]) -> list[str]:
    """What is wrong with an entry's header (empty: nothing)."""
    problems = []
    if not any(entry.function in a.functions for a in assignments.values()):
        problems.append(f"{entry.name}: bad '# function:' line: {entry.function!r} is a "
                        f"function of no assignment in {', '.join(assignments)}")
    for aid in entry.assignments:
        if aid not in assignments:
            problems.append(f"{entry.name}: '# assignment: {aid}': no such assignment")
        elif entry.function not in assignments[aid].functions:
            problems.append(f"{entry.name}: '# assignment: {aid}': it has no function "
                            f"{entry.function!r}")
    if entry.assignments and not targets(entry, assignments):
        problems.append(f"{entry.name}: targets no assignment")
    if (entry.kind == "buggy") != bool(entry.bug):
        problems.append(f"{entry.name}: '# bug:' line (buggy entries only, and all of them)")
    if entry.kind == "buggy" and "cause" not in entry.header:
        problems.append(f"{entry.name}: no '# cause:' line")
    return problems


def reference_of(course: Path, assignment: Assignment) -> str:
    """The reference solution file the assignment's students submit."""
    return (course / "solutions" / assignment.submit).read_text(encoding="utf-8")


def grade(course: Path, assignment_id: str,
          submissions: list[Submission]) -> dict[str, SubmissionResult]:
    """Grade ``submissions`` on one assignment (sandboxed, as ``dlgrade grade``)."""
    assignment = load_assignment(course, assignment_id)
    results: dict[str, SubmissionResult] = {}
    run_session(assignment=assignment, submissions=submissions,
                emit=lambda r: results.__setitem__(r.student, r))
    return results


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


def judge(entry: Entry, result: SubmissionResult, assignment: Assignment,
          reference: str) -> str:
    """Why ``result`` breaks the corpus rules ("" when it keeps them).

    A correct entry scores full marks; a buggy one loses points on its own
    function and on no other, except the assignment's functions that call it
    (found in the reference's code: forward_perceptron calls sigmoid).
    """
    if result.status != "graded":
        return f"{entry.name} on {assignment.id}: not graded: {result.error}"
    if entry.kind == "correct":
        if result.score != result.max_score:
            return f"{entry.name} on {assignment.id}: not full marks\n{failures(result)}"
        return ""
    by_function = lost(result)
    if entry.function not in by_function:
        return f"{entry.name} on {assignment.id}: '{entry.bug}' was not caught"
    allowed = {entry.function, *callers(reference, entry.function, assignment.functions)}
    if not set(by_function) <= allowed:
        return (f"{entry.name} on {assignment.id}: costs points on "
                f"{sorted(set(by_function) - allowed)} too\n{failures(result)}")
    return ""
