"""The one pytest collection path: check files -> pytest items -> :class:`CheckSpec`.

Grading (:mod:`autograder.grading.plugin`), ``dlgrade lint``/``check``
(:mod:`autograder.authoring.lint`) and ``dlgrade nbgrader init``
(:mod:`autograder.publish.nbgrader_course`) all collect checks here: the same
pytest arguments, the same markers, the same ids. :func:`run_pytest` leaves
the process as it found it: ``sys.path``, ``os.environ``, the working
directory and the ``sys.modules`` entries of the check files (pytest's
``importlib`` mode registers each check file as a module) are restored.

(The student-side light reader, :mod:`autograder.runtime.lightrun`, reads
checks without pytest; it stays separate on purpose: it runs where pytest is
not installed.)
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest

from autograder.results import CheckSpec
from autograder.runtime import checkrun
from autograder.runtime.checkrun import MARKERS

__all__ = ["MARKERS", "Collector", "check_id", "collect", "pytest_args", "run_pytest",
           "spec_of", "restored_environment"]


def check_id(item: pytest.Item) -> str:
    """The id of a collected check (see :func:`checkrun.check_id`)."""
    return checkrun.check_id(item.name)


def spec_of(item: pytest.Item) -> CheckSpec:
    """A check's spec, read from its markers.

    Raises:
        pytest.UsageError: a marker is missing or the visibility is unknown.
    """
    def marker_arg(name: str) -> Any:
        marker = item.get_closest_marker(name)
        if marker is None or not marker.args:
            raise pytest.UsageError(f"{item.nodeid}: every check needs @pytest.mark.{name}(...)")
        return marker.args[0]

    visibility = marker_arg("visibility")
    if visibility not in ("public", "hidden"):
        raise pytest.UsageError(f"{item.nodeid}: visibility must be 'public' or 'hidden'")
    return CheckSpec(id=check_id(item), function=str(marker_arg("tags")),
                     points=float(marker_arg("points")), visibility=visibility,
                     nodeid=item.nodeid)


def pytest_args(check_files: list[Path], ini_file: Path) -> list[str]:
    """Arguments for a quiet, isolated pytest session over ``check_files``."""
    return [
        "-c", str(ini_file), "--rootdir", str(ini_file.parent), "--noconftest",
        "--assert=plain", "--import-mode=importlib", "-p", "no:cacheprovider",
        "-p", "no:terminal", "-p", "no:stepwise", "-p", "no:faulthandler",
        "-p", "no:pastebin", "-p", "no:junitxml", "-p", "no:doctest", "-p", "no:logging",
        "-W", "ignore::pytest.PytestAssertRewriteWarning", "-s",
        *[str(f) for f in check_files],
    ]


class Collector:
    """A pytest plugin that registers the markers, keeps the collected items and
    the failed collection reports, and runs nothing (subclasses run checks)."""

    def __init__(self) -> None:
        self.items: list[pytest.Item] = []
        self.errors: list[pytest.CollectReport] = []
        self.exit_code = 0  # pytest's, once :func:`collect` ran

    def error_lines(self) -> list[str]:
        """Each collection error as ``nodeid: the end of its report``."""
        return [f"{r.nodeid}: {r.longreprtext[-2000:]}" for r in self.errors]

    def pytest_configure(self, config: pytest.Config) -> None:
        for name, doc in MARKERS.items():
            config.addinivalue_line("markers", f"{name}: {doc}")

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.errors.append(report)

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self.items = list(items)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        return True


def _inside(path: str | None, folders: tuple[str, ...]) -> bool:
    return path is not None and os.path.abspath(path).startswith(folders)


@contextlib.contextmanager
def restored_environment(check_files: list[Path]) -> Iterator[None]:
    """Restore ``sys.path``, ``os.environ``, the cwd and ``sys.modules`` on exit.

    New ``sys.modules`` entries are removed when they are a check file (or a
    file beside one) or an empty parent package pytest made up for one; other
    new entries (the standard library pytest imported) stay, as any import would.
    """
    path, environ, cwd = list(sys.path), dict(os.environ), os.getcwd()
    modules = dict(sys.modules)
    folders = tuple(str(f.resolve().parent) + os.sep for f in check_files)
    try:
        yield
    finally:
        sys.path[:] = path
        for key in set(os.environ) - set(environ):
            del os.environ[key]
        os.environ.update(environ)
        os.chdir(cwd)
        added = [n for n in list(sys.modules) if n not in modules]
        ours = {n for n in added
                if _inside(getattr(sys.modules[n], "__file__", None), folders)}
        ours |= {n for n in added if getattr(sys.modules[n], "__file__", None) is None
                 and any(o.startswith(n + ".") for o in ours)}
        for name in ours:
            del sys.modules[name]
        for name, module in modules.items():
            if sys.modules.get(name) is not module:
                sys.modules[name] = module


def run_pytest(check_files: list[Path], plugin: Any, *, collect_only: bool = False) -> int:
    """Run pytest over ``check_files`` with ``plugin``; return its exit code.

    Third-party pytest plugins (trio, anyio, hypothesis...) are not needed and
    cost start-up time: none is loaded. The process environment is restored
    afterwards (:func:`restored_environment`).
    """
    with restored_environment(check_files), \
            tempfile.TemporaryDirectory(prefix="dlgrade-pytest-") as tmp:
        ini = Path(tmp) / "pytest.ini"
        ini.write_text("[pytest]\n")
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        args = pytest_args(check_files, ini) + (["--collect-only"] if collect_only else [])
        return int(pytest.main(args, plugins=[plugin]))


def collect(check_files: list[Path]) -> Collector:
    """Collect ``check_files`` (run nothing); the items and collection errors."""
    collector = Collector()
    collector.exit_code = run_pytest(check_files, collector, collect_only=True)
    return collector
