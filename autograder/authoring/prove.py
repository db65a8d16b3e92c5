"""Mutation analysis of the checks, per assignment: does every realistic bug lose points?

For each assignment, the reference ``solutions/<submit>`` is mutated with
cosmic-ray (its core operators plus :mod:`autograder.authoring.mutation_ops`), one
first-order change at a time, inside each function's ``### BEGIN/END
SOLUTION`` fence. Every mutant is graded on the checks of its function and of
the assignment's functions that call it (found in the reference's code),
through dlgrade's own engine (``run_session``, the unsandboxed in-process
runner). Batches of mutants run in subprocesses with a memory limit and a
time limit per mutant: a mutant that hangs or crashes its batch counts as
killed (the sandbox would time it out) and the batch goes on without it.

A mutant *survives* when it keeps full marks. A survivor is acceptable only
when ``assignments/<id>/equivalent_mutants.toml`` lists it as equivalent (the
same results on every input the course allows) with a reason.

``dlgrade lint --prove`` and ``bench/mutation.py`` both run :func:`prove`.
cosmic-ray is needed at run time (the ``test`` extra); without it
:func:`require_cosmic_ray` raises a one-line usage error.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
import os
import random
import resource
import selectors
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from autograder.course.assignment import Assignment, list_assignments, load_assignment
from autograder.errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SOLUTIONS_DIR = "solutions"
EQUIVALENTS_FILE = "equivalent_mutants.toml"
# cosmic-ray core operators that do not apply here (no decorators, no exceptions)
# or need per-run arguments (the variable operators)
SKIPPED_CORE = {"NoOp", "RemoveDecorator", "ExceptionReplacer", "VariableReplacer",
                "VariableInserter"}
PER_MUTANT_TIMEOUT = 30.0  # seconds; a mutant's checks take well under one
MEMORY_LIMIT = 2 * 1024 ** 3  # address space of a batch process


@dataclass(frozen=True)
class Mutant:
    """One first-order mutant of a reference solution file."""

    id: str  # stable: a hash of function, operator, before and after
    function: str
    operator: str
    line: int
    before: str  # the original line(s) the mutation changes, stripped
    after: str  # what they become
    code: str  # the whole mutated file
    file: str = "neural_network.py"  # the mutated file, relative to solutions/


def require_cosmic_ray() -> None:
    """Raise a one-line usage error when cosmic-ray cannot be imported."""
    try:
        import cosmic_ray.mutating  # noqa: F401
    except ImportError:
        raise UsageError("proving the checks needs cosmic-ray, which is not installed "
                         "(pip install 'dlgrade[test]', or pip install cosmic-ray)") from None


def operators() -> dict[str, Any]:
    """name -> operator class: cosmic-ray's core set plus the course operators."""
    from cosmic_ray.operators.provider import OperatorProvider

    from autograder.authoring.mutation_ops import COURSE_OPERATORS

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


def callers(source: str, function: str, among: tuple[str, ...] | list[str]) -> list[str]:
    """The functions of ``among`` whose code in ``source`` calls ``function``,
    directly or through one another (forward_perceptron calls sigmoid)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    calls: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            calls[node.name] = {n.func.id for n in ast.walk(node)
                                if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    found: list[str] = []
    todo = [function]
    while todo:
        callee = todo.pop()
        for name in among:
            if name != function and name not in found and callee in calls.get(name, set()):
                found.append(name)
                todo.append(name)
    return [name for name in among if name in found]


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


def generate(source: str, *, file: str = "neural_network.py") -> list[Mutant]:
    """Every first-order mutant of ``source`` inside a solution fence."""
    from cosmic_ray.ast import ast_nodes, get_ast
    from cosmic_ray.mutating import mutate_code

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
                                  line=start[0], before=before, after=after, code=code,
                                  file=file))
    return mutants


def course_mutants(course: Path, assignment_ids: list[str] | None = None) -> list[Mutant]:
    """The mutants of every reference file that the chosen assignments submit,
    restricted to those assignments' functions."""
    ids = assignment_ids or list_assignments(course)
    wanted: dict[str, set[str]] = {}
    for aid in ids:
        assignment = load_assignment(course, aid)
        wanted.setdefault(assignment.submit, set()).update(assignment.functions)
    mutants: list[Mutant] = []
    for file, functions in sorted(wanted.items()):
        source = (course / SOLUTIONS_DIR / file).read_text(encoding="utf-8")
        mutants += [m for m in generate(source, file=file) if m.function in functions]
    return mutants


