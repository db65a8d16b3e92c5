"""What every platform package holds: a dlgrade wheel built from this tree,
the assignment's checks and the mistake library (never solutions), the light
runtime requirements and a small ``platform.json`` the entry points read.

Layout of the bundle folder (``dlgrade/`` in a Gradescope zip,
``.github/dlgrade/`` in a Classroom repository, ``tests/dlgrade/`` in a
PrairieLearn question)::

    dlgrade-<version>-py3-none-any.whl
    requirements.txt          # the light runtime dependencies, installed explicitly
    platform.json             # assignment id, options chosen at package time
    course/assignments/<id>/  # assignment.toml, README.md, public/, hidden/
    course/assignments/mistakes.py
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

import autograder
from autograder.course.assignment import MISTAKES_FILE, Assignment
from autograder.errors import GraderFault, UsageError

# Installed explicitly, next to the wheel installed with --no-deps: the wheel's own
# dependency list may hold heavy extras (nbgrader, jupyter) that grading never imports.
LIGHT_DEPENDENCIES = (
    "numpy>=1.24",
    "pytest>=7.4",
    "click>=8.1",
    "rich>=13",
    "nbformat>=5",
    "tomli>=2; python_version < '3.11'",
)
CONFIG_NAME = "platform.json"
REQUIREMENTS_NAME = "requirements.txt"
COURSE_DIR = "course"
# HOOK(sandbox-linux): the sandbox mode every packaged entry point passes to the engine.
# The Landlock/seccomp "container" mode for root without namespaces (Gradescope's case)
# can be chosen here, or through a `dlgrade package --sandbox` option writing
# platform.json's "sandbox" field, once that mode exists. Entry points read the field.
SANDBOX_MODE = "auto"


def template(platform: str, name: str) -> bytes:
    """The bytes of a shipped template file (``templates/<platform>/<name>``), LF line
    endings whatever the checkout did (a shell script with CRLF does not run)."""
    data = (resources.files("autograder.publish") / "templates" / platform / name).read_bytes()
    return data.replace(b"\r\n", b"\n")


def source_tree() -> Path:
    """The dlgrade source tree this package was installed from (holds pyproject.toml).

    Raises:
        UsageError: dlgrade was installed from a wheel, so there is no tree to build.
    """
    tree = Path(autograder.__file__).resolve().parent.parent
    if not (tree / "pyproject.toml").is_file():
        raise UsageError("dlgrade package builds a wheel from dlgrade's source tree; install "
                         "dlgrade from a checkout (pip install -e DIR) or pass --wheel")
    return tree


def build_wheel(dest: Path, *, tree: Path | None = None) -> Path:
    """Build dlgrade's wheel from ``tree`` (default: this installation's tree) into ``dest``.

    The tree's ``pyproject.toml``, ``README.md`` and ``autograder/`` are copied to a
    temporary folder first, so the build leaves nothing behind in the tree.

    Raises:
        GraderFault: pip could not build the wheel (its last lines are in the message).
    """
    tree = tree or source_tree()
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dlgrade-wheel-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(tree / name, src / name)
        shutil.copytree(tree / "autograder", src / "autograder",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        built = Path(tmp) / "dist"
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(built),
             str(src)], capture_output=True, text=True)
        wheels = sorted(built.glob("dlgrade-*.whl"))
        if proc.returncode != 0 or not wheels:
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
            raise GraderFault(f"could not build the dlgrade wheel: {tail}")
        target = dest / wheels[0].name
        shutil.copy2(wheels[0], target)
    return target


def write_bundle(folder: Path, *, assignment: Assignment, wheel: Path, hidden: bool,
                 config: dict[str, Any]) -> list[Path]:
    """Fill ``folder`` with the wheel, requirements, config and the assignment's checks.

    Args:
        folder: the bundle folder (emptied first: an earlier package's wheel or checks
            must not linger beside the new ones).
        assignment: the assignment to ship.
        wheel: a built dlgrade wheel.
        hidden: ship the hidden checks and the mistake library too (never for a
            student-visible package).
        config: platform settings saved in ``platform.json`` (assignment id added).

    Returns:
        Every file written, relative paths under ``folder``.
    """
    wheel_bytes = wheel.read_bytes()  # read first: --wheel may point into ``folder``
    if folder.is_dir():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    written = [folder / wheel.name]
    written[0].write_bytes(wheel_bytes)
    requirements = folder / REQUIREMENTS_NAME
    requirements.write_text("".join(f"{d}\n" for d in LIGHT_DEPENDENCIES), encoding="utf-8")
    settings = {"assignment": assignment.id, "title": assignment.title,
                "submit": assignment.submit, "sandbox": SANDBOX_MODE,
                "hidden_checks": hidden, **config}
    (folder / CONFIG_NAME).write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    written += [requirements, folder / CONFIG_NAME]
    target = folder / COURSE_DIR / "assignments" / assignment.id
    files = [assignment.root / "assignment.toml", assignment.root / "README.md"]
    files += assignment.check_files(hidden=hidden)
    for path in files:
        if not path.is_file():
            continue
        relative = path.relative_to(assignment.root)
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / relative)
        written.append(target / relative)
    if hidden and assignment.mistakes_file is not None:
        shutil.copy2(assignment.mistakes_file, target.parent / MISTAKES_FILE)
        written.append(target.parent / MISTAKES_FILE)
    return written


def read_config(folder: Path) -> dict[str, Any]:
    """The ``platform.json`` of a bundle folder.

    Raises:
        GraderFault: it is missing or is not a JSON object (a broken package).
    """
    path = folder / CONFIG_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GraderFault(f"the package's {path} cannot be read: {exc}") from None
    if not isinstance(data, dict) or "assignment" not in data:
        raise GraderFault(f"the package's {path} names no assignment")
    return data


def prepare_out_dir(out: Path, *, marker: str) -> None:
    """Create ``out``, refusing a non-empty folder that is not an earlier package.

    An earlier package is written over in place (a ``.git`` folder beside it stays).

    Raises:
        UsageError: ``out`` is a file, or a non-empty folder without ``marker``.
    """
    if out.exists() and not out.is_dir():
        raise UsageError(f"'{out}' exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / marker).is_file():
        raise UsageError(f"'{out}' is not empty and was not written by dlgrade package; "
                         "choose a new folder")
    out.mkdir(parents=True, exist_ok=True)
