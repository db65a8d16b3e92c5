"""Mutation analysis of the checks, per assignment: does every realistic bug lose points?

For each assignment, the reference ``solutions/<submit>`` is mutated with
cosmic-ray (its core operators plus :mod:`autograder.authoring.mutation_ops`), one
first-order change at a time, inside each function's ``### BEGIN/END
SOLUTION`` fence. Every mutant is graded on the checks of its function and of
the assignment's functions that call it (found in the reference's code),
through dlgrade's own engine (``run_session``, the unsandboxed in-process
runner). Batches of mutants run in subprocesses with a memory limit and a
time limit per mutant: a mutant that hangs or crashes its batch counts as
killed (the sandbox would time it out) and the batch goes on without it.

A mutant *survives* when it keeps full marks. A survivor is acceptable only
when ``assignments/<id>/equivalent_mutants.toml`` lists it as equivalent (the
same results on every input the course allows) with a reason.

``dlgrade lint --prove`` and ``bench/mutation.py`` both run :func:`prove`.
The stages live in their own modules, in the order a run takes them:
:mod:`~autograder.authoring.changes` (which assignments changed),
:mod:`~autograder.authoring.mutants` (generation),
:mod:`~autograder.authoring.mutant_grading` and
:mod:`~autograder.authoring.mutant_worker` (grading),
:mod:`~autograder.authoring.prove_report` (counting and printing). This module
runs them in order and names what the CLI and the bench call.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from autograder.authoring.changes import changed_assignments
from autograder.authoring.mutant_grading import PER_MUTANT_TIMEOUT, grade_mutants
from autograder.authoring.mutants import Mutant, course_mutants, require_cosmic_ray
from autograder.authoring.problems import SOLUTIONS_DIR
from autograder.authoring.prove_report import (
    Report,
    analyse,
    equivalent_entry,
    load_equivalents,
    report_lines,
)
from autograder.course.assignment import list_assignments, load_assignment

__all__ = ["Mutant", "Report", "changed_assignments", "equivalent_entry", "load_equivalents",
           "prove", "report_lines", "require_cosmic_ray"]


def prove(course: Path, assignment_ids: list[str] | None = None, *,
          functions: list[str] | None = None, sample: float = 1.0, seed: int = 0,
          jobs: int = 2, timeout: float = PER_MUTANT_TIMEOUT) -> Report:
    """Generate, grade and count the mutants of the chosen assignments.

    Args:
        course: the course root (``assignments/``, ``solutions/``).
        assignment_ids: which assignments; default: all.
        functions: only mutants of these functions.
        sample: grade a seeded random fraction of the mutants (stale equivalent
            entries are reported only for a complete run).
        seed: the sample's seed.
        jobs: batches graded at once.
        timeout: seconds a mutant may take before it counts as killed.
    """
    require_cosmic_ray()
    started = time.perf_counter()
    ids = assignment_ids or list_assignments(course)
    mutants = course_mutants(course, ids)
    total = len(mutants)
    if functions:
        mutants = [m for m in mutants if m.function in functions]
    if sample < 1.0:
        mutants = random.Random(seed).sample(mutants, round(len(mutants) * sample))
    results = grade_mutants(mutants, course, assignment_ids=ids, jobs=jobs, timeout=timeout)
    report = analyse(mutants, results, load_equivalents(course, ids),
                     complete=not functions and sample >= 1.0)
    report.total = total
    report.seconds = time.perf_counter() - started
    if not functions:  # a function without a single mutant is not proven at all
        generated = {m.function for m in course_mutants(course, ids)} if sample < 1.0 \
            else {m.function for m in mutants}
        report.unproven = [(a, f) for a in ids for f in load_assignment(course, a).functions
                           if f not in generated]
    report.files = sorted({f"{SOLUTIONS_DIR}/{load_assignment(course, a).submit}"
                           for a in ids})
    return report
