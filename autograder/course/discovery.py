"""Find every submission in a folder: one per entry, each with a unique student id."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from autograder.course.entry import read_entry
from autograder.course.submission import (Discovery, Rename, entry_stem, id_changes, printable,
                                          student_id)

# names dlgrade writes into OUT: a student folder of that name would clash with them
RESERVED = frozenset({"grades.csv", "report.html", "gradebook.db", "gradebook.db-wal",
                      "gradebook.db-shm"})


def assign_ids(names: dict[str, str]) -> tuple[dict[str, str], list[Rename]]:
    """Unique student ids for entries, never clashing, with every rename explained.

    Args:
        names: entry name -> the part that names the student (:func:`entry_stem`).

    Returns:
        (entry name -> id, renames). Ids are compared case-insensitively (OUT may
        end up on a case-insensitive disk). An id taken twice stays with the first
        entry in name order; the others get ``-2``, ``-3``... skipping every id
        any entry would have and the names dlgrade writes into OUT.
    """
    wanted = {e: student_id(stem) for e, stem in names.items()}
    taken = {w.casefold() for w in wanted.values()} | RESERVED
    owner: dict[str, str] = {}  # casefolded id -> entry that has it
    ids: dict[str, str] = {}
    renames: list[Rename] = []
    for entry in sorted(names):
        base = wanted[entry]
        reasons = id_changes(names[entry], base)
        chosen = base
        if base.casefold() in owner or base.casefold() in RESERVED:
            holder = owner.get(base.casefold())
            reasons.append(f"'{base}' is already the id of {printable(holder)}" if holder
                           else f"'{base}' is a name dlgrade writes in OUT")
            number = 2
            while f"{base}-{number}".casefold() in taken \
                    or f"{base}-{number}".casefold() in owner:
                number += 1
            chosen = f"{base}-{number}"
        owner[chosen.casefold()] = entry
        ids[entry] = chosen
        if reasons:
            renames.append(Rename(entry=printable(entry), student=chosen,
                                  reason="; ".join(reasons)))
    return ids, renames


def discover(folder: Path, *, entry: str, assignment: str) -> Discovery:
    """Every submission in ``folder``, sorted by entry name, with unique ids.

    Hidden entries (name starting with ".") and ``__pycache__`` are skipped and
    listed in :attr:`Discovery.skipped`; every id that is not simply the
    entry's name is listed in :attr:`Discovery.renames`.
    """
    found = Discovery()
    names: dict[str, str] = {}
    for name in sorted(os.listdir(folder)):
        if name.startswith(".") or name == "__pycache__":
            found.skipped.append(printable(name))
            continue
        try:
            is_dir = stat.S_ISDIR(os.lstat(folder / name).st_mode)
        except OSError:
            is_dir = False
        names[name] = entry_stem(name, is_dir=is_dir)
    ids, found.renames = assign_ids(names)
    for name in sorted(names):
        found.submissions.append(read_entry(folder / name, entry=entry, assignment=assignment,
                                            student=ids[name]))
    return found
