"""Known mistakes: wrong implementations students really write, with a name.

When a check fails, the grader runs the variants registered here for that
function on the check's own input (on the trusted side) and, if one returns
exactly what the student returned, the failure message names the mistake in
the student's terms. Course content: never shipped to students.

Variants named ``*_in_place`` return what a student's function leaves in its
*input*: the "leaves input alone" checks pass the changed input as the output
to match. Variants of stochastic functions (gradient_descent) do not shuffle;
they can only match on inputs where the order of the samples cannot matter.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

MISTAKES: dict[str, list[tuple[str, Callable[..., Any]]]] = {}


def mistake(function: str, message: str,
            hint: str = "") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a wrong implementation of ``function`` and what to tell the student.

    ``message`` names the mistake (the first level of feedback); ``hint``, how to
    fix it (the second level, shown on request: ``dlgrade check --hints``).
    """
    def register(wrong: Callable[..., Any]) -> Callable[..., Any]:
        wrong.hint = hint  # type: ignore[attr-defined]
        MISTAKES.setdefault(function, []).append((message, wrong))
        return wrong
    return register


# ------------------------------------------------------------------ relu

@mistake("relu", "relu returns the True/False mask (Z > 0) instead of the values.",
         hint="Use np.maximum(0, Z).")
def relu_mask(Z):
    return Z > 0


@mistake("relu", "relu keeps the negative values and zeroes the positive ones.",
         hint="The comparison is the wrong way round.")
def relu_inverted(Z):
    return np.minimum(0, Z)


# ------------------------------------------------------------------ softmax

@mistake("softmax", "your softmax normalises each column (axis=0), not each row.",
         hint="Each row is one sample: take the maximum and the sum along axis=1.")
def softmax_axis0(Z):
    e = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


@mistake("softmax", "your softmax divides by the sum of the whole array, not by each "
                    "row's sum.", hint="Use np.sum(..., axis=1, keepdims=True).")
def softmax_global_sum(Z):
    e = np.exp(Z - np.max(Z, axis=1, keepdims=True))
    return e / np.sum(e)


@mistake("softmax", "your softmax calls np.exp on the raw scores, which overflows for large "
                    "scores.", hint="Subtract each row's maximum first.")
def softmax_no_max_shift(Z):
    with np.errstate(all="ignore"):
        e = np.exp(Z)
        return e / np.sum(e, axis=1, keepdims=True)


@mistake("softmax", "your softmax subtracts the maximum of the whole array instead of each "
                    "row's maximum.", hint="Use np.max(Z, axis=1, keepdims=True).")
def softmax_global_max(Z):
    with np.errstate(all="ignore"):
        e = np.exp(Z - np.max(Z))
        return e / np.sum(e, axis=1, keepdims=True)


@mistake("softmax", "your softmax sums without keepdims=True, so the division lines up "
                    "with the wrong axis.",
         hint="Keep the summed axis (keepdims=True) so that each row is divided by its "
              "own sum.")
def softmax_no_keepdims(Z):
    e = np.exp(Z - np.max(Z, axis=1, keepdims=True))
    return e / np.sum(e, axis=1)


@mistake("softmax", "your softmax shifts Z itself (Z -= ... or out=Z), which changes the "
                    "caller's scores.", hint="Compute Z - max into a new array.")
def softmax_shift_in_place(Z):
    # Matched against the caller's array after the call (the "leaves input alone" check):
    # what an in-place shift leaves behind in Z.
    return Z - np.max(Z, axis=1, keepdims=True)


@mistake("relu", "your relu writes into Z (Z[Z < 0] = 0 or np.maximum(Z, 0, out=Z)), which "
                 "changes the caller's array.", hint="Use np.maximum(0, Z) to get a new one.")
def relu_in_place(Z):
    # Matched against the caller's array after the call: Z, clipped.
    Z[Z < 0] = 0
    return Z


@mistake("relu", "relu replaces values <= 1 by 0 or clips at the wrong threshold.",
         hint="The cut-off is 0 (np.maximum(0, Z)).")
def relu_threshold_one(Z):
    return np.where(Z > 1, Z, 0.0)


@mistake("relu", "relu takes the absolute value (np.abs), so negative inputs come out "
                 "positive.", hint="Negative inputs must become 0, not their absolute value.")
def relu_abs(Z):
    return np.abs(Z)


