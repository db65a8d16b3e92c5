"""Silence Dask's client logs while grading: our errors say it in one line."""

from __future__ import annotations

import logging

ROOTS = ("distributed", "tornado", "asyncio")  # tornado logs the lost connection too


class QuietLogs:
    """Raise the client's loggers to CRITICAL (reconnection tracebacks), and back."""

    def __init__(self) -> None:
        self._levels: dict[str, int] = {}

    def quiet(self) -> None:
        """Silence every logger under :data:`ROOTS`, remembering its level."""
        names = [*ROOTS, *(n for n in logging.root.manager.loggerDict
                           if n.startswith(tuple(r + "." for r in ROOTS)))]
        for name in names:
            logger = logging.getLogger(name)
            self._levels.setdefault(name, logger.level)
            logger.setLevel(logging.CRITICAL)

    def restore(self) -> None:
        """Give every silenced logger its level back (idempotent)."""
        for name, level in self._levels.items():
            logging.getLogger(name).setLevel(level)
        self._levels.clear()
