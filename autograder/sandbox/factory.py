"""Open the sandbox this platform has: Linux's zygote, or the portable one.

Light on purpose (no pytest): ``dlgrade check`` and the grading session both
open their sandbox here."""

from __future__ import annotations

from typing import Any

from autograder.sandbox.launch import use_portable


def open_sandbox(*, job: int = 0, mode: str = "auto") -> Any:
    """The zygote for ``job``: Linux's fork server, or the portable sandbox
    (macOS, Windows; ``mode="portable"`` or ``DLGRADE_PORTABLE=1`` on Linux).

    Raises:
        SandboxError: the sandbox could not start, or ``mode`` is not available.
    """
    if use_portable(mode):
        from autograder.sandbox.portable import PortableZygote

        return PortableZygote(job=job, mode=mode)
    from autograder.sandbox.client import Zygote

    return Zygote(job=job, mode=mode)
