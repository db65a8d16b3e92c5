"""Known-mistake diagnosis: name the wrong formula a student's answer matches.

A course's library of known mistakes (``assignments/mistakes.py``) maps a
toolkit function to ``(message, wrong_implementation)`` pairs. On a failed
check, each wrong implementation runs on the check's input, here on the
trusted side, and the first whose output equals the student's names the cause.
"""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path
from typing import Any, Callable

import numpy as np

# diagnose(fn, args, got) -> the cause, or (cause, fix), or None (see checklib.Expect.fail)
Diagnoser = Callable[[str, Any, Any], "str | tuple[str, str] | None"]


def load_diagnoser(mistakes_file: Path | None) -> Diagnoser | None:
    """Build ``diagnose(fn, args, got)`` from a course's library of known mistakes.

    The library (``assignments/mistakes.py``) maps a toolkit function to
    ``(message, wrong_implementation)`` pairs; a wrong implementation's ``hint``
    attribute, when set, is how to fix it (the second level of feedback).
    Diagnosis runs each wrong implementation on the check's input, here on the
    trusted side, and names the first whose output equals what the student
    returned.
    """
    if mistakes_file is None:
        return None
    spec = importlib.util.spec_from_file_location("_dlgrade_course_mistakes", mistakes_file)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    library: dict[str, list[tuple[str, Callable[..., Any]]]] = module.MISTAKES

    def diagnose(fn: str, args: Any, got: Any) -> str | tuple[str, str] | None:
        for message, wrong in library.get(fn, []):
            try:
                with np.errstate(all="ignore"):
                    candidate = wrong(*copy.deepcopy(tuple(args)))
            except Exception:  # noqa: BLE001 - a variant may not apply to this input
                continue
            if same_output(candidate, got):
                # the fix (second level) is kept apart from the cause: see mistake(hint=)
                return message, str(getattr(wrong, "hint", ""))
        return None

    return diagnose


def same_output(a: Any, b: Any) -> bool:
    """Do two outputs agree (arrays up to float noise, nan matching nan)?"""
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys()
                and all(same_output(a[k], b[k]) for k in a))
    if isinstance(a, tuple) and isinstance(b, (tuple, list)) and len(a) == len(b):
        return all(same_output(x, y) for x, y in zip(a, b, strict=True))
    try:
        x = np.asarray(a)
        y = np.asarray(b)
    except Exception:  # noqa: BLE001
        return False
    if x.shape != y.shape or x.dtype.kind not in "biuf" or y.dtype.kind not in "biuf":
        return False
    if (x.dtype.kind == "b") != (y.dtype.kind == "b"):
        return False
    return bool(np.allclose(x.astype(float), y.astype(float), rtol=1e-6, atol=1e-9,
                            equal_nan=True))
