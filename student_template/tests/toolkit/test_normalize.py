"""Public checks for normalize: standardising the columns of a data matrix."""

import numpy as np
import pytest

pytestmark = [pytest.mark.tags("normalize"), pytest.mark.visibility("public")]

# A guard such as std + 1e-8 is a fine way to avoid dividing by 0: compare loosely.
TOL = {"rtol": 1e-5, "atol": 1e-6}


def reference_normalize(X):
    std = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)


@pytest.mark.points(1)
def test_normalize_small_matrix(student, expect):
    # Each column 1, 3, 5 (and 2, 4, 6) has mean 3 (4) and std sqrt(8/3).
    X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    expect.close(student.normalize(X.copy()), reference_normalize(X),
                 what="normalize(X) on a 3x2 matrix",
                 hint="Subtract each column's mean and divide by each column's standard "
                      "deviation (np.mean / np.std with axis=0).",
                 fn="normalize", args=(X,), **TOL)


@pytest.mark.points(1)
def test_normalize_columns_mean0_std1(student, expect, rng):
    # Features on very different scales all end up with mean 0 and std 1.
    X = rng.normal([5.0, -20.0, 0.1], [2.0, 10.0, 0.1], size=(8, 3))
    N = expect.array(student.normalize(X.copy()), what="normalize(X)", shape=X.shape,
                     fn="normalize", args=(X,))
    expect.finite(N, what="normalize(X)", fn="normalize", args=(X,))
    means, stds = N.mean(axis=0), N.std(axis=0)
    expect.true(np.allclose(means, 0.0, atol=1e-6),
                f"every column of normalize(X) must have mean 0, but the column means are "
                f"[{', '.join(f'{m:.4g}' for m in means)}].",
                hint="Subtract the mean of each column (axis=0).", fn="normalize", args=(X,),
                got=N)
    expect.true(np.allclose(stds, 1.0, atol=1e-5),
                f"every column of normalize(X) must have standard deviation 1, but the column "
                f"stds are [{', '.join(f'{s:.4g}' for s in stds)}].",
                hint="Divide by the std of each column (axis=0).", fn="normalize", args=(X,),
                got=N)
    expect.close(N, reference_normalize(X), what="normalize(X)", fn="normalize", args=(X,),
                 **TOL)


@pytest.mark.points(2)
def test_normalize_constant_column_and_input_kept(student, expect):
    # The docstring promises two things: a constant column (std 0) becomes all zeros
    # (no division by 0, no nan), and X itself is not modified.
    X = np.array([[1.0, 5.0], [2.0, 5.0], [4.0, 5.0], [5.0, 5.0]])
    before = X.copy()
    N = expect.array(student.normalize(X), what="normalize(X) with a constant column",
                     shape=X.shape, fn="normalize", args=(before,))
    expect.finite(N, what="normalize(X) with a constant column",
                  hint="Column 1 is constant: its standard deviation is 0, so divide it by "
                       "1 instead.", fn="normalize",
                  args=(before,))
    expect.true(np.array_equal(X, before),
                "normalize changed the X you passed in.",
                hint="Compute the result into a new array instead of X -= mean or X /= std.",
                fn="normalize", args=(before,), got=X)
    expect.close(N, reference_normalize(before), what="normalize(X) with a constant column",
                 fn="normalize", args=(before,), **TOL)
