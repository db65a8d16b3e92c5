"""Assertions for checks, with failure messages that teach.

Checks receive an :class:`Expect` as the ``expect`` fixture. Every method
raises :class:`CheckFailed` with a message written for the student: what was
expected, what came back (shape, dtype, a few values) and, when the grader
knows a typical mistake that produces exactly this output, its name.

In a *hidden* check, messages never show the expected values or the inputs.

Self-contained (numpy only): the student template ships a copy of this file so
that plain ``pytest`` works there without dlgrade installed.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

Diagnose = Callable[[str, Sequence[Any], Any], "str | None"]


class CheckFailed(AssertionError):
    """A check's property does not hold; the message is for the student."""


def fmt(value: Any, limit: int = 6) -> str:
    """A short, readable rendering of a value: at most ``limit`` numbers."""
    if isinstance(value, np.ndarray):
        flat = value.ravel()
        shown = ", ".join(_num(v) for v in flat[:limit])
        more = ", ..." if flat.size > limit else ""
        return f"[{shown}{more}]"
    if isinstance(value, (float, np.floating, int, np.integer)):
        return _num(value)
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _num(v: Any) -> str:
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    return f"{float(v):.4g}"


def describe(value: Any) -> str:
    """Type, shape and dtype of what a function returned."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if value is None:
        return "None (did you forget `return`?)"
    return f"a {type(value).__name__}"


def close_mask(actual: np.ndarray, expected: np.ndarray, *, rtol: float,
               atol: float) -> np.ndarray:
    """Elementwise ``|actual - expected| <= atol + rtol * |expected|`` (what
    np.isclose computes, nan never close, equal infinities close), faster."""
    a = actual.astype(float, copy=False)
    with np.errstate(invalid="ignore", over="ignore"):
        within = np.abs(a - expected) <= atol + rtol * np.abs(expected)
        return (within & np.isfinite(expected)) | (a == expected)


class Expect:
    """Assertions bound to one check (hidden or not) and a mistake library."""

    def __init__(self, *, hidden: bool = False, diagnose: Diagnose | None = None) -> None:
        self.hidden = hidden
        self._diagnose = diagnose

    # ------------------------------------------------------------- helpers

    def fail(self, message: str, *, fn: str | None = None, args: Sequence[Any] = (),
             got: Any = None) -> None:
        """Fail the check, naming a known mistake when one matches."""
        if fn is not None and self._diagnose is not None:
            try:
                known = self._diagnose(fn, args, got)
            except Exception:  # noqa: BLE001 - diagnosis must never break a check
                known = None
            if known:
                message = f"{message}\nLikely cause: {known}"
        raise CheckFailed(message)

    def true(self, condition: Any, message: str, *, fn: str | None = None,
             args: Sequence[Any] = (), got: Any = None) -> None:
        """Fail with ``message`` unless ``condition`` holds."""
        if not bool(condition):
            self.fail(message, fn=fn, args=args, got=got)

    # ------------------------------------------------------------- values

    def array(self, value: Any, *, what: str, shape: tuple[int, ...] | None = None,
              fn: str | None = None, args: Sequence[Any] = ()) -> np.ndarray:
        """``value`` must be a numeric array (of ``shape``); returns it."""
        if isinstance(value, (list, tuple)) and not isinstance(value, np.ndarray):
            try:
                value = np.asarray(value, dtype=float)
            except (TypeError, ValueError):
                pass
        if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
            self.fail(f"{what} should return a NumPy array of numbers, but it returned "
                      f"{describe(value)}.", fn=fn, args=args, got=value)
        if value.dtype.kind == "b" and fn is not None:
            self.fail(f"{what} returned an array of True/False values, not numbers.",
                      fn=fn, args=args, got=value)
        if shape is not None and value.shape != tuple(shape):
            self.fail(f"{what} should have shape {tuple(shape)}, but it has shape "
                      f"{value.shape}.", fn=fn, args=args, got=value)
        return value

    def scalar(self, value: Any, *, what: str, fn: str | None = None,
               args: Sequence[Any] = ()) -> float:
        """``value`` must be one number (a float, or a 0-d or 1-element array)."""
        if isinstance(value, (bool, np.bool_)) or value is None:
            self.fail(f"{what} should return one number, but it returned {describe(value)}.",
                      fn=fn, args=args, got=value)
        if isinstance(value, (int, float, np.integer, np.floating)):
            return float(value)
        if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "iuf":
            return float(value.reshape(()))
        self.fail(f"{what} should return one number (a float), but it returned "
                  f"{describe(value)}. Did you forget np.mean (or return one value per "
                  "sample)?", fn=fn, args=args, got=value)
        raise AssertionError("unreachable")

    def finite(self, value: Any, *, what: str, hint: str = "", fn: str | None = None,
               args: Sequence[Any] = ()) -> None:
        """No nan or inf anywhere in ``value``."""
        arr = np.asarray(value, dtype=float)
        if not np.all(np.isfinite(arr)):
            bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
            message = (f"{what} contains {bad} nan/inf value(s)"
                       + ("" if self.hidden else f": {fmt(arr)}") + ".")
            self.fail(f"{message} {hint}".strip(), fn=fn, args=args, got=value)

    def close(self, actual: Any, expected: Any, *, what: str, hint: str = "",
              fn: str | None = None, args: Sequence[Any] = (), rtol: float = 1e-6,
              atol: float = 1e-8) -> None:
        """``actual`` equals ``expected`` up to floating-point tolerance."""
        expected = np.asarray(expected, dtype=float)
        if expected.ndim == 0:
            got = self.scalar(actual, what=what, fn=fn, args=args)
            want = float(expected)
            if not close_mask(np.array([got]), np.array([want]), rtol=rtol, atol=atol)[0]:
                shown = "" if self.hidden else f" (expected {fmt(float(expected))})"
                self.fail(f"{what} returned {fmt(got)}{shown}, which is not right. {hint}"
                          .strip(), fn=fn, args=args, got=actual)
            return
        arr = self.array(actual, what=what, shape=expected.shape, fn=fn, args=args)
        ok = close_mask(arr, expected, rtol=rtol, atol=atol)
        if not np.all(ok):
            bad = np.argwhere(~ok)
            first = tuple(int(i) for i in bad[0])
            message = f"{what} is wrong in {len(bad)} of {arr.size} entries"
            if self.hidden:
                message += "."
            else:
                message += (f"; first at index {first}: got {fmt(arr[first])}, expected "
                            f"{fmt(expected[first])}.\n  got:      {fmt(arr)}\n  "
                            f"expected: {fmt(expected)}")
            self.fail(f"{message}\n{hint}".strip(), fn=fn, args=args, got=actual)

    def unchanged(self, after: np.ndarray, before: np.ndarray, *, what: str, hint: str = "",
                  fn: str | None = None) -> None:
        """The caller's array must not have been modified; ``hint`` names the
        typical in-place write of this function."""
        if after.shape != before.shape or after.dtype != before.dtype \
                or after.tobytes() != before.tobytes():
            self.fail(f"{what} changed the array you passed in. Compute a new array "
                      f"instead of writing into the input. {hint}".strip(), fn=fn)
