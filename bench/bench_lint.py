"""What `dlgrade lint` costs, pass by pass, per assignment; prints figures.

    python bench/bench_lint.py              # the course in this repository, 3 rounds
    python bench/bench_lint.py --rounds 5

For each assignment: seconds of the static pass (what `dlgrade grade`,
`generate` and `nbgrader init` pay before they start), of grading the
reference in the sandbox, and of building and running its nbgrader notebook;
then the template comparison, once for the course. Medians over the rounds;
the first round (cold imports) is shown apart. Nothing is asserted.
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
            rows.setdefault(aid, []).append([static, reference, notebook, len(located)])
        rows.setdefault("(template)", []).append([timed(lint.template_problems, root)])
    print(f"dlgrade lint, {args.rounds} rounds, seconds (median of rounds 2+; round 1 apart)")
    print(f"{'assignment':<14}{'checks':>7}{'static':>9}{'reference':>11}{'notebook':>10}"
          f"{'round 1 total':>15}")
    for aid, runs in rows.items():
        later = runs[1:] or runs
        med = [statistics.median(r[i] for r in later) for i in range(len(runs[0]))]
        first = sum(runs[0][:3])
        if aid == "(template)":
            print(f"{aid:<14}{'':>7}{med[0]:>9.2f}{'':>11}{'':>10}{first:>15.2f}")
        else:
            print(f"{aid:<14}{int(med[3]):>7}{med[0]:>9.2f}{med[1]:>11.2f}{med[2]:>10.2f}"
                  f"{first:>15.2f}")


if __name__ == "__main__":
    main()
