"""Ctrl-C and SIGTERM during ``dlgrade grade``: stop, keep what finished, say so.

:func:`handle_signals` (used by the CLI) turns SIGINT and SIGTERM into
:class:`GradingInterrupted`, raised in the main thread, but only while the
grader waits for the next result (:func:`interruptible`): a signal that arrives
while a result is being saved (gradebook, per-student files) waits until that
result is saved, so a student is saved entirely or not at all.
"""

from __future__ import annotations

import contextlib
import signal
import types
from typing import Iterable, Iterator, TypeVar

from autograder.errors import GradingInterrupted

INTERRUPTED_EXIT = 130  # the shell's convention for "ended by Ctrl-C"
T = TypeVar("T")
_STATE: dict[str, object] = {"installed": False, "saving": False, "pending": None}


def _handler(signum: int, frame: types.FrameType | None) -> None:
    if _STATE["saving"]:
        _STATE["pending"] = signum
        return
    raise GradingInterrupted(signum)


@contextlib.contextmanager
def handle_signals() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise :class:`GradingInterrupted`."""
    previous = {sig: signal.signal(sig, _handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    _STATE.update(installed=True, saving=False, pending=None)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        _STATE.update(installed=False, saving=False, pending=None)


@contextlib.contextmanager
def _waiting() -> Iterator[None]:
    _STATE["saving"] = False  # from here a signal raises at once...
    pending = _STATE["pending"]  # ...and one that came while saving is raised now
    if isinstance(pending, int):
        _STATE["pending"] = None
        raise GradingInterrupted(pending)
    try:
        yield
    finally:
        _STATE["saving"] = bool(_STATE["installed"])


def interruptible(results: Iterable[T]) -> Iterator[T]:
    """Yield ``results``; an interruption is raised only while waiting for the next one.

    While the caller handles a result (saves it), a signal is deferred, so every
    result is saved entirely or not at all.
    """
    iterator = iter(results)
    _STATE["saving"] = bool(_STATE["installed"])
    try:
        while True:
            with _waiting():
                try:
                    result = next(iterator)
                except StopIteration:
                    return
            yield result
    finally:  # after the results (saving the class files, stopping): no more raising
        defer_signals()


def defer_signals() -> None:
    """From now on a signal only marks the run interrupted; nothing is raised.

    Used once the results are in or an interruption is being handled, so the
    class files are written and the workers stopped whatever else arrives."""
    _STATE["saving"] = bool(_STATE["installed"])
