"""Benchmark discovery (reading SUBMISSIONS) on odd classes; prints figures.

    python bench/bench_discover.py            # N = 1000
    python bench/bench_discover.py --n 5000

Builds a class of N `.py` entries, a quarter of them with clashing or Unicode
names, plus the odd entries of issue 8 (a 400 MB sparse file, a named pipe,
symlinks), then times `discover()` (median of 7 runs) and reports the peak
resident memory of a child process that discovers the odd class (VmHWM: what
the 400 MB file would cost if it were read). Nothing is asserted here.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from autograder.course.discovery import discover  # noqa: E402

PEAK = """
from pathlib import Path
from autograder.course.discovery import discover
found = discover(Path({folder!r}), entry="neural_network.py", assignment="a")
peak = [line for line in open("/proc/self/status") if line.startswith("VmHWM")][0]
print(len(found), len(found.renames), int(peak.split()[1]) // 1024)
"""


def make_class(root: Path, n: int) -> Path:
    """N entries: plain, Unicode and clashing names; then the odd ones."""
    code = (REPO / "solutions" / "neural_network.py").read_bytes()
    root.mkdir()
    for i in range(n):
        name = (f"s{i}.py" if i % 4 else f"Étudiant {i // 8}.py" if i % 8 else f"s{i - 1}.zip")
        (root / name).write_bytes(code)
    with open(root / "huge.py", "wb") as handle:
        handle.truncate(400 * 2**20)
    os.mkfifo(root / "pipe.py")
    (root / "link.py").symlink_to(REPO / "solutions" / "neural_network.py")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dlgrade-bench-") as tmp:
        folder = make_class(Path(tmp) / "class", args.n)
        times = []
        for _ in range(7):
            start = time.perf_counter()
            found = discover(folder, entry="neural_network.py", assignment="a")
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        print(f"discover: {len(found)} entries, {len(found.renames)} renamed, "
              f"median {median * 1000:.1f} ms ({median / len(found) * 1e6:.0f} µs per entry)")
        proc = subprocess.run([sys.executable, "-c", PEAK.format(folder=str(folder))],
                              capture_output=True, text=True, check=True, cwd=REPO)
        entries, renamed, peak = proc.stdout.split()
        print(f"peak memory of a process discovering them (with a 400 MB file): {peak} MB")


if __name__ == "__main__":
    main()
