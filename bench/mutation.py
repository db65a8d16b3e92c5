"""Mutation analysis of the checks: does every realistic bug lose points?

The engine is :mod:`autograder.authoring.prove` (also behind ``dlgrade lint --prove``):
first-order mutants of each assignment's reference ``solutions/<submit>``
(cosmic-ray's core operators plus ``autograder/authoring/mutation_ops.py``), inside a
function's ``### BEGIN SOLUTION`` fence, each graded on the checks of its
function (and of the functions that call it) through dlgrade's own engine.
This script is the bench front end: the full report of the repository's
course, with the options a maintainer wants.

    python bench/mutation.py                    # the full report, every assignment
    python bench/mutation.py --assignment toolkit
    python bench/mutation.py --function relu    # one function
    python bench/mutation.py --sample 0.2       # a seeded 20 % sample
    python bench/mutation.py --json out.json    # also write every mutant's outcome
    python bench/mutation.py --equivalents      # also list the equivalent mutants

Prints, per assignment and function: mutants, killed, equivalent, surviving
and the mutation score (killed / (mutants - equivalent)); exits 1 when a
mutant survives that is not listed as equivalent, or an equivalent entry
matches no mutant any more (stale).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.authoring.prove import (  # noqa: E402
    equivalent_entry,
    load_equivalents,
    prove,
    report_lines,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", type=Path, default=ROOT,
                        help="the course root [default: this repository]")
    parser.add_argument("--assignment", "-a", action="append", default=None,
                        help="only this assignment (repeatable) [default: all]")
    parser.add_argument("--function", action="append", default=None,
                        help="only mutants of this function (repeatable)")
    parser.add_argument("--sample", type=float, default=1.0,
                        help="grade a seeded random fraction of the mutants")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None,
                        help="write every mutant's outcome here")
    parser.add_argument("--equivalents", action="store_true",
                        help="also list every equivalent mutant with its reason")
    parser.add_argument("--toml", action="store_true",
                        help="print survivors as equivalent_mutants.toml entries")
    args = parser.parse_args(argv)
    course = args.course.resolve()
    report = prove(course, args.assignment, functions=args.function, sample=args.sample,
                   seed=args.seed, jobs=args.jobs)
    equivalents = load_equivalents(course, args.assignment) if args.equivalents else None
    print("\n".join(report_lines(report, equivalents=equivalents)))
    if args.toml:
        for assignment_id, m in report.survivors:
            print(f"\n# {assignment_id}\n{equivalent_entry(m)}")
    if args.json:
        args.json.write_text(json.dumps({"rows": report.rows, "outcomes": report.outcomes},
                                        indent=1), encoding="utf-8")
    return 1 if report.survivors or report.stale or report.unproven else 0


if __name__ == "__main__":
    sys.exit(main())