@mistake("softmax", "your softmax subtracts each row's MINIMUM, so np.exp overflows when "
                    "a row's scores are far apart (exp(2000) is inf).",
         hint="Subtract each row's maximum instead: then the largest exponent is 0.")
def softmax_min_shift(Z):
    e = np.exp(Z - np.min(Z, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)


# ------------------------------------------------------------------ normalize

@mistake("normalize", "your normalize writes its result into an integer array (one made "
                      "with np.zeros_like(X), or X itself) when X holds integers, which "
                      "cuts the decimals off.",
         hint="Let NumPy build a new float array from the arithmetic, e.g. "
              "(X - mean) / std.")
def normalize_int_buffer(X):
    if X.dtype.kind not in "iu":
        raise TypeError("only integer input shows this mistake")
    out = np.zeros_like(X)
    std = np.std(X, axis=0)
    out[...] = (X - np.mean(X, axis=0)) / np.where(std == 0, 1.0, std)
    return out


@mistake("normalize", "your normalize divides a constant column by its standard deviation 0, "
                      "which gives nan.", hint="Divide only where std != 0 (e.g. "
                      "np.where(std == 0, 1, std)).")
def normalize_no_std_guard(X):
    return (X - np.mean(X, axis=0)) / np.std(X, axis=0)


@mistake("normalize", "your normalize uses the mean and std of each row (axis=1), not of "
                      "each column.", hint="Each column is one feature: use axis=0.")
def normalize_rows(X):
    std = np.std(X, axis=1, keepdims=True)
    return (X - np.mean(X, axis=1, keepdims=True)) / np.where(std == 0, 1.0, std)


@mistake("normalize", "your normalize uses one mean and std for the whole array.",
         hint="Each column needs its own (axis=0).")
def normalize_global(X):
    std = np.std(X)
    return (X - np.mean(X)) / (std if std != 0 else 1.0)


@mistake("normalize", "your normalize divides by the standard deviation but never subtracts "
                      "the mean.", hint="Subtract each column's mean before dividing.")
def normalize_no_mean(X):
    std = np.std(X, axis=0)
    return X / np.where(std == 0, 1.0, std)


@mistake("normalize", "your normalize subtracts the mean but never divides by the standard "
                      "deviation.", hint="Divide by each column's standard deviation "
                      "(np.std with axis=0).")
def normalize_no_std(X):
    return X - np.mean(X, axis=0)


@mistake("normalize", "your normalize divides by the variance (np.var), not by the "
                      "standard deviation.", hint="The standard deviation is np.std, the "
                      "square root of the variance.")
def normalize_variance(X):
    var = np.var(X, axis=0)
    return (X - np.mean(X, axis=0)) / np.where(var == 0, 1.0, var)


@mistake("normalize", "your normalize uses the sample standard deviation (ddof=1).",
         hint="The course uses np.std's default (ddof=0).")
def normalize_ddof1(X):
    std = np.std(X, axis=0, ddof=1)
    return (X - np.mean(X, axis=0)) / np.where(std == 0, 1.0, std)


@mistake("normalize", "your normalize writes into X (X -= mean or X /= std), which changes "
                      "the caller's data.", hint="Compute (X - mean) / std into a new array.")
def normalize_in_place(X):
    # Matched against the caller's array after the call: X, normalised.
    std = np.std(X, axis=0)
    return (X - np.mean(X, axis=0)) / np.where(std == 0, 1.0, std)


# ------------------------------------------------------------------ matrix_multiply

@mistake("matrix_multiply", "matrix_multiply multiplies element by element (X * W).",
         hint="The matrix product is X @ W (np.matmul).")
def matmul_elementwise(X, W):
    return X * W


@mistake("matrix_multiply", "matrix_multiply computes W @ X.",
         hint="The order matters: it is X @ W.")
def matmul_swapped(X, W):
    return W @ X


@mistake("matrix_multiply", "matrix_multiply transposes one of the matrices (X.T @ W or "
                            "X @ W.T).", hint="It is plainly X @ W.")
def matmul_transposed(X, W):
    return X.T @ W


@mistake("matrix_multiply", "matrix_multiply transposes one of the matrices (X.T @ W or "
                            "X @ W.T).", hint="It is plainly X @ W.")
def matmul_transposed_w(X, W):
    return X @ W.T


@mistake("matrix_multiply", "matrix_multiply returns (X @ W).T, the transpose of the product.",
         hint="Return the product itself, of shape (m, p).")
def matmul_result_transposed(X, W):
    return (X @ W).T


# ------------------------------------------------------------------ sigmoid

@mistake("sigmoid", "your sigmoid computes sigmoid(-z): large z gives 0 instead of 1.",
         hint="It needs np.exp(-Z) where it uses np.exp(Z).")
def sigmoid_wrong_sign(Z):
    return 1 / (1 + np.exp(Z))


@mistake("sigmoid", "your sigmoid computes 1 + np.exp(-Z): 1 / 1 + np.exp(-Z) is missing "
                    "parentheses.", hint="Write 1 / (1 + np.exp(-Z)).")
def sigmoid_parentheses(Z):
    return 1 / 1 + np.exp(-Z)


@mistake("sigmoid", "your sigmoid returns np.tanh(Z), which lies in (-1, 1).",
         hint="sigmoid is 1 / (1 + np.exp(-Z)).")
def sigmoid_tanh(Z):
    return np.tanh(Z)


@mistake("sigmoid", "your sigmoid computes np.exp(-Z) / (1 + np.exp(-Z)), which is "
                    "1 - sigmoid(z).", hint="The numerator must be 1 (or np.exp(Z) over "
                    "1 + np.exp(Z)).")
def sigmoid_complement(Z):
    return np.exp(-Z) / (1 + np.exp(-Z))


@mistake("sigmoid", "your sigmoid computes np.exp(Z) / (1 + np.exp(Z)) for every z; for "
                    "z of 1000 that is inf / inf, which is nan.",
         hint="Use 1 / (1 + np.exp(-Z)) for z >= 0.")
def sigmoid_exp_ratio(Z):
    if np.max(np.abs(Z)) < 700:  # equals the right sigmoid there: it can name nothing
        raise ValueError("only huge inputs show this mistake")
    return np.exp(Z) / (1 + np.exp(Z))


@mistake("sigmoid", "your sigmoid writes its result into an integer array (one made with "
                    "np.zeros_like(Z), or Z itself) when Z holds integers, so every "
                    "probability is cut to 0.",
         hint="Let NumPy build a new float array from the arithmetic, e.g. "
              "1 / (1 + np.exp(-Z)).")
def sigmoid_int_buffer(Z):
    if Z.dtype.kind not in "iu":
        raise TypeError("only integer input shows this mistake")
    out = np.zeros_like(Z)
    out[...] = 1 / (1 + np.exp(-Z))
    return out


@mistake("sigmoid", "your sigmoid writes its result into Z (Z[...] = ... or out=Z), which "
                    "changes the caller's array.", hint="Compute into a new array and leave "
                    "Z as it was.")
def sigmoid_in_place(Z):
    # Matched against the caller's Z after the call: the sigmoid of Z left behind.
    return _logistic(np.asarray(Z, dtype=float))


@mistake("sigmoid", "your sigmoid clips Z to [-10, 10]: then very large |z| never gets close "
                    "to 0 or 1 (sigmoid(50) is 1 - 2e-22, not 1 - 5e-5).",
         hint="Clip at 500 at the least, or use the two-branch stable form.")
def sigmoid_clip_10(Z):
    return 1 / (1 + np.exp(-np.clip(Z, -10, 10)))


# ------------------------------------------------------------------ mse_loss

@mistake("mse_loss", "your mse_loss averages over axis 0 only, so it returns an array (one "
                     "value per column), not one number.",
         hint="Take np.mean without axis: the mean over all the entries.")
def mse_axis0(y_pred, y):
    return np.mean((y_pred - y) ** 2, axis=0)


@mistake("mse_loss", "your mse_loss returns an array of shape (1, 1) (from a matrix "
                     "product such as e.T @ e, or from keepdims=True), not one number.",
         hint="Return one number: the mean of the squared errors, np.mean((y_pred - y) ** 2).")
def mse_one_by_one(y_pred, y):
    e = (y_pred - y).reshape(len(y_pred), -1)
    return e.T @ e / len(e)


@mistake("mse_loss", "your mse_loss keeps the dimensions (keepdims=True), so it returns an "
                     "array, not one number.", hint="Drop keepdims.")
def mse_keepdims(y_pred, y):
    return np.mean((y_pred - y) ** 2, keepdims=True)


@mistake("mse_loss", "your mse_loss returns the sum of the squared errors.",
         hint="The mean squared error divides by the number of samples (np.mean).")
def mse_sum(y_pred, y):
    return float(np.sum((y_pred - y) ** 2))


@mistake("mse_loss", "your mse_loss averages the errors without squaring them.",
         hint="Square each error before taking the mean.")
def mse_no_square(y_pred, y):
    return float(np.mean(y_pred - y))


@mistake("mse_loss", "your mse_loss averages the absolute errors (that is the MAE).",
         hint="Square them instead.")
def mse_abs(y_pred, y):
    return float(np.mean(np.abs(y_pred - y)))


@mistake("mse_loss", "your mse_loss takes the square root of the mean (that is the RMSE).",
         hint="Leave out np.sqrt.")
def mse_root(y_pred, y):
    return float(np.sqrt(np.mean((y_pred - y) ** 2)))


@mistake("mse_loss", "your mse_loss halves the mean (0.5 * mean).",
         hint="The course's MSE has no factor 1/2.")
def mse_half(y_pred, y):
    return float(0.5 * np.mean((y_pred - y) ** 2))


@mistake("mse_loss", "your mse_loss squares the mean error instead of averaging the squared "
                     "errors.", hint="Square first, then take the mean.")
def mse_square_of_mean(y_pred, y):
    return float(np.mean(y_pred - y) ** 2)


# ------------------------------------------------------------------ binary_cross_entropy

@mistake("binary_cross_entropy", "your binary_cross_entropy takes np.log of exactly 0, which "
                                 "gives -inf or nan.",
         hint="Add a tiny epsilon (1e-15) inside the logs or clip A.")
def bce_no_epsilon(A, y):
    return float(-np.mean(y * np.log(A) + (1 - y) * np.log(1 - A)))


@mistake("binary_cross_entropy", "your binary_cross_entropy is missing the minus sign: "
                                 "the loss must be a positive number.",
         hint="The loss is -mean(y log A + (1 - y) log(1 - A)).")
def bce_sign(A, y):
    eps = 1e-15
    return float(np.mean(y * np.log(A + eps) + (1 - y) * np.log(1 - A + eps)))


@mistake("binary_cross_entropy", "your binary_cross_entropy returns the sum over the "
                                 "samples.", hint="Use the mean (np.mean).")
def bce_sum(A, y):
    eps = 1e-15
    return float(-np.sum(y * np.log(A + eps) + (1 - y) * np.log(1 - A + eps)))


@mistake("binary_cross_entropy", "your binary_cross_entropy leaves out the term for label "
                                 "0, so samples with label 0 cost nothing.",
         hint="Add the (1 - y) * log(1 - A) term inside the mean.")
def bce_missing_negative_term(A, y):
    return float(-np.mean(y * np.log(A + 1e-15)))


@mistake("binary_cross_entropy", "your binary_cross_entropy swaps the labels.",
         hint="It is y * log(A) + (1 - y) * log(1 - A), not y * log(1 - A) + ...")
def bce_swapped(A, y):
    eps = 1e-15
    return float(-np.mean(y * np.log(1 - A + eps) + (1 - y) * np.log(A + eps)))


@mistake("binary_cross_entropy", "your binary_cross_entropy uses np.log10.",
         hint="The loss uses the natural logarithm np.log.")
def bce_log10(A, y):
    eps = 1e-15
    return float(-np.mean(y * np.log10(A + eps) + (1 - y) * np.log10(1 - A + eps)))


@mistake("binary_cross_entropy", "your binary_cross_entropy averages over axis 0 only, so it "
                                 "returns an array, not one number.",
         hint="Take np.mean without axis: the mean over all the entries.")
def bce_axis0(A, y):
    eps = 1e-15
    return -np.mean(y * np.log(A + eps) + (1 - y) * np.log(1 - A + eps), axis=0)


@mistake("binary_cross_entropy", "your binary_cross_entropy clips A in place (np.clip(..., "
                                 "out=A)), which changes the caller's predictions.",
         hint="Clip into a new array, A = np.clip(A, eps, 1 - eps).")
def bce_clip_in_place(A, y):
    # Matched against the caller's A after the call: A, clipped (any tiny epsilon).
    return np.clip(A, 1e-15, 1 - 1e-15)


@mistake("binary_cross_entropy", "your binary_cross_entropy clips A in place (np.clip(..., "
                                 "out=A)), which changes the caller's predictions.",
         hint="Clip into a new array, A = np.clip(A, eps, 1 - eps).")
def bce_clip_in_place_1e7(A, y):
    return np.clip(A, 1e-7, 1 - 1e-7)


@mistake("binary_cross_entropy", "your binary_cross_entropy uses matrix products (y.T @ "
                                 "log(A)), which give an array of shape (1, 1) for columns, "
                                 "not one number.",
         hint="Return one number: -np.mean(y * log(A) + ...) over all the entries.")
def bce_matrix_product(A, y):
    eps = 1e-15
    A2, y2 = A.reshape(len(A), -1), y.reshape(len(y), -1)
    return -(y2.T @ np.log(A2 + eps) + (1 - y2).T @ np.log(1 - A2 + eps)) / len(y2)


# ------------------------------------------------------------------ gradient_descent
# These variants train without shuffling: they reproduce a student's result only on
# inputs where the order of the samples cannot matter (one batch per epoch, or
# identical samples), which is what the full-batch checks use.

def _identity(Z):
    return Z


def _train(X, y, W, b, lr, num_epochs, batch_size, loss_fn, activation_fn=None, *,
           sign=1.0, mean_grad=True, update_b=True, per_batch=False, before=False,
           use_activation=True, drop_partial=False, nominal_divisor=False, b_sum=False,
           loss_swapped=False, loss_activation=True, epochs_delta=0):
    if activation_fn is None or not use_activation:
        activation_fn = _identity
    record_activation = activation_fn if loss_activation else _identity

    def record():
        pred = record_activation(X @ W + b)
        history.append(loss_fn(y, pred) if loss_swapped else loss_fn(pred, y))

    history = []
    n = X.shape[0]
    stop = n - n % batch_size if drop_partial and n >= batch_size else n
    for _ in range(num_epochs + epochs_delta):
        if before:
            record()
        for start in range(0, stop, batch_size):
            Xb, yb = X[start:start + batch_size], y[start:start + batch_size]
            error = activation_fn(Xb @ W + b) - yb
            scale = (batch_size if nominal_divisor else Xb.shape[0]) if mean_grad else 1
            W = W - sign * lr * (Xb.T @ error) / scale
            if update_b:
                b = b - sign * lr * np.sum(error) / (1 if b_sum else scale)
            if per_batch:
                record()
        if not per_batch and not before:
            record()
    return W, b, history


@mistake("gradient_descent", "your gradient_descent steps along the gradient instead of "
                             "against it, so the loss grows.",
         hint="The update is W - lr * grad, not W + lr * grad.")
def gd_sign_flipped(*args):
    return _train(*args, sign=-1.0)


@mistake("gradient_descent", "your gradient_descent sums the gradient over the batch instead of "
                             "averaging it, so the steps are far too big.",
         hint="Divide X.T @ error by the batch size.")
def gd_sum_gradient(*args):
    return _train(*args, mean_grad=False)


@mistake("gradient_descent", "your gradient_descent never updates b.",
         hint="Update b after W, with the mean of the error as its gradient.")
def gd_no_bias_update(*args):
    return _train(*args, update_b=False)


@mistake("gradient_descent", "your gradient_descent never calls activation_fn.",
         hint="Compute activation_fn(X @ W + b) for the predictions, in the updates and in "
              "the recorded loss.")
def gd_no_activation(*args):
    return _train(*args, use_activation=False)


@mistake("gradient_descent", "your gradient_descent records the loss after every batch.",
         hint="loss_history needs one value per epoch, after the epoch's batches.")
def gd_history_per_batch(*args):
    return _train(*args, per_batch=True)


@mistake("gradient_descent", "your gradient_descent records the loss BEFORE each epoch's "
                             "updates, so the last entry is not the loss of the W and b you "
                             "return.", hint="Compute the loss on all of X after the epoch's "
                             "batches.")
def gd_loss_before_epoch(*args):
    return _train(*args, before=True)


@mistake("gradient_descent", "your gradient_descent skips the last, smaller batch when "
                             "batch_size does not divide the number of samples (a loop over "
                             "range(n // batch_size) batches), so some samples are never used.",
         hint="Loop with range(0, n, batch_size) so every sample is used every epoch.")
def gd_drops_last_batch(*args):
    return _train(*args, drop_partial=True)


@mistake("gradient_descent", "your gradient_descent divides the gradient by batch_size even "
                             "for the last, smaller batch, which holds fewer samples.",
         hint="Divide by the number of samples actually in the batch (X_batch.shape[0]).")
def gd_nominal_batch_size(*args):
    return _train(*args, nominal_divisor=True)


@mistake("gradient_descent", "your gradient_descent sums the error for the bias step "
                             "(np.sum) but averages it for W, so b takes steps far too big.",
         hint="The bias gradient is the mean of the error, np.mean(error).")
def gd_bias_gradient_summed(*args):
    return _train(*args, b_sum=True)


@mistake("gradient_descent", "your gradient_descent calls loss_fn(y, y_pred), with the "
                             "targets first (it matters for losses such as binary "
                             "cross-entropy).", hint="The predictions come first: "
                             "loss_fn(y_pred, y).")
def gd_loss_arguments_swapped(*args):
    return _train(*args, loss_swapped=True)


@mistake("gradient_descent", "your gradient_descent records the loss of X @ W + b without "
                             "activation_fn.",
         hint="Record loss_fn(activation_fn(X @ W + b), y).")
def gd_loss_without_activation(*args):
    return _train(*args, loss_activation=False)


@mistake("gradient_descent", "your gradient_descent runs one epoch too few (a loop over "
                             "range(1, num_epochs), say).", hint="Loop over range(num_epochs).")
def gd_one_epoch_short(*args):
    return _train(*args, epochs_delta=-1)


@mistake("gradient_descent", "your gradient_descent updates W (or b) in place (with -=), "
                             "which changes the caller's arrays.",
         hint="Write W = W - lr * grad_W to get a new array.")
def gd_update_in_place(*args):
    # Matched against the caller's (W, b) after the call: the trained values.
    W, b, _ = _train(*args)
    return W, b


@mistake("gradient_descent", "your gradient_descent returns the W and b it started from, "
                             "not the trained ones.", hint="Return the updated W and b.")
def gd_returns_initial(X, y, W, b, *rest):
    _, _, history = _train(X, y, W, b, *rest)
    return W, b, history


@mistake("gradient_descent", "your gradient_descent shuffles the caller's X and y in place "
                             "(np.random.shuffle), which changes the caller's data.",
         hint="Shuffle an index array, idx = np.random.permutation(n), and use X[idx], "
              "y[idx].")
def gd_shuffles_in_place(X, y, *rest):
    # Matched against the caller's X and y after the call, rows sorted (the "leaves
    # inputs alone" check sorts them): the same rows, in another order.
    return np.sort(X, axis=0), np.sort(y, axis=0)


# ------------------------------------------------------------------ numerical_gradient

def _difference(X, y, params, loss_fn, forward_fn, h=1e-4, *, kind="central",
                restore=True, first_column=False, swapped=False):
    def loss(pred):
        return loss_fn(y, pred) if swapped else loss_fn(pred, y)

    grads = {}
    for name, value in params.items():
        grad = np.zeros_like(value, dtype=float)
        for idx in np.ndindex(value.shape):
            if first_column and value.ndim == 2 and idx[1] != 0:
                continue
            original = value[idx]
            base = loss(forward_fn(X, params))
            value[idx] = original + h
            plus = loss(forward_fn(X, params))
            value[idx] = original - h
            minus = loss(forward_fn(X, params))
            if restore:
                value[idx] = original
            grad[idx] = {"forward": (plus - base) / h, "h": (plus - minus) / h,
                         "central": (plus - minus) / (2 * h), "sign": (minus - plus) / (2 * h),
                         "backward": (base - minus) / h, "precedence": (plus - minus) / 2 * h,
                         }[kind]
        grads[name] = grad
    return grads


@mistake("numerical_gradient", "your numerical_gradient calls loss_fn(y, y_pred), with the "
                               "targets first.", hint="The predictions come first: "
                               "loss_fn(forward_fn(X, params), y).")
def ng_loss_arguments_swapped(*args):
    return _difference(*args, swapped=True)


@mistake("numerical_gradient", "your numerical_gradient uses the backward difference "
                               "(L(p) - L(p - h)) / h, which is not accurate enough.",
         hint="Use the central difference (L(p + h) - L(p - h)) / (2h).")
def ng_backward_difference(*args):
    return _difference(*args, kind="backward")


@mistake("numerical_gradient", "your numerical_gradient writes ... / 2 * h, which divides "
                               "by 2 and then multiplies by h.",
         hint="Put the denominator in parentheses, / (2 * h).")
def ng_missing_parentheses(*args):
    return _difference(*args, kind="precedence")


@mistake("numerical_gradient", "your numerical_gradient uses the forward difference "
                               "(L(p + h) - L(p)) / h.",
         hint="Use the central difference (L(p + h) - L(p - h)) / (2h).")
def ng_forward_difference(*args):
    return _difference(*args, kind="forward")


@mistake("numerical_gradient", "your numerical_gradient divides by h instead of 2h.",
         hint="The two nudges +h and -h are 2h apart.")
def ng_divided_by_h(*args):
    return _difference(*args, kind="h")


@mistake("numerical_gradient", "your numerical_gradient subtracts the wrong way round.",
         hint="(L(p + h) - L(p - h)) / (2h), not (L(p - h) - L(p + h)).")
def ng_sign(*args):
    return _difference(*args, kind="sign")


# ------------------------------------------------------------------ forward_perceptron

def _logistic(Z):
    return 1.0 / (1.0 + np.exp(-Z))


@mistake("forward_perceptron", "your forward_perceptron leaves out the bias.",
         hint="Compute sigmoid(X @ W + b).")
def fp_no_bias(X, W, b):
    return _logistic(X @ W)


@mistake("forward_perceptron", "your forward_perceptron returns X @ W + b without the sigmoid.",
         hint="Apply sigmoid to X @ W + b.")
def fp_no_sigmoid(X, W, b):
    return X @ W + b


@mistake("forward_perceptron", "your forward_perceptron applies relu, not sigmoid.",
         hint="The perceptron's output is a probability: apply sigmoid.")
def fp_relu(X, W, b):
    return np.maximum(0, X @ W + b)


@mistake("forward_perceptron", "your forward_perceptron adds the bias after the sigmoid.",
         hint="It is sigmoid(X @ W + b), not sigmoid(X @ W) + b.")
def fp_bias_after_sigmoid(X, W, b):
    return _logistic(X @ W) + b


@mistake("forward_perceptron", "your forward_perceptron returns sigmoid(-(X @ W + b)).",
         hint="Check the sign inside np.exp in your sigmoid (np.exp(-Z)).")
def fp_sigmoid_wrong_sign(X, W, b):
    return _logistic(-(X @ W + b))


@mistake("forward_perceptron", "your forward_perceptron returns 1 + np.exp(-Z).",
         hint="Check the parentheses in your sigmoid: 1 / (1 + np.exp(-Z)).")
def fp_sigmoid_parentheses(X, W, b):
    return 1 + np.exp(-(X @ W + b))


@mistake("numerical_gradient", "your numerical_gradient does not put each entry back after "
                               "nudging it, so later entries are measured at a shifted "
                               "point.", hint="Restore params[name][idx] = original.")
def ng_not_restored(*args):
    return _difference(*args, restore=False)


@mistake("forward_perceptron", "your forward_perceptron flattens W (W.ravel() or W[:, 0]), "
                               "so X @ W is a vector, not an (n_samples, 1) column.",
         hint="Keep W as it is, of shape (n_features, 1).")
def fp_flat_weights(X, W, b):
    return _logistic(X @ W.ravel() + b)


@mistake("forward_perceptron", "your forward_perceptron applies np.tanh, not sigmoid.",
         hint="The perceptron's output is a probability in [0, 1]: apply sigmoid.")
def fp_tanh(X, W, b):
    return np.tanh(X @ W + b)


@mistake("numerical_gradient", "your numerical_gradient only visits the first column of a "
                               "matrix parameter (a loop over range(len(param))).",
         hint="Loop over every index, e.g. for idx in np.ndindex(param.shape).")
def ng_first_column_only(*args):
    return _difference(*args, first_column=True)


@mistake("numerical_gradient", "your numerical_gradient nudges a copy of the parameter, so "
                               "forward_fn never sees the change and every gradient is 0.",
         hint="Nudge params[name][idx] itself (then restore it).")
def ng_nudges_copy(X, y, params, loss_fn, forward_fn, h=1e-4):
    return {name: np.zeros_like(value, dtype=float) for name, value in params.items()}
