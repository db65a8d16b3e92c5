"""What ``dlgrade grade`` can be told, with every default in one place.

The library (:func:`autograder.grading.engine.grade`), the local pool and the
CLI's options and ``--help`` all read their defaults from here. Light (stdlib
and the sandbox mode names only): the CLI imports it to build its help.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograder.sandbox.modes import SandboxMode

if TYPE_CHECKING:
    from autograder.grading.late import LatePolicy

DEFAULT_JOBS = os.cpu_count() or 2  # one grading process per CPU
DEFAULT_JOBS_TEXT = "the number of CPUs"  # how --help names DEFAULT_JOBS


@dataclass
class GradeOptions:
    """Everything ``dlgrade grade`` can be told. Defaults live here.

    Attributes:
        jobs: grading processes to run in parallel.
        force: regrade unchanged submissions too.
        gradebook: the SQLite gradebook (None: ``OUT/gradebook.db``).
        overrides: limits given on the command line (``call_timeout``,
            ``memory_mb``, ``import_timeout``; None: the assignment's).
        late: the late policy (None: no deadline).
        sandbox: how to isolate student code; ``auto`` refuses to grade
            when the only sandbox here is ``basic``.
        scheduler: the Dask scheduler's address (None: grade on this machine).
    """

    jobs: int = DEFAULT_JOBS
    force: bool = False
    gradebook: Path | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    late: LatePolicy | None = None
    sandbox: SandboxMode = SandboxMode.AUTO
    scheduler: str | None = None
