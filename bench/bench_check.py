"""Benchmark `dlgrade check` as a student runs it; prints figures.

    python bench/bench_check.py             # 15 runs of each, toolkit and activations
    python bench/bench_check.py --runs 31 --assignments toolkit

It copies the student template to a temporary folder, puts the reference
solution in it as neural_network.py, and times the real command there (a
subprocess: `python -m autograder.cli check -a ASSIGNMENT`, sandboxed, as a
student would run it), then the floor: `python -c "import numpy"`, the
least any Python command that checks NumPy code can cost. It prints the
median, the quartiles and the minimum of each. Nothing is asserted: the
machine is shared and noisy; compare figures from one run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def timed(command: list[str], cwd: Path, runs: int, *, ok: tuple[int, ...] = (0,)) -> list[float]:
    """Wall-clock seconds of ``runs`` runs of ``command`` (after one warm-up run)."""
    env = {**os.environ, "NO_COLOR": "1"}
    times = []
    for index in range(runs + 1):
        start = time.perf_counter()
        proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if proc.returncode not in ok:
            raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n"
                             f"{proc.stdout}{proc.stderr}")
        if index:  # the first run warms the file cache
            times.append(elapsed)
    return times


def line(label: str, times: list[float]) -> str:
    q1, median, q3 = statistics.quantiles(times, n=4)
    return (f"{label:<34} median {median:.3f} s   quartiles {q1:.3f}-{q3:.3f} s   "
            f"min {min(times):.3f} s   ({len(times)} runs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--assignments", nargs="+", default=["toolkit", "activations"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dlgrade-bench-check-") as tmp:
        work = Path(tmp) / "template"
        shutil.copytree(REPO / "student_template", work)
        shutil.copy(REPO / "solutions" / "neural_network.py", work / "neural_network.py")
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.2f}")
        floor = timed([sys.executable, "-c", "import numpy"], work, args.runs)
        print(line("floor: python -c 'import numpy'", floor))
        for assignment in args.assignments:
            times = timed([sys.executable, "-m", "autograder.cli", "check", "-a", assignment],
                          work, args.runs)
            print(line(f"dlgrade check -a {assignment}", times))
        print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
