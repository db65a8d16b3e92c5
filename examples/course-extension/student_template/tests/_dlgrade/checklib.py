"""Assertions for checks, with failure messages that teach.

Checks receive an :class:`Expect` as the ``expect`` fixture. Every method
raises :class:`CheckFailed` with a message written for the student: what was
expected, what came back (shape, dtype, a few values) and, when the grader
knows a typical mistake that produces exactly this output, its name.

Feedback comes in two levels. The message (level one) says what is wrong and
where: the property, the input, what came back. The ``hint=`` of every method
(level two) says how to fix it ("subtract each row's maximum first") and is
kept apart, in :attr:`CheckFailed.hint`, so that ``dlgrade check`` shows it
only when asked (``--hints``). A known mistake gives its cause in the message
and its fix as the hint.

In a *hidden* check, messages never show the expected values or the inputs.

Self-contained (numpy only): the student template ships a copy of this file so
that plain ``pytest`` works there without dlgrade installed.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence, cast

import numpy as np

# A diagnosis: the cause (level one), or (cause, fix) with the fix as the hint.
Diagnose = Callable[[str, Sequence[Any], Any], "str | tuple[str, str] | None"]


class CheckFailed(AssertionError):
    """A check's property does not hold; the message is for the student.

    Attributes:
        hint: the second level of feedback (how to fix it), "" if none.
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def fmt(value: Any, limit: int = 6, digits: int = 4) -> str:
    """A short, readable rendering of a value: at most ``limit`` numbers, each
    with ``digits`` significant digits."""
    if isinstance(value, np.ndarray):
        flat = value.ravel()
        shown = ", ".join(_num(v, digits) for v in flat[:limit])
        more = ", ..." if flat.size > limit else ""
        return f"[{shown}{more}]"
    if isinstance(value, (float, np.floating, int, np.integer)):
        return _num(value, digits)
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _num(v: Any, digits: int = 4) -> str:
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    return f"{float(v):.{digits}g}"


def distinct_digits(got: Any, expected: Any, *, least: int = 4) -> int:
    """Significant digits (at least ``least``, at most 17) at which ``got`` and
    ``expected`` print differently, so that a message never says "got -5.933,
    expected -5.933"."""
    a, b = np.asarray(got, dtype=float).ravel(), np.asarray(expected, dtype=float).ravel()
    for digits in range(least, 18):
        if any(f"{x:.{digits}g}" != f"{y:.{digits}g}" for x, y in zip(a, b, strict=False)):
            return digits
    return 17


def difference(got: float, expected: float) -> str:
    """", difference 3.6e-04" (the absolute difference), or "" when it is not finite."""
    with np.errstate(all="ignore"):
        diff = abs(float(got) - float(expected))
    return f", difference {diff:.2g}" if np.isfinite(diff) else ""


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
        return cast(np.ndarray, (within & np.isfinite(expected)) | (a == expected))


