"""Mutation analysis of the checks: does every realistic bug lose points?

Generates the first-order mutants of ``solutions/neural_network.py`` with
cosmic-ray (its core operators, plus the course operators of
``bench/mutation_ops.py``), keeps those inside a function's
``### BEGIN SOLUTION`` fence, and grades each against every assignment that
has checks for its function, through dlgrade's own engine (``run_session``,
the unsandboxed in-process runner, one pytest session per batch of mutants).
Batches run in subprocesses with a memory limit and a time limit per mutant:
a mutant that hangs or crashes its batch counts as killed (the sandbox would
time it out) and the batch goes on without it.

A mutant survives when it keeps full marks. A survivor is acceptable only
when ``assignments/<id>/equivalent_mutants.toml`` lists it as equivalent
(same results on every input the course allows) with a reason.

    python bench/mutation.py                 # the full report
    python bench/mutation.py --function relu # one function
    python bench/mutation.py --sample 0.2    # a seeded 20 % sample
    python bench/mutation.py --json out.json # also write every mutant's outcome
    python bench/mutation.py --equivalents   # also list the equivalent mutants

Prints, per assignment and function: mutants, killed, equivalent, surviving
and the mutation score (killed / (mutants - equivalent)); exits 1 when a
mutant survives that is not listed as equivalent, or an equivalent entry
matches no mutant any more (stale).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import random
import resource
import selectors
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = ROOT / "solutions" / "neural_network.py"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

# cosmic-ray core operators that do not apply here (no decorators, no exceptions)
# or need per-run arguments (the variable operators)
SKIPPED_CORE = {"NoOp", "RemoveDecorator", "ExceptionReplacer", "VariableReplacer",
                "VariableInserter"}
# functions whose checks also exercise another function (forward_perceptron calls
# the student's own sigmoid)
CALLERS = {"sigmoid": ["forward_perceptron"]}
PER_MUTANT_TIMEOUT = 30.0  # seconds; a mutant's checks take well under one
MEMORY_LIMIT = 2 * 1024 ** 3  # address space of a batch process


@dataclass(frozen=True)
class Mutant:
    """One first-order mutant of the reference solution."""

    id: str  # stable: a hash of function, operator, before and after
    function: str
    operator: str
    line: int
    before: str  # the original line(s) the mutation changes, stripped
    after: str  # what they become
    code: str  # the whole mutated file


def operators() -> dict[str, Any]:
    """name -> operator class: cosmic-ray's core set plus the course operators."""
    from cosmic_ray.operators.provider import OperatorProvider
    from mutation_ops import COURSE_OPERATORS

    core = OperatorProvider()
    ops = {f"core/{name}": core[name] for name in core if name not in SKIPPED_CORE}
    ops.update({f"course/{name}": cls for name, cls in COURSE_OPERATORS.items()})
    return ops


def fences(source: str) -> list[tuple[str, int, int]]:
    """(function, first line, last line) of each ``### BEGIN/END SOLUTION`` fence."""
    out: list[tuple[str, int, int]] = []
    function, start = "", 0
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("def "):
            function = stripped[4:].split("(", 1)[0]
        elif stripped == "### BEGIN SOLUTION":
            start = number
        elif stripped == "### END SOLUTION":
            out.append((function, start, number))
    return out


def _changed_lines(old: str, new: str) -> tuple[str, str]:
    """The lines between the first and the last that differ, stripped, without
    comment-only lines: ``"a / b"`` -> ``"b / a"`` for two swapped statements."""
    a, b = old.splitlines(), new.splitlines()
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1

    def lines(text: list[str]) -> str:
        kept = [s.strip() for s in text[head:len(text) - tail]]
        return " / ".join(s for s in kept if s and not s.startswith("#"))

    return lines(a), lines(b)


