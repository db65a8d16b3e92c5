"""Benchmark `dlgrade check` as a student runs it; prints figures.

    python bench/bench_check.py             # 15 runs of each, toolkit and activations
    python bench/bench_check.py --runs 31 --assignments toolkit
    python bench/bench_check.py --before ../main   # also time another checkout's code

It copies the student template to a temporary folder, puts the reference
solution in it as neural_network.py, and times the real command there (a
subprocess: `python -m autograder.cli check -a ASSIGNMENT`, sandboxed, as a
student would run it), then the floor: `python -c "import numpy"`, the
least any Python command that checks NumPy code can cost. Besides wall-clock
time it prints the median CPU time (user + system) of each command and the
processes it waited for: on a busy machine that figure moves far less than
the wall-clock one (the sandbox's own processes may escape it). With
``--before DIR`` it also times the command with the code and the student
template of another checkout (a copy of its ``autograder/`` on
``PYTHONPATH``), e.g. main before a change. The commands take turns, run
after run, so that a change in the machine's load hits them all alike. It
prints the median, the quartiles and the minimum of each. Nothing
is asserted: the machine is shared and noisy; compare figures from one run.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds of it and the children it waited for) of one
    run of ``command``, which must not fail."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n"
                         f"{proc.stdout}{proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


Command = tuple[list[str], dict[str, str], Path]  # argv, environment, folder


def timed(commands: dict[str, Command], runs: int) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) seconds of ``runs`` runs of each command, taking turns (after a
    warm-up run)."""
    times: dict[str, list[tuple[float, float]]] = {label: [] for label in commands}
    for index in range(runs + 1):
        for label, (command, env, cwd) in commands.items():
            elapsed = run(command, cwd, env)
            if index:  # the first round warms the file cache
                times[label].append(elapsed)
    return times


def line(label: str, runs: list[tuple[float, float]]) -> str:
    wall = [w for w, _ in runs]
    q1, median, q3 = statistics.quantiles(wall, n=4)
    cpu = statistics.median(c for _, c in runs)
    return (f"{label:<34} median {median:.3f} s   quartiles {q1:.3f}-{q3:.3f} s   "
            f"min {min(wall):.3f} s   CPU {cpu:.3f} s   ({len(wall)} runs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--assignments", nargs="+", default=["toolkit", "activations"])
    parser.add_argument("--before", type=Path, default=None,
                        help="another checkout whose autograder/ to time too")
    args = parser.parse_args()
    env = {**os.environ, "NO_COLOR": "1"}
    # as in a student's shell: Python caches compiled modules (this machine's
    # environment turns that off, which recompiles dlgrade and the checks every run)
    for name in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    with tempfile.TemporaryDirectory(prefix="dlgrade-bench-check-") as tmp:
        work = template_copy(REPO, Path(tmp) / "after")
        commands: dict[str, Command] = {
            "floor: python -c 'import numpy'": ([sys.executable, "-c", "import numpy"], env,
                                                work)}
        for assignment in args.assignments:
            check = [sys.executable, "-m", "autograder.cli", "check", "-a", assignment]
            commands[f"dlgrade check -a {assignment}"] = (check, env, work)
            if args.before is not None:
                before = args.before.resolve()
                code = Path(tmp) / f"before-code-{assignment}"  # its caches go there
                shutil.copytree(before / "autograder", code / "autograder")
                commands[f"  before ({before.name}), -a {assignment}"] = (
                    check, {**env, "PYTHONPATH": str(code)},
                    template_copy(before, Path(tmp) / f"before-{assignment}"))
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.2f}")
        for label, times in timed(commands, args.runs).items():
            print(line(label, times))
        print(f"load average after: {os.getloadavg()[0]:.2f}")


def template_copy(checkout: Path, folder: Path) -> Path:
    """A student's copy of ``checkout``'s template, holding the reference solution."""
    shutil.copytree(checkout / "student_template", folder)
    shutil.copy(checkout / "solutions" / "neural_network.py", folder / "neural_network.py")
    return folder


if __name__ == "__main__":
    main()
