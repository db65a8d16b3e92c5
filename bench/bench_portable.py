"""What the portable sandbox (macOS, Windows) costs beside Linux's zygote; prints figures.

    python bench/bench_portable.py            # 20 workers, 200 calls each way
    python bench/bench_portable.py --workers 40 --calls 1000

Measured on this Linux machine with the portable path forced, so the figures
say what a plain subprocess per submission costs here, not what a Mac or a
Windows laptop will show. For each sandbox: ms from spawn to the student's
file loaded (median), ms per call round trip (relu on a 100x100 array,
median), and the wall time of a real ``dlgrade check -a toolkit`` in a filled
copy of the student template (median of 3). Nothing is asserted.
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

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder.course.limits import Limits  # noqa: E402
from autograder.sandbox.client import Zygote  # noqa: E402
from autograder.sandbox.portable import PortableZygote  # noqa: E402

SPEC = {"module": "neural_network", "kind": "py", "entry": "neural_network.py"}


def per_worker(zygote: Zygote | PortableZygote, files: dict[str, str], workers: int,
               calls: int) -> tuple[float, float]:
    """(median ms from spawn to loaded, median ms per call)."""
    starts, rounds = [], []
    Z = np.random.default_rng(0).standard_normal((100, 100))
    for i in range(workers):
        t0 = time.perf_counter()
        worker = zygote.spawn(files=files, spec=SPEC, limits=Limits())
        worker.wait_ready()
        starts.append(time.perf_counter() - t0)
        for _ in range(calls // workers if i else 0):
            t1 = time.perf_counter()
            worker.call({"fn": "relu", "args": [Z], "kwargs": {}}, lambda fn: None)
            rounds.append(time.perf_counter() - t1)
        worker.kill()
        worker.captured_output()
    return statistics.median(starts) * 1000, statistics.median(rounds) * 1000


def check_seconds(portable: bool) -> float:
    """Median wall time of three real ``dlgrade check -a toolkit`` runs."""
    env = {k: v for k, v in os.environ.items() if k != "DLGRADE_PORTABLE"}
    if portable:
        env["DLGRADE_PORTABLE"] = "1"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "mine"
        shutil.copytree(REPO / "student_template", work)
        shutil.copy(REPO / "solutions" / "neural_network.py", work / "neural_network.py")
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "autograder.cli", "check", "-a", "toolkit"],
                           cwd=work, env=env, capture_output=True, check=True)
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=20)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    files = {"neural_network.py": (REPO / "solutions" / "neural_network.py").read_text()}
    print(f"{'sandbox':<22} {'spawn->loaded ms':>17} {'call ms':>8} {'dlgrade check s':>16}")
    for name, make, portable in (("zygote (Linux)", lambda: Zygote(job=11), False),
                                 ("portable (forced)", PortableZygote, True)):
        zygote = make()
        if isinstance(zygote, Zygote):
            _ = zygote.mode  # wait for the zygote to warm up: not a per-worker cost
        start, call = per_worker(zygote, files, args.workers, args.calls)
        zygote.close()
        label = f"{name}, {zygote.mode}"
        print(f"{label:<22} {start:>17.1f} {call:>8.3f} {check_seconds(portable):>16.2f}")


if __name__ == "__main__":
    main()