def generate(source: str | None = None) -> list[Mutant]:
    """Every first-order mutant of the solution inside a solution fence."""
    from cosmic_ray.ast import ast_nodes, get_ast
    from cosmic_ray.mutating import mutate_code

    source = SOLUTION.read_text(encoding="utf-8") if source is None else source
    regions = fences(source)
    mutants: list[Mutant] = []
    seen: set[str] = set()
    for name, cls in operators().items():
        op = cls()
        positions = [pos for node in ast_nodes(get_ast(source))
                     for pos in op.mutation_positions(node)]
        for occurrence, (start, end) in enumerate(positions):
            function = next((f for f, lo, hi in regions
                             if lo < start[0] and end[0] < hi), None)
            if function is None:
                continue
            code = mutate_code(source, op, occurrence)
            if code is None or code == source:
                continue
            try:
                compile(code, "mutant", "exec")
            except SyntaxError:
                continue
            before, after = _changed_lines(source, code)
            key = f"{function}|{name}|{before}|{after}"
            if key in seen:  # the same change reached twice (e.g. two operators)
                continue
            seen.add(key)
            digest = hashlib.sha1(key.encode()).hexdigest()[:10]
            mutants.append(Mutant(id=digest, function=function, operator=name,
                                  line=start[0], before=before, after=after, code=code))
    return mutants


# ------------------------------------------------------------------ grading

def check_functions(assignment: Any, function: str) -> list[str]:
    """The functions whose checks a mutant of ``function`` is graded on."""
    return [f for f in [function, *CALLERS.get(function, [])] if f in assignment.functions]


def _worker() -> None:
    """Grade the mutants on stdin (JSON) in one pytest session; one JSON line each."""
    from autograder.assignment import find_course, load_assignment
    from autograder.session import run_session
    from autograder.submission import Submission

    job = json.loads(sys.stdin.read())
    assignment = load_assignment(find_course(ROOT), job["assignment"])
    functions = job["functions"]
    subset = dataclasses.replace(
        assignment, functions=tuple(functions),
        points={f: assignment.points[f] for f in functions})
    files = [p for p in assignment.check_files(hidden=True)
             if p.stem.removeprefix("test_") in functions]

    out = sys.stdout
    sys.stdout = sys.stderr  # pytest's own output must not mix with the results

    def emit(result: Any) -> None:
        failed = [c.check for c in result.checks if c.outcome != "passed"]
        out.write(json.dumps({"id": result.student, "score": result.score,
                              "max": result.max_score, "status": result.status,
                              "failed": failed}) + "\n")
        out.flush()

    subs = (Submission(m["id"], "py", files={"neural_network.py": m["code"]})
            for m in job["mutants"])
    try:
        run_session(assignment=subset, submissions=subs, sandbox_mode="none",
                    check_files=files, emit=emit)
    finally:
        sys.stdout = out


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _run_batch(assignment_id: str, functions: list[str], mutants: list[Mutant],
               timeout: float) -> Iterator[tuple[str, dict[str, Any]]]:
    """Grade ``mutants`` in a subprocess; on a hang or crash, blame the mutant in
    flight (killed) and start again with the rest."""
    pending = list(mutants)
    while pending:
        job = {"assignment": assignment_id, "functions": functions,
               "mutants": [{"id": m.id, "code": m.code} for m in pending]}
        proc = subprocess.Popen([sys.executable, __file__, "--worker"], cwd=ROOT,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, preexec_fn=_limit_memory,
                                env={**os.environ, "PYTHONHASHSEED": "0"})
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps(job).encode())
        proc.stdin.close()
        selector = selectors.DefaultSelector()
        selector.register(proc.stdout, selectors.EVENT_READ)
        buffer = b""
        deadline = time.monotonic() + timeout + 10.0  # start-up of the first mutant
        reason = ""
        while pending:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(timeout=left):
                reason = "timeout"
                break
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                reason = "crash"
                break
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                result = json.loads(line)
                done = next(m for m in pending if m.id == result["id"])
                pending.remove(done)
                yield done.id, result
                deadline = time.monotonic() + timeout
        proc.kill()
        proc.wait()
        selector.close()
        if pending:
            culprit = pending.pop(0)
            yield culprit.id, {"id": culprit.id, "score": 0.0, "max": 0.0,
                               "status": reason, "failed": [reason]}


