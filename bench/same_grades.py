"""Grade a fixed class through the ``dlgrade`` CLI and compare two such runs.

Used to prove that a change which should not move grades (a restructuring, a
speed-up) did not: every ``grades.csv`` and every ``results.json`` must be
byte-identical once timestamps and durations are set aside.

The class is built from what the repository ships, so it needs no network:

* ``examples/submissions`` (graded on every assignment);
* every discrimination-corpus entry (``tests/corpus/*/*.py``) appended to the
  reference, one submission per entry, graded on the assignments it targets;
* every hostile submission of ``tests/attacks`` (graded on ``toolkit``).

Usage::

    python bench/same_grades.py snapshot DIR     # grade everything, keep normalised outputs in DIR
    python bench/same_grades.py diff OLD NEW     # exit 1 and list every difference

The CLI is called through the running interpreter (``python -m autograder.cli``),
so the snapshot measures the tree this interpreter imports.
"""

from __future__ import annotations

import argparse
import difflib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from corpus_support import course_assignments, read_corpus, reference_of, targets  # noqa: E402

# keys whose values are clocks, not grades
VOLATILE = {"graded_at", "duration", "duration_s", "seconds", "elapsed", "execution_time",
            "started_at", "finished_at", "timestamp"}


def build_class(root: Path) -> dict[str, Path]:
    """One submissions folder per assignment under ``root``."""
    known = course_assignments(REPO)
    folders = {}
    for aid in known:
        folders[aid] = root / aid
        shutil.copytree(REPO / "examples" / "submissions", folders[aid])
    for entry in read_corpus(REPO / "tests" / "corpus"):
        for aid in targets(entry, known):
            submit = known[aid].submit
            text = entry.submission(reference_of(REPO, known[aid]), submit).files[submit]
            (folders[aid] / f"corpus-{entry.name.replace('/', '-')}.py").write_text(
                text, encoding="utf-8")
    if "toolkit" in folders:
        for attack in sorted((REPO / "tests" / "attacks").glob("*.py")):
            shutil.copy(attack, folders["toolkit"] / f"attack-{attack.name}")
    return folders


def scrub(value: object) -> object:
    """``value`` with every clock-valued key set to a constant."""
    if isinstance(value, dict):
        return {k: ("*" if k in VOLATILE else scrub(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def snapshot(out: Path) -> None:
    """Grade the class on every assignment and keep the normalised outputs in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="same-grades-") as tmp:
        for aid, folder in build_class(Path(tmp)).items():
            graded = Path(tmp) / f"out-{aid}"
            run = subprocess.run(
                [sys.executable, "-m", "autograder.cli", "grade", str(folder), "-a", aid,
                 "-o", str(graded), "--course", str(REPO)],
                capture_output=True, text=True, cwd=REPO)
            if run.returncode != 0:
                sys.exit(f"grading {aid} failed (exit {run.returncode}):\n{run.stderr}")
            target = out / aid
            target.mkdir(exist_ok=True)
            shutil.copy(graded / "grades.csv", target / "grades.csv")
            for result in sorted(graded.glob("*/results.json")):
                data = scrub(json.loads(result.read_text(encoding="utf-8")))
                (target / f"{result.parent.name}.json").write_text(
                    json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            print(f"{aid}: {len(list(target.glob('*.json')))} results", flush=True)


def diff(old: Path, new: Path) -> int:
    """Print every difference between two snapshots; the number of differing files."""
    names = sorted({p.relative_to(old) for p in old.rglob("*") if p.is_file()}
                   | {p.relative_to(new) for p in new.rglob("*") if p.is_file()})
    differing = 0
    for name in names:
        a, b = old / name, new / name
        if not a.exists() or not b.exists():
            print(f"only in {'new' if b.exists() else 'old'}: {name}")
            differing += 1
            continue
        if a.read_bytes() != b.read_bytes():
            differing += 1
            sys.stdout.writelines(difflib.unified_diff(
                a.read_text("utf-8").splitlines(True), b.read_text("utf-8").splitlines(True),
                f"old/{name}", f"new/{name}"))
    print(f"{len(names)} files compared, {differing} differ")
    return differing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("snapshot").add_argument("dir", type=Path)
    d = sub.add_parser("diff")
    d.add_argument("old", type=Path)
    d.add_argument("new", type=Path)
    args = parser.parse_args()
    if args.command == "snapshot":
        snapshot(args.dir)
    else:
        sys.exit(1 if diff(args.old, args.new) else 0)


if __name__ == "__main__":
    main()
