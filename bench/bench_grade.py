"""Benchmark `dlgrade grade` and `dlgrade check` on this machine; prints figures.

    python bench/bench_grade.py              # N = 200 and 1000, both assignments
    python bench/bench_grade.py --n 200 --assignments activations

For each assignment and N it reports, for a real `dlgrade grade --jobs 2` run
(a subprocess, sandboxed): submissions/s, ms per submission and the peak RSS
of the grader (the dlgrade process alone, and the whole tree: grading
processes, zygotes, workers). Then the sandbox overhead: the same checks on
the same submissions in one process, sandboxed (one job) and unsandboxed
(student code imported in-process: the floor). Finally `dlgrade check`
latency in a filled copy of the student template. Nothing here is asserted:
these machines are shared and noisy; compare the ratios printed in one run.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import REPO, make_class  # noqa: E402

from autograder.course.assignment import load_assignment  # noqa: E402
from autograder.grading.session import run_session  # noqa: E402
from autograder.course.discovery import discover  # noqa: E402


def tree_rss_kb(root: int) -> tuple[int, int]:
    """(RSS of ``root``, RSS of ``root`` and all its descendants) in kB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return rss.get(root, 0), total


def grade_run(subs: Path, assignment: str, jobs: int, work: Path) -> dict:
    out = work / f"out-{assignment}-{jobs}"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "autograder.cli", "grade", str(subs), "-a", assignment,
           "-o", str(out), "--jobs", str(jobs), "--force", "--course", str(REPO)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_main = peak_tree = 0
    while proc.poll() is None:
        main, tree = tree_rss_kb(proc.pid)
        peak_main, peak_tree = max(peak_main, main), max(peak_tree, tree)
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"dlgrade grade failed:\n{stderr[-2000:]}")
    return {"seconds": seconds, "peak_main_mb": peak_main / 1024,
            "peak_tree_mb": peak_tree / 1024, "summary": stdout.strip().splitlines()[-1]}


def in_process(subs: Path, assignment_id: str, mode: str) -> float:
    """Seconds to grade ``subs`` in this process (one job): sandboxed or not."""
    assignment = load_assignment(REPO, assignment_id)
    subs_list = list(discover(subs, entry=assignment.submit, assignment=assignment.id))
    results: list = []
    start = time.perf_counter()
    run_session(assignment=assignment, submissions=subs_list, emit=results.append,
                sandbox_mode=mode)
    return time.perf_counter() - start


def check_latency(work: Path, runs: int = 7) -> float:
    template = work / "template"
    shutil.copytree(REPO / "student_template", template)
    shutil.copy(REPO / "solutions" / "neural_network.py", template / "neural_network.py")
    exe = shutil.which("dlgrade") or sys.executable
    cmd = [exe, "check", "-a", "activations"] if exe.endswith("dlgrade") else \
        [exe, "-m", "autograder.cli", "check", "-a", "activations"]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=template, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--assignments", nargs="+", default=["activations", "toolkit"])
    parser.add_argument("--floor-n", type=int, default=200)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="dlgrade-bench-") as tmp:
        work = Path(tmp)
        for n in args.n:
            subs = work / f"class-{n}"
            make_class(subs, n, seed=n)
            for assignment in args.assignments:
                run = grade_run(subs, assignment, 2, work)
                rate = n / run["seconds"]
                print(f"grade {assignment:11s} N={n:5d} --jobs 2: {run['seconds']:6.1f} s, "
                      f"{rate:6.1f} submissions/s, {1000 / rate:6.1f} ms/submission; peak RSS "
                      f"dlgrade {run['peak_main_mb']:.0f} MB, whole tree "
                      f"{run['peak_tree_mb']:.0f} MB")
        subs = work / f"class-{args.floor_n}"
        if not subs.exists():
            make_class(subs, args.floor_n, seed=args.floor_n)
        for assignment in args.assignments:
            floor = in_process(subs, assignment, "none")
            boxed = in_process(subs, assignment, "auto")
            n = args.floor_n
            print(f"one job, {assignment:11s} N={n}: unsandboxed floor {1000 * floor / n:5.1f} "
                  f"ms/submission, sandboxed {1000 * boxed / n:5.1f} ms/submission, overhead "
                  f"{1000 * (boxed - floor) / n:+5.1f} ms/submission")
        print(f"dlgrade check (activations, reference code): median "
              f"{check_latency(work):.3f} s over 7 runs")


if __name__ == "__main__":
    main()
