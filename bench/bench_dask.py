"""Local grading versus grading on a Dask cluster, on this machine.

Builds N submissions of the activations assignment (a mix of correct and buggy
toolkits, see tests/grading/test_dask.py), then times ``dlgrade grade`` end to end:

* locally with ``--jobs 2``;
* through a ``dask scheduler`` and two ``dask worker`` processes (one thread
  each) on 127.0.0.1, started once before the runs (a cluster is long-lived).

Both are timed as a user sees them: the whole command, Python start-up included.
``--batches 1,4,8`` also times the grading phase alone for several task sizes.

    python bench/bench_dask.py            # N=200, 3 runs each, median
    python bench/bench_dask.py -n 500 --repeat 5 --batches 1,2,4,8
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "grading"))

from test_dask import cluster, dlgrade_grade, write_submissions  # noqa: E402


def timed_run(subs: Path, out: Path, *extra: str) -> float:
    """Seconds for one ``dlgrade grade --force`` run; fails loudly if it fails."""
    start = time.perf_counter()
    done = dlgrade_grade(subs, out, "--force", *extra)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"dlgrade grade failed ({done.returncode}): {done.stderr}")
    return seconds


def line(label: str, seconds: float, n: int) -> str:
    return (f"  {label:<34} {seconds:6.2f} s  {n / seconds:6.1f} submissions/s  "
            f"{1000 * seconds / n:6.1f} ms/submission")


def grading_phase(address: str, subs: Path, batch: int) -> float:
    """Seconds to grade every submission with DaskBackend(batch=...), start-up excluded."""
    from autograder.grading.dask_client import DaskBackend
    from autograder.course.discovery import discover

    todo = list(discover(subs, entry="neural_network.py", assignment="activations"))
    backend = DaskBackend(address, course_root=REPO, assignment="activations", batch=batch)
    backend.start()
    try:
        start = time.perf_counter()
        graded = sum(1 for _ in backend.grade(todo))
        seconds = time.perf_counter() - start
    finally:
        backend.close()
    assert graded == len(todo)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="submissions (default 200)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (default 3)")
    parser.add_argument("--batches", default="", help="also time these task sizes, e.g. 1,4,8")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="dlgrade-bench-") as tmp:
        work = Path(tmp)
        subs = write_submissions(work / "subs", args.n)
        local = [timed_run(subs, work / "local", "--jobs", "2") for _ in range(args.repeat)]
        with cluster(work / "cluster") as dask:
            remote = [timed_run(subs, work / "dask", "--scheduler", dask.address)
                      for _ in range(args.repeat)]
            sweep = {int(b): statistics.median(grading_phase(dask.address, subs, int(b))
                                               for _ in range(args.repeat))
                     for b in args.batches.split(",") if b.strip()}

    n, t_local, t_dask = args.n, statistics.median(local), statistics.median(remote)
    print(f"{n} submissions of 'activations' on {os.cpu_count()} cores "
          f"(median of {args.repeat} runs, whole command):")
    print(line("local, --jobs 2", t_local, n))
    print(line("Dask, scheduler + 2 workers x 1 thread", t_dask, n))
    print(f"  Dask overhead: {1000 * (t_dask - t_local) / n:+.1f} ms/submission "
          f"({100 * (t_dask / t_local - 1):+.0f}%)")
    for batch, seconds in sweep.items():
        print(line(f"grading phase only, batch={batch}", seconds, n))


if __name__ == "__main__":
    main()