class Expect:
    """Assertions bound to one check (hidden or not) and a mistake library."""

    def __init__(self, *, hidden: bool = False, diagnose: Diagnose | None = None) -> None:
        self.hidden = hidden
        self._diagnose = diagnose

    # ------------------------------------------------------------- helpers

    def fail(self, message: str, *, hint: str = "", fn: str | None = None,
             args: Sequence[Any] = (), got: Any = None) -> None:
        """Fail the check, naming a known mistake when one matches.

        Args:
            message: what is wrong and where (level one).
            hint: how to fix it (level two), kept apart from the message. A known
                mistake's fix replaces it.
        """
        if fn is not None and self._diagnose is not None:
            try:
                known = self._diagnose(fn, args, got)
            except Exception:  # noqa: BLE001 - diagnosis must never break a check
                known = None
            if isinstance(known, tuple):
                known, fix = known
                hint = fix or hint
            if known:
                message = f"{message}\nLikely cause: {known}"
        raise CheckFailed(message, hint=hint.strip())

    def true(self, condition: Any, message: str, *, hint: str = "", fn: str | None = None,
             args: Sequence[Any] = (), got: Any = None) -> None:
        """Fail with ``message`` (and ``hint``) unless ``condition`` holds."""
        if not bool(condition):
            self.fail(message, hint=hint, fn=fn, args=args, got=got)

    @staticmethod
    def change(first: float, last: float) -> str:
        """How a quantity (a loss) changed, as observed: "went from 2.5 to 2.5", or
        "grew from 2.759e+05 to 4.479e+85 (a factor of about 10^80)"."""
        text = f"from {fmt(first)} to {fmt(last)}"
        if not (np.isfinite(first) and np.isfinite(last)) or last <= first:
            return f"went {text}"
        if first > 0 and last / first >= 100:
            return f"grew {text} (a factor of about 10^{int(np.floor(np.log10(last / first)))})"
        return f"grew {text}"

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
        return cast(np.ndarray, value)

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
                  f"{describe(value)}.", hint="Did you forget np.mean (or return one value "
                  "per sample)?", fn=fn, args=args, got=value)
        raise AssertionError("unreachable")

    def number(self, value: Any, *, what: str, fn: str | None = None,
               args: Sequence[Any] = ()) -> float:
        """``value`` must be one floating-point number, as ``np.mean`` returns: a
        Python float, a NumPy floating scalar or a 0-d float array; not an array of
        shape (1,) or (1, 1), which a caller cannot format or compare as a number."""
        if isinstance(value, (float, np.floating)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind == "f":
            return float(value)
        array = isinstance(value, np.ndarray)
        self.fail(f"{what} should return one number (a float, as np.mean gives), but it "
                  f"returned {describe(value)}.",
                  hint=("Take the mean over all the entries (np.mean without axis or "
                        "keepdims), or index the single value out." if array else ""),
                  fn=fn, args=args, got=value)
        raise AssertionError("unreachable")

    def finite(self, value: Any, *, what: str, hint: str = "", fn: str | None = None,
               args: Sequence[Any] = ()) -> None:
        """No nan or inf anywhere in ``value``."""
        arr = np.asarray(value, dtype=float)
        if not np.all(np.isfinite(arr)):
            bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
            message = (f"{what} contains {bad} nan/inf value(s)"
                       + ("" if self.hidden else f": {fmt(arr)}") + ".")
            self.fail(message, hint=hint, fn=fn, args=args, got=value)

    def close(self, actual: Any, expected: Any, *, what: str, hint: str = "",
              fn: str | None = None, args: Sequence[Any] = (), rtol: float = 1e-6,
              atol: float = 1e-8, where: Any = None) -> None:
        """``actual`` equals ``expected`` up to floating-point tolerance.

        Args:
            where: a boolean mask of ``expected``'s shape: compare only those
                entries, but report indices in the whole array (the caller's).
        """
        expected = np.asarray(expected, dtype=float)
        if expected.ndim == 0:
            got = self.scalar(actual, what=what, fn=fn, args=args)
            want = float(expected)
            if not close_mask(np.array([got]), np.array([want]), rtol=rtol, atol=atol)[0]:
                digits = distinct_digits(got, want)
                shown = "" if self.hidden else (f" (expected {fmt(want, digits=digits)}"
                                                f"{difference(got, want)})")
                self.fail(f"{what} returned {fmt(got, digits=digits)}{shown}, which is not "
                          "right.", hint=hint, fn=fn, args=args, got=actual)
            return
        arr = self.array(actual, what=what, shape=expected.shape, fn=fn, args=args)
        ok = close_mask(arr, expected, rtol=rtol, atol=atol)
        compared = arr.size
        if where is not None:
            mask = np.broadcast_to(np.asarray(where, dtype=bool), expected.shape)
            ok = ok | ~mask
            compared = int(np.count_nonzero(mask))
        if not np.all(ok):
            bad = np.argwhere(~ok)
            first = tuple(int(i) for i in bad[0])
            message = f"{what} is wrong in {len(bad)} of {compared} entries"
            if self.hidden:
                message += "."
            else:
                digits = distinct_digits(arr[first], expected[first])
                message += (f"; first at index {first}: got {fmt(arr[first], digits=digits)}, "
                            f"expected {fmt(expected[first], digits=digits)}"
                            f"{difference(arr[first], expected[first])}.\n"
                            f"  got:      {fmt(arr, digits=digits)}\n"
                            f"  expected: {fmt(expected, digits=digits)}")
            self.fail(message, hint=hint, fn=fn, args=args, got=actual)

    def unchanged(self, after: np.ndarray, before: np.ndarray, *, what: str, hint: str = "",
                  fn: str | None = None) -> None:
        """The caller's array must not have been modified; ``hint`` names the
        typical in-place write of this function."""
        if after.shape != before.shape or after.dtype != before.dtype \
                or after.tobytes() != before.tobytes():
            self.fail(f"{what} changed the array you passed in.",
                      hint=hint or "Compute a new array instead of writing into the input.",
                      fn=fn)
