"""Course content: find the course root and read ``assignment.toml``."""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from autograder.errors import ConfigError, UsageError
from autograder.course.limits import Limits

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MISTAKES_FILE = "mistakes.py"


@dataclass(frozen=True)
class Assignment:
    """One assignment folder: its settings and its check files."""

    id: str
    title: str
    submit: str
    functions: tuple[str, ...]
    points: dict[str, float]
    limits: Limits
    root: Path
    readme: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    also_submit: tuple[str, ...] = ()  # files handed in beside ``submit``, which imports them

    @property
    def submit_files(self) -> tuple[str, ...]:
        """Every file students hand in; ``submit`` (the graded module) is the last."""
        return (*self.also_submit, self.submit)

    @property
    def public_dir(self) -> Path:
        return self.root / "public"

    @property
    def hidden_dir(self) -> Path:
        return self.root / "hidden"

    def check_files(self, *, hidden: bool = True) -> list[Path]:
        """The pytest files holding this assignment's checks."""
        files = sorted(self.public_dir.glob("test_*.py"))
        if hidden:
            files += sorted(self.hidden_dir.glob("test_*.py"))
        return files

    @property
    def mistakes_file(self) -> Path | None:
        path = self.root.parent / MISTAKES_FILE
        return path if path.is_file() else None

    def checks_digest(self, *, hidden: bool = True) -> str:
        """A hash of everything that decides a grade (checks, settings, mistakes)."""
        digest = hashlib.sha256()
        for path in [self.root / "assignment.toml", *self.check_files(hidden=hidden)]:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        if self.mistakes_file:
            digest.update(self.mistakes_file.read_bytes())
        return digest.hexdigest()[:16]

    @property
    def total_points(self) -> float:
        return float(sum(self.points.values()))


def find_course(course: str | Path | None = None) -> Path:
    """The course root: ``course`` or the current directory, holding ``assignments/``."""
    root = Path(course) if course else Path.cwd()
    if not (root / "assignments").is_dir():
        where = f"'{root}'" if course else "the current directory"
        raise UsageError(f"no course found in {where}: expected an 'assignments/' folder "
                         "(run from the course root or pass --course DIR)")
    return root.resolve()


def list_assignments(course_root: Path) -> list[str]:
    base = course_root / "assignments"
    return sorted(p.name for p in base.iterdir() if (p / "assignment.toml").is_file())


def parse_submit(value: object, toml_path: Path) -> tuple[str, ...]:
    """``submit`` as a tuple of file names: a string, or a list whose last file is graded."""
    if not isinstance(value, list):
        return (str(value),)
    if (not value or len(set(value)) != len(value)
            or not all(isinstance(n, str) and n.endswith(".py") and "/" not in n for n in value)):
        raise ConfigError(f"{toml_path}: submit must be a file name or a list of distinct "
                          "file names ending in .py (the last one holds the functions)")
    return tuple(value)


def load_assignment(course_root: Path, assignment_id: str, *,
                    overrides: dict[str, Any] | None = None) -> Assignment:
    """Read ``assignments/<id>/assignment.toml``; ``overrides`` patch its limits."""
    folder = course_root / "assignments" / assignment_id
    toml_path = folder / "assignment.toml"
    if not toml_path.is_file():
        known = ", ".join(list_assignments(course_root)) or "none"
        raise UsageError(f"unknown assignment '{assignment_id}' (known: {known})")
    try:
        data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{toml_path}: {exc}") from None
    try:
        functions = tuple(data["functions"])
        submitted = parse_submit(data["submit"], toml_path)
        points = {str(k): float(v) for k, v in data["points"].items()}
        limit_names = {f.name for f in fields(Limits)}
        limit_values = {k: v for k, v in data.get("limits", {}).items() if k in limit_names}
        unknown = set(data.get("limits", {})) - limit_names
        if unknown:
            raise ConfigError(f"{toml_path}: unknown limits {sorted(unknown)}")
        limit_values.update({k: v for k, v in (overrides or {}).items() if v is not None})
        assignment = Assignment(
            id=assignment_id, title=str(data["title"]), submit=submitted[-1],
            also_submit=submitted[:-1],
            functions=functions, points=points, limits=Limits(**limit_values), root=folder,
            readme=(folder / "README.md").read_text(encoding="utf-8")
            if (folder / "README.md").is_file() else "",
        )
    except KeyError as exc:
        raise ConfigError(f"{toml_path}: missing key {exc}") from None
    if set(points) != set(functions):
        raise ConfigError(f"{toml_path}: [points] must list exactly the functions")
    return assignment
