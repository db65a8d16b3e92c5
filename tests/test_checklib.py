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