def grade_mutants(mutants: list[Mutant], *, jobs: int = 2,
                  timeout: float = PER_MUTANT_TIMEOUT) -> dict[tuple[str, str], dict]:
    """(assignment id, mutant id) -> result, for every assignment that checks the
    mutant's function."""
    from concurrent.futures import ThreadPoolExecutor

    from autograder.assignment import find_course, list_assignments, load_assignment

    course = find_course(ROOT)
    batches: list[tuple[str, list[str], list[Mutant]]] = []
    for assignment_id in list_assignments(course):
        assignment = load_assignment(course, assignment_id)
        by_function: dict[str, list[Mutant]] = {}
        for m in mutants:
            if m.function in assignment.functions:
                by_function.setdefault(m.function, []).append(m)
        for function, group in by_function.items():
            functions = check_functions(assignment, function)
            # split big groups so that both cores stay busy
            size = max(8, (len(group) + jobs - 1) // jobs)
            for k in range(0, len(group), size):
                batches.append((assignment_id, functions, group[k:k + size]))
    results: dict[tuple[str, str], dict] = {}

    def run(batch: tuple[str, list[str], list[Mutant]]) -> None:
        assignment_id, functions, group = batch
        for mutant_id, result in _run_batch(assignment_id, functions, group, timeout):
            results[(assignment_id, mutant_id)] = result

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(run, sorted(batches, key=lambda b: -len(b[2]))))
    return results


# ------------------------------------------------------------------ equivalents

def load_equivalents() -> dict[str, dict[str, dict[str, str]]]:
    """assignment id -> mutant id -> its entry in equivalent_mutants.toml."""
    from autograder.assignment import find_course, list_assignments, load_assignment

    course = find_course(ROOT)
    out: dict[str, dict[str, dict[str, str]]] = {}
    for assignment_id in list_assignments(course):
        path = load_assignment(course, assignment_id).root / "equivalent_mutants.toml"
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("mutant", []) \
            if path.exists() else []
        out[assignment_id] = {e["id"]: e for e in entries}
    return out


@dataclass
class Report:
    """The outcome of a mutation run."""

    rows: list[dict[str, Any]]  # one per (assignment, function)
    survivors: list[tuple[str, Mutant]]  # not killed and not listed as equivalent
    stale: list[tuple[str, str]]  # (assignment, id) listed as equivalent, but killed or gone
    outcomes: list[dict[str, Any]]  # one per (assignment, mutant)


def analyse(mutants: list[Mutant], results: dict[tuple[str, str], dict],
            equivalents: dict[str, dict[str, dict[str, str]]], *,
            complete: bool) -> Report:
    """Count killed / equivalent / surviving per assignment and function."""
    by_id = {m.id: m for m in mutants}
    counts: dict[tuple[str, str], dict[str, int]] = {}
    survivors: list[tuple[str, Mutant]] = []
    stale: list[tuple[str, str]] = []
    outcomes: list[dict[str, Any]] = []
    for (assignment_id, mutant_id), result in sorted(results.items()):
        m = by_id[mutant_id]
        row = counts.setdefault((assignment_id, m.function),
                                {"mutants": 0, "killed": 0, "equivalent": 0, "surviving": 0})
        row["mutants"] += 1
        killed = result["status"] != "graded" or result["score"] < result["max"]
        listed = mutant_id in equivalents.get(assignment_id, {})
        if killed:
            row["killed"] += 1
            if listed:
                stale.append((assignment_id, mutant_id))
        elif listed:
            row["equivalent"] += 1
        else:
            row["surviving"] += 1
            survivors.append((assignment_id, m))
        outcomes.append({"assignment": assignment_id, "id": m.id, "function": m.function,
                         "operator": m.operator, "line": m.line, "before": m.before,
                         "after": m.after, "killed": killed, "equivalent": listed,
                         "failed": result["failed"]})
    if complete:
        present = {key for key in results}
        stale += [(a, i) for a, entries in equivalents.items() for i in entries
                  if (a, i) not in present]
    rows = []
    for (assignment_id, function), row in sorted(counts.items()):
        live = row["mutants"] - row["equivalent"]
        rows.append({"assignment": assignment_id, "function": function, **row,
                     "score": row["killed"] / live if live else 1.0})
    return Report(rows=rows, survivors=survivors, stale=stale, outcomes=outcomes)


