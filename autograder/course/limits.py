"""The resource limits and grading budgets of one sandboxed worker.

Part of the course model: ``assignment.toml``'s ``[limits]`` table and the
CLI's ``--timeout``/``--memory`` fill a :class:`Limits`; the sandbox enforces it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Resource limits for one sandboxed worker. Defaults live here only."""

    memory_mb: int = 1024
    cpu_seconds: int = 60
    file_mb: int = 16
    open_files: int = 64
    processes: int = 64
    tmpfs_mb: int = 64
    call_timeout: float = 5.0
    import_timeout: float = 10.0
    output_cap: int = 32_768
    reply_cap: int = 64 * 1024 * 1024
    # Grading budgets (the trusted side, not rlimits): a function whose calls
    # crashed ``function_crashes`` times, or timed out ``function_timeouts``
    # times, is not called again (only its own remaining checks fail); after
    # ``submission_seconds`` of grading one submission, its remaining calls fail.
    function_crashes: int = 2
    function_timeouts: int = 1
    submission_seconds: float = 120.0
