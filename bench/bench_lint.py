"""What `dlgrade lint` costs, pass by pass, per assignment; prints figures.

    python bench/bench_lint.py              # the course in this repository, 3 rounds
    python bench/bench_lint.py --rounds 5
    python bench/bench_lint.py --prove      # also `dlgrade lint --prove`'s mutation run

For each assignment: seconds of the static pass (what `dlgrade grade`,
`generate` and `nbgrader init` pay before they start), of grading the
reference in the sandbox, and of building and running its nbgrader notebook;
then the template comparison, once for the course; with ``--prove``, the
mutation analysis of each assignment (what ``dlgrade lint --prove -a ID``
adds). Medians over the rounds; the first round (cold imports) is shown apart.
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder.authoring import lint  # noqa: E402
from autograder.authoring.prove import prove  # noqa: E402
from autograder.course.assignment import list_assignments  # noqa: E402


def timed(run: Callable[..., Any], *args: Any) -> float:
    start = time.perf_counter()
    problems = run(*args)
    seconds = time.perf_counter() - start
    if problems:
        raise SystemExit(f"the course has authoring errors: {problems[0]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--course", type=Path, default=REPO)
    parser.add_argument("--prove", action="store_true",
                        help="also time the mutation analysis of each assignment")
    args = parser.parse_args()
    root = args.course.resolve()
    rows: dict[str, list[list[float]]] = {}
    for _ in range(args.rounds):
        for aid in list_assignments(root):
            start = time.perf_counter()
            assignment, located, problems = lint.static_problems(root, aid)
            static = time.perf_counter() - start
            if problems or assignment is None:
                raise SystemExit(f"the course has authoring errors: {problems[0]}")
            reference = timed(lint.reference_problems, root, assignment, located)
            notebook = timed(lint.notebook_problems, root, assignment, located)
            proving = 0.0
            if args.prove:
                start = time.perf_counter()
                prove(root, [aid])
                proving = time.perf_counter() - start
            rows.setdefault(aid, []).append([static, reference, notebook, len(located), proving])
        rows.setdefault("(template)", []).append([timed(lint.template_problems, root)])
    print(f"dlgrade lint, {args.rounds} rounds, seconds (median of rounds 2+; round 1 apart)")
    print(f"{'assignment':<14}{'checks':>7}{'static':>9}{'reference':>11}{'notebook':>10}"
          f"{'round 1 total':>15}" + (f"{'prove':>9}" if args.prove else ""))
    for aid, runs in rows.items():
        later = runs[1:] or runs
        med = [statistics.median(r[i] for r in later) for i in range(len(runs[0]))]
        first = sum(runs[0][:3])
        if aid == "(template)":
            print(f"{aid:<14}{'':>7}{med[0]:>9.2f}{'':>11}{'':>10}{first:>15.2f}")
        else:
            print(f"{aid:<14}{int(med[3]):>7}{med[0]:>9.2f}{med[1]:>11.2f}{med[2]:>10.2f}"
                  f"{first:>15.2f}" + (f"{med[4]:>9.2f}" if args.prove else ""))


if __name__ == "__main__":
    main()
