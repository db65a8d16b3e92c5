"""The assertion helpers checks use: tolerance like np.isclose, teaching messages."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checklib import CheckFailed, Expect, close_mask


def test_close_mask_agrees_with_numpy_isclose() -> None:
    rng = np.random.default_rng(0)
    for _ in range(2000):
        a = rng.normal(size=7) * 10.0 ** rng.integers(-8, 8)
        e = a * (1 + rng.normal(size=7) * 10.0 ** rng.integers(-9, -3))
        a[rng.integers(0, 7)] = rng.choice([np.nan, np.inf, -np.inf, 0.0, 1e308])
        e[rng.integers(0, 7)] = rng.choice([np.nan, np.inf, -np.inf, 0.0, 1e308])
        assert (close_mask(a, e, rtol=1e-6, atol=1e-8)
                == np.isclose(a, e, rtol=1e-6, atol=1e-8)).all()


def test_public_message_shows_values_hidden_one_does_not() -> None:
    got, want = np.array([1.0, 2.0]), np.array([1.0, 3.0])
    with pytest.raises(CheckFailed) as public:
        Expect().close(got, want, what="f(x)")
    assert "expected 3" in str(public.value)
    with pytest.raises(CheckFailed) as hidden:
        Expect(hidden=True).close(got, want, what="f(x)")
    assert "3" not in str(hidden.value).replace("f(x)", "")


def test_diagnosis_names_the_mistake() -> None:
    def diagnose(fn, args, got):
        return "the known mistake" if fn == "relu" else None
    with pytest.raises(CheckFailed, match="Likely cause: the known mistake"):
        Expect(diagnose=diagnose).close(np.zeros(2), np.ones(2), what="relu(Z)", fn="relu",
                                        args=(np.ones(2),))


@pytest.mark.parametrize("value, ok", [(1.5, True), (np.float64(1.5), True),
                                       (np.array(1.5), True), (np.array([1.5]), True),
                                       (np.ones(3), False), (None, False), (True, False)])
def test_scalar_accepts_a_float_or_a_0d_array(value, ok) -> None:
    if ok:
        assert Expect().scalar(value, what="loss") == 1.5
    else:
        with pytest.raises(CheckFailed):
            Expect().scalar(value, what="loss")


# ------------------------------------------------------------------ issue 9: numbers, hints


def failure(call) -> CheckFailed:
    with pytest.raises(CheckFailed) as info:
        call()
    return info.value


def test_numbers_differ_visibly_and_show_the_difference() -> None:
    # -5.93312 vs -5.93348 agree to 4 significant digits: both used to print as -5.933
    got = np.array([[1.0], [-5.93312]])
    want = np.array([[1.0], [-5.93348]])
    text = str(failure(lambda: Expect().close(got, want, what="f(X)")))
    assert "first at index (1, 0): got -5.9331, expected -5.9335" in text
    assert "difference 0.00036" in text
    assert "got -5.933," not in text


def test_scalar_numbers_differ_visibly_and_show_the_difference() -> None:
    text = str(failure(lambda: Expect().close(0.69312, 0.69314, what="loss(A, y)")))
    # both are 0.6931 to 4 significant digits
    assert "returned 0.69312 (expected 0.69314, difference 2e-05)" in text


def test_hint_is_kept_apart_from_the_message() -> None:
    exc = failure(lambda: Expect().close(np.zeros(2), np.ones(2), what="relu(Z)",
                                         hint="use np.maximum(0, Z)"))
    assert "np.maximum" not in str(exc)
    assert exc.hint == "use np.maximum(0, Z)"
    exc = failure(lambda: Expect().finite(np.array([np.nan]), what="softmax(Z)",
                                          hint="subtract each row's maximum"))
    assert "maximum" not in str(exc) and exc.hint == "subtract each row's maximum"
    exc = failure(lambda: Expect().true(False, "rows must sum to 1", hint="axis=1"))
    assert str(exc) == "rows must sum to 1" and exc.hint == "axis=1"


def test_a_known_mistake_gives_its_cause_first_and_its_fix_as_the_hint() -> None:
    def diagnose(fn, args, got):
        return ("np.exp overflows on the raw scores", "subtract each row's maximum first")
    exc = failure(lambda: Expect(diagnose=diagnose).close(np.zeros(2), np.ones(2),
                                                          what="softmax(Z)", fn="softmax",
                                                          args=(np.ones(2),)))
    assert "Likely cause: np.exp overflows on the raw scores" in str(exc)
    assert "maximum" not in str(exc)
    assert exc.hint == "subtract each row's maximum first"


def test_nan_values_show_as_a_list() -> None:
    exc = failure(lambda: Expect().finite(np.array([np.nan, np.nan, 1.0]), what="softmax(Z)"))
    assert "[nan, nan, 1]" in str(exc)


def test_a_masked_comparison_reports_the_index_in_the_callers_array() -> None:
    Z = np.array([-1.0, -2.0, 3.0, 4.0])
    A = np.array([0.0, 0.0, 3.0, 8.0])  # wrong at index 3 of Z (index 1 of Z[Z > 0])
    text = str(failure(lambda: Expect().close(A, Z, where=Z > 0, what="relu(Z) where Z > 0")))
    assert "wrong in 1 of 2 entries; first at index (3,): got 8, expected 4" in text


@pytest.mark.parametrize("first, last, text", [
    (4.483e4, 1.652e91, "grew from 4.483e+04 to 1.652e+91 (a factor of about 10^86)"),
    (2.0, 3.0, "grew from 2 to 3"),
    (2.0, 0.5, "went from 2 to 0.5"),
    (2.0, float("nan"), "went from 2 to nan"),
])
def test_change_says_what_was_observed(first: float, last: float, text: str) -> None:
    # a diverging loss is described (by how much it grew), not blamed on one cause
    assert Expect.change(first, last) == text
