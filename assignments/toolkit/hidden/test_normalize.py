"""Hidden checks for normalize: constant columns, other shapes, the input contract."""

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("normalize"), pytest.mark.visibility("hidden")]

# A guard such as std + 1e-8 is a fine way to avoid dividing by 0: compare loosely.
TOL = {"rtol": 1e-5, "atol": 1e-6}


def reference_normalize(X):
    std = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(std == 0, 1.0, std)


@pytest.mark.points(1)
def test_normalize_constant_column(student, expect, rng):
    # Column 1 is constant (3.0 is exact, so its std is exactly 0): it must become
    # all zeros, not nan, and the other columns are still standardised.
    X = rng.normal(0.0, 4.0, (7, 3))
    X[:, 1] = 3.0
    N = expect.array(student.normalize(X.copy()), what="normalize(X) with a constant column",
                     shape=X.shape, fn="normalize", args=(X,))
    expect.finite(N, what="normalize(X) with a constant column",
                  hint="A constant column has standard deviation 0: do not divide it by 0 "
                       "(only subtract its mean).", fn="normalize", args=(X,))
    expect.true(np.allclose(N[:, 1], 0.0, atol=1e-6),
                "the constant column of normalize(X) should be all zeros (a constant column "
                "minus its mean is 0), but it is not.", fn="normalize", args=(X,), got=N)
    expect.close(N, reference_normalize(X), what="normalize(X) with a constant column",
                 fn="normalize", args=(X,), **TOL)


@pytest.mark.points(1)
def test_normalize_two_constant_columns(student, expect):
    # Columns 0 and 1 are constant, column 2 varies.
    X = np.array([[3.0, -2.0, 1.0], [3.0, -2.0, 2.0], [3.0, -2.0, 4.0], [3.0, -2.0, 5.0]])
    N = expect.array(student.normalize(X.copy()), what="normalize(X) with constant columns",
                     shape=X.shape, fn="normalize", args=(X,))
    expect.finite(N, what="normalize(X) with constant columns",
                  hint="Columns with standard deviation 0 must not be divided by 0.",
                  fn="normalize", args=(X,))
    expect.close(N, reference_normalize(X), what="normalize(X) with constant columns",
                 fn="normalize", args=(X,), **TOL)


@pytest.mark.points(1)
@pytest.mark.parametrize("shape", [(50, 8), (2, 5)], ids=["50x8", "2x5"])
def test_normalize_other_shapes(student, expect, rng, shape):
    X = rng.normal(rng.uniform(-10, 10, shape[1]), rng.uniform(0.5, 5, shape[1]), shape)
    expect.close(student.normalize(X.copy()), reference_normalize(X),
                 what=f"normalize(X) for X of shape {shape}", fn="normalize", args=(X,),
                 **TOL)


@pytest.mark.points(1)
def test_normalize_does_not_modify_input(student, expect, rng):
    X = rng.normal(2.0, 3.0, (6, 3))
    X[:, 2] = 3.0
    before = X.copy()
    student.normalize(X)
    expect.true(np.array_equal(X, before),
                "normalize changed the X you passed in.",
                hint="Build a new array, e.g. (X - mean) / std, instead of updating X in "
                "place (X -= mean changes the caller's data).", fn="normalize",
                args=(before,), got=X)


@pytest.mark.points(1)
def test_normalize_integer_data(student, expect, rng):
    # Integer data (counts, pixel values) normalises to floats, not to truncated ints.
    X = rng.integers(0, 10, (6, 3))
    N = expect.array(student.normalize(X.copy()), what="normalize(X) for integer X",
                     shape=X.shape, fn="normalize", args=(X,))
    expect.close(N, reference_normalize(X.astype(float)), what="normalize(X) for integer X",
                 hint="The result must be floats: an array made with np.zeros_like(X) "
                      "for integer X holds integers and cuts the decimals off.",
                 fn="normalize", args=(X,), **TOL)