# ------------------------------------------------------------------ grading

def check_functions(assignment: Assignment, function: str, source: str) -> list[str]:
    """The functions whose checks a mutant of ``function`` is graded on."""
    if function not in assignment.functions:
        return []
    return [function, *callers(source, function, assignment.functions)]


def _worker() -> None:
    """Grade the mutants on stdin (JSON) in one pytest session; one JSON line each."""
    from autograder.grading.session import run_session
    from autograder.course.submission import Submission

    job = json.loads(sys.stdin.read())
    assignment = load_assignment(Path(job["course"]), job["assignment"])
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

    others = {name: (Path(job["course"]) / SOLUTIONS_DIR / name).read_text(encoding="utf-8")
              for name in assignment.also_submit}  # the files the mutated one imports
    subs = (Submission(m["id"], "py", files={**others, assignment.submit: m["code"]})
            for m in job["mutants"])
    try:
        run_session(assignment=subset, submissions=subs, sandbox_mode="none",
                    check_files=files, emit=emit)
    finally:
        sys.stdout = out


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _run_batch(course: Path, assignment_id: str, functions: list[str], mutants: list[Mutant],
               timeout: float, stop: threading.Event | None = None
               ) -> Iterator[tuple[str, dict[str, Any]]]:
    """Grade ``mutants`` in a subprocess; on a hang or crash, blame the mutant in
    flight (killed) and start again with the rest. Once ``stop`` is set, kill the
    subprocess and return."""
    pending = list(mutants)
    stop = stop or threading.Event()
    while pending and not stop.is_set():
        job = {"course": str(course), "assignment": assignment_id, "functions": functions,
               "mutants": [{"id": m.id, "code": m.code} for m in pending]}
        proc = subprocess.Popen([sys.executable, "-m", "autograder.authoring.prove", "--worker"],
                                cwd=course, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
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
        while pending and not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                reason = "timeout"
                break
            if not selector.select(timeout=min(left, 0.5)):
                continue  # look at ``stop`` twice a second
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
        if pending and not stop.is_set():
            culprit = pending.pop(0)
            yield culprit.id, {"id": culprit.id, "score": 0.0, "max": 0.0,
                               "status": reason, "failed": [reason]}


def grade_mutants(mutants: list[Mutant], course: Path, *,
                  assignment_ids: list[str] | None = None, jobs: int = 2,
                  timeout: float = PER_MUTANT_TIMEOUT) -> dict[tuple[str, str], dict]:
    """(assignment id, mutant id) -> result, for every chosen assignment that
    submits the mutant's file and has checks for its function."""
    batches: list[tuple[str, list[str], list[Mutant]]] = []
    sources: dict[str, str] = {}
    for assignment_id in assignment_ids or list_assignments(course):
        assignment = load_assignment(course, assignment_id)
        if assignment.submit not in sources:
            path = course / SOLUTIONS_DIR / assignment.submit
            sources[assignment.submit] = path.read_text(encoding="utf-8") \
                if path.is_file() else ""
        by_function: dict[str, list[Mutant]] = {}
        for m in mutants:
            if m.file == assignment.submit and m.function in assignment.functions:
                by_function.setdefault(m.function, []).append(m)
        for function, group in by_function.items():
            functions = check_functions(assignment, function, sources[assignment.submit])
            # split big groups so that both cores stay busy
            size = max(8, (len(group) + jobs - 1) // jobs)
            for k in range(0, len(group), size):
                batches.append((assignment_id, functions, group[k:k + size]))
    results: dict[tuple[str, str], dict] = {}
    stop = threading.Event()

    def run(batch: tuple[str, list[str], list[Mutant]]) -> None:
        assignment_id, functions, group = batch
        for mutant_id, result in _run_batch(course, assignment_id, functions, group, timeout,
                                            stop):
            results[(assignment_id, mutant_id)] = result

    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        futures = [pool.submit(run, b) for b in sorted(batches, key=lambda b: -len(b[2]))]
        for future in futures:
            future.result()
    except BaseException:  # Ctrl-C: stop every batch (their processes are killed) first
        stop.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results


# ------------------------------------------------------------------ equivalents

def load_equivalents(course: Path, assignment_ids: list[str] | None = None
                     ) -> dict[str, dict[str, dict[str, str]]]:
    """assignment id -> mutant id -> its entry in equivalent_mutants.toml."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for assignment_id in assignment_ids or list_assignments(course):
        path = course / "assignments" / assignment_id / EQUIVALENTS_FILE
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
    total: int = 0  # mutants generated (before any sample)
    seconds: float = 0.0
    files: list[str] = field(default_factory=list)  # the mutated files, relative to the course
    unproven: list[tuple[str, str]] = field(default_factory=list)  # (assignment, function)


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
                         "file": f"{SOLUTIONS_DIR}/{m.file}", "operator": m.operator,
                         "line": m.line, "before": m.before, "after": m.after,
                         "killed": killed, "equivalent": listed, "failed": result["failed"]})
    if complete:
        present = set(results)
        stale += [(a, i) for a, entries in equivalents.items() for i in entries
                  if (a, i) not in present]
    rows = []
    for (assignment_id, function), row in sorted(counts.items()):
        live = row["mutants"] - row["equivalent"]
        rows.append({"assignment": assignment_id, "function": function, **row,
                     "score": row["killed"] / live if live else 1.0})
    return Report(rows=rows, survivors=survivors, stale=stale, outcomes=outcomes)


def prove(course: Path, assignment_ids: list[str] | None = None, *,
          functions: list[str] | None = None, sample: float = 1.0, seed: int = 0,
          jobs: int = 2, timeout: float = PER_MUTANT_TIMEOUT) -> Report:
    """Generate, grade and count the mutants of the chosen assignments.

    Args:
        course: the course root (``assignments/``, ``solutions/``).
        assignment_ids: which assignments; default: all.
        functions: only mutants of these functions.
        sample: grade a seeded random fraction of the mutants (stale equivalent
            entries are reported only for a complete run).
        seed: the sample's seed.
        jobs: batches graded at once.
        timeout: seconds a mutant may take before it counts as killed.
    """
    require_cosmic_ray()
    started = time.perf_counter()
    ids = assignment_ids or list_assignments(course)
    mutants = course_mutants(course, ids)
    total = len(mutants)
    if functions:
        mutants = [m for m in mutants if m.function in functions]
    if sample < 1.0:
        mutants = random.Random(seed).sample(mutants, round(len(mutants) * sample))
    results = grade_mutants(mutants, course, assignment_ids=ids, jobs=jobs, timeout=timeout)
    report = analyse(mutants, results, load_equivalents(course, ids),
                     complete=not functions and sample >= 1.0)
    report.total = total
    report.seconds = time.perf_counter() - started
    if not functions:  # a function without a single mutant is not proven at all
        generated = {m.function for m in course_mutants(course, ids)} if sample < 1.0 \
            else {m.function for m in mutants}
        report.unproven = [(a, f) for a in ids for f in load_assignment(course, a).functions
                           if f not in generated]
    report.files = sorted({f"{SOLUTIONS_DIR}/{load_assignment(course, a).submit}"
                           for a in ids})
    return report


def equivalent_entry(m: Mutant) -> str:
    """A TOML entry to paste into equivalent_mutants.toml (the reason left to fill)."""
    return (f'[[mutant]]\nid = "{m.id}"\nfunction = "{m.function}"\n'
            f'operator = "{m.operator}"\nbefore = {json.dumps(m.before)}\n'
            f'after = {json.dumps(m.after)}\nreason = ""\n')


def report_lines(report: Report, *,
                 equivalents: dict[str, dict[str, dict[str, str]]] | None = None) -> list[str]:
    """The table per assignment and function; then, when ``equivalents`` is given,
    every equivalent mutant with its reason; then survivors (``file:line``, the
    mutation) and stale entries."""
    out = [f"{'assignment':<12} {'function':<22} {'mutants':>7} {'killed':>7} "
           f"{'equiv':>6} {'surviving':>9} {'score':>7}"]
    for r in report.rows:
        out.append(f"{r['assignment']:<12} {r['function']:<22} {r['mutants']:>7} "
                   f"{r['killed']:>7} {r['equivalent']:>6} {r['surviving']:>9} "
                   f"{r['score']:>7.1%}")
    mutants = sum(r["mutants"] for r in report.rows)
    killed = sum(r["killed"] for r in report.rows)
    equivalent = sum(r["equivalent"] for r in report.rows)
    live = mutants - equivalent
    out.append(f"{'all':<12} {'':<22} {mutants:>7} {killed:>7} {equivalent:>6} "
               f"{len(report.survivors):>9} {killed / live if live else 1.0:>7.1%}")
    out.append(f"{report.total} mutants of {', '.join(report.files) or 'no file'} "
               f"graded {mutants} times in {report.seconds:.1f} s")
    if equivalents:
        out.append("")
        out.append(f"Equivalent mutants (assignments/<id>/{EQUIVALENTS_FILE}):")
        for o in report.outcomes:
            entry = equivalents.get(o["assignment"], {}).get(o["id"])
            if o["equivalent"] and not o["killed"] and entry:
                out += [f"  {o['assignment']}/{o['function']} [{o['id']}] {o['operator']}",
                        f"    - {_short(o['before'])}", f"    + {_short(o['after'])}",
                        f"    because {entry['reason']}"]
    for assignment_id, m in report.survivors:
        out += ["", f"SURVIVOR {SOLUTIONS_DIR}/{m.file}:{m.line}: {assignment_id}/{m.function} "
                f"{m.operator} [{m.id}]", f"  - {m.before}", f"  + {m.after}"]
    for assignment_id, function in report.unproven:
        out += ["", f"NOT PROVEN {assignment_id}/{function}: no mutant (is its code between "
                "### BEGIN SOLUTION and ### END SOLUTION in the reference?)"]
    for assignment_id, mutant_id in report.stale:
        out += ["", f"STALE assignments/{assignment_id}/{EQUIVALENTS_FILE}: {mutant_id} "
                "(killed, or no such mutant any more): remove it"]
    return out


def _short(text: str, limit: int = 150) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


# ------------------------------------------------------------------ what changed

def _top_level(source: str) -> tuple[dict[str, str], list[str], dict[str, set[str]]]:
    """(function -> its code, the other top-level statements, function -> names it calls)."""
    tree = ast.parse(source)
    functions: dict[str, str] = {}
    other: list[str] = []
    calls: dict[str, set[str]] = {}
    for node in tree.body:
        code = ast.get_source_segment(source, node) or ast.dump(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions[node.name] = code
            calls[node.name] = {n.func.id for n in ast.walk(node)
                                if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        elif not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            other.append(code)  # imports, constants (the module docstring aside)
    return functions, other, calls


def _touches(assignment: Assignment, old: str | None, new: str) -> bool:
    """Whether the reference's change from ``old`` to ``new`` can change what the
    assignment's mutants are or how they fare: one of its functions (or a function
    they call) differs, or the module's other statements do."""
    if old is None:
        return True
    try:
        old_functions, old_other, _ = _top_level(old)
        new_functions, new_other, calls = _top_level(new)
    except SyntaxError:
        return True
    if old_other != new_other:
        return True
    reached, todo = set(), list(assignment.functions)
    while todo:
        name = todo.pop()
        if name not in reached:
            reached.add(name)
            todo += sorted(calls.get(name, set()))
    return any(old_functions.get(name) != new_functions.get(name) for name in reached)


def changed_assignments(course: Path, since: str = "HEAD") -> list[str] | None:
    """The assignments changed since git revision ``since`` (committed after it,
    staged, unstaged or untracked): a file in their folder, or, in their reference
    file, one of their functions, a function those call, or the module's other
    statements. None when the course is not a git work tree (or git is missing).

    Raises:
        UsageError: ``since`` is not a revision of the course's repository.
    """
    def git(*args: str) -> str | None:
        try:
            proc = subprocess.run(["git", "-C", str(course), *args], capture_output=True,
                                  text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return proc.stdout if proc.returncode == 0 else None

    if git("rev-parse", "--show-toplevel") is None:
        return None
    diff = git("diff", "--name-only", "--relative", since, "--")
    if diff is None:
        raise UsageError(f"--since {since}: not a git revision of {course}")
    untracked = git("ls-files", "--others", "--exclude-standard") or ""
    paths = {p.strip() for p in (diff + untracked).splitlines() if p.strip()}
    changed = []
    for aid in list_assignments(course):
        assignment = load_assignment(course, aid)
        reference = f"{SOLUTIONS_DIR}/{assignment.submit}"
        if any(p.startswith(f"assignments/{aid}/") for p in paths):
            changed.append(aid)
        elif reference in paths:
            path = course / reference
            new = path.read_text(encoding="utf-8") if path.is_file() else ""
            if _touches(assignment, git("show", f"{since}:./{reference}"), new):
                changed.append(aid)
    return changed


if __name__ == "__main__":
    if sys.argv[1:] == ["--worker"]:
        _worker()