def equivalent_entry(m: Mutant) -> str:
    """A TOML entry to paste into equivalent_mutants.toml (the reason left to fill)."""
    return (f'[[mutant]]\nid = "{m.id}"\nfunction = "{m.function}"\n'
            f'operator = "{m.operator}"\nbefore = {json.dumps(m.before)}\n'
            f'after = {json.dumps(m.after)}\nreason = ""\n')


def print_report(report: Report, seconds: float, total: int, *,
                 equivalents: dict[str, dict[str, dict[str, str]]] | None = None) -> None:
    """The table per assignment and function; then, when ``equivalents`` is given,
    every equivalent mutant with its reason; then survivors and stale entries."""
    print(f"{'assignment':<12} {'function':<22} {'mutants':>7} {'killed':>7} "
          f"{'equiv':>6} {'surviving':>9} {'score':>7}")
    for r in report.rows:
        print(f"{r['assignment']:<12} {r['function']:<22} {r['mutants']:>7} {r['killed']:>7} "
              f"{r['equivalent']:>6} {r['surviving']:>9} {r['score']:>7.1%}")
    mutants = sum(r["mutants"] for r in report.rows)
    killed = sum(r["killed"] for r in report.rows)
    equivalent = sum(r["equivalent"] for r in report.rows)
    live = mutants - equivalent
    print(f"{'all':<12} {'':<22} {mutants:>7} {killed:>7} {equivalent:>6} "
          f"{len(report.survivors):>9} {killed / live if live else 1.0:>7.1%}")
    print(f"{total} mutants of {SOLUTION.relative_to(ROOT)} graded {mutants} times "
          f"in {seconds:.1f} s")
    if equivalents:
        print("\nEquivalent mutants (assignments/<id>/equivalent_mutants.toml):")
        for o in report.outcomes:
            entry = equivalents.get(o["assignment"], {}).get(o["id"])
            if o["equivalent"] and not o["killed"] and entry:
                print(f"  {o['assignment']}/{o['function']} [{o['id']}] {o['operator']}\n"
                      f"    - {_short(o['before'])}\n    + {_short(o['after'])}\n"
                      f"    because {entry['reason']}")
    for assignment_id, m in report.survivors:
        print(f"\nSURVIVOR {assignment_id}/{m.function} {m.operator} line {m.line} "
              f"[{m.id}]\n  - {m.before}\n  + {m.after}")
    for assignment_id, mutant_id in report.stale:
        print(f"\nSTALE equivalent entry {assignment_id}: {mutant_id} (killed, or no "
              "such mutant any more): remove it")


def _short(text: str, limit: int = 150) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
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
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker()
        return 0
    started = time.perf_counter()
    mutants = generate()
    total = len(mutants)
    if args.function:
        mutants = [m for m in mutants if m.function in args.function]
    if args.sample < 1.0:
        mutants = random.Random(args.seed).sample(mutants, round(len(mutants) * args.sample))
    results = grade_mutants(mutants, jobs=args.jobs)
    complete = not args.function and args.sample >= 1.0
    equivalents = load_equivalents()
    report = analyse(mutants, results, equivalents, complete=complete)
    print_report(report, time.perf_counter() - started, total,
                 equivalents=equivalents if args.equivalents else None)
    if args.toml:
        for assignment_id, m in report.survivors:
            print(f"\n# {assignment_id}\n{equivalent_entry(m)}")
    if args.json:
        args.json.write_text(json.dumps({"rows": report.rows, "outcomes": report.outcomes},
                                        indent=1), encoding="utf-8")
    return 1 if report.survivors or report.stale else 0


if __name__ == "__main__":
    sys.exit(main())
