"""What the limits probe adds to ``dlgrade grade``'s start-up.

Prints the median time of the probe alone (a zygote, one worker loading the
reference solution and making one numpy call) and the median wall time of
grading one submission with and without it (the probe overlaps the start-up
of the grading processes, so the difference is what a user waits for).

    python bench/bench_probe.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.grading import engine  # noqa: E402
from autograder.grading.limits_probe import check_limits  # noqa: E402
from autograder.course.limits import Limits  # noqa: E402

RUNS = 9


class NoProbe:
    """Stands in for LimitsProbe to time grading without it."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def start(self) -> None:
        pass

    def result(self) -> float:
        return 0.0


def grade_once(subs: Path, out: Path) -> float:
    start = time.perf_counter()
    engine.grade(subs, assignment_id="toolkit", out=out, course=ROOT,
                 options=engine.GradeOptions(jobs=2, force=True))
    return time.perf_counter() - start


def main() -> None:
    probe = [check_limits(ROOT, "neural_network.py", Limits()) for _ in range(RUNS)]
    with tempfile.TemporaryDirectory() as tmp:
        subs = Path(tmp) / "subs"
        (subs / "alice").mkdir(parents=True)
        (subs / "alice" / "neural_network.py").write_text(
            (ROOT / "solutions" / "neural_network.py").read_text())
        with_probe: list[float] = []
        without: list[float] = []
        real = engine.LimitsProbe
        for _ in range(RUNS):  # interleaved, so machine load affects both alike
            with_probe.append(grade_once(subs, Path(tmp) / "out"))
            engine.LimitsProbe = NoProbe  # type: ignore[assignment,misc]
            try:
                without.append(grade_once(subs, Path(tmp) / "out"))
            finally:
                engine.LimitsProbe = real  # type: ignore[misc]
    print(f"probe alone: median {statistics.median(probe):.3f} s over {RUNS} runs")
    print(f"grade 1 submission: median {statistics.median(with_probe):.2f} s with the probe, "
          f"{statistics.median(without):.2f} s without "
          f"(+{statistics.median(with_probe) - statistics.median(without):.2f} s)")


if __name__ == "__main__":
    main()
