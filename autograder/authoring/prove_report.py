"""The mutation report: count killed, equivalent and surviving mutants, and print them.

A mutant *survives* when it keeps full marks. A survivor is acceptable only
when ``assignments/<id>/equivalent_mutants.toml`` lists it as equivalent (the
same results on every input the course allows) with a reason; an entry that no
surviving mutant matches any more is *stale*.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.authoring.mutants import Mutant
from autograder.authoring.problems import SOLUTIONS_DIR
from autograder.course.assignment import list_assignments

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

EQUIVALENTS_FILE = "equivalent_mutants.toml"


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


def analyse(mutants: list[Mutant], results: dict[tuple[str, str], dict[str, Any]],
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
