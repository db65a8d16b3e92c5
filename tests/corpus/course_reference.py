"""The course's own neural_network.py (Part 3.2), re-typed as the test oracle.

Every check must give this file full marks: the checks test the contract the
course documents, not stricter rules. Kept as close to the course listing as
possible on purpose (the plain sigmoid with its overflow warning included).
"""
import numpy as np
from numpy.typing import NDArray
from typing import Union, Callable, Tuple, List, Dict


def normalize(X: NDArray[np.floating]) -> NDArray[np.floating]:
    mean = np.mean(X, axis=0)
    std = np.std(X, axis=0)
    normalized_X = X - mean
    mask = std != 0
    if np.any(mask):
        normalized_X[:, mask] = normalized_X[:, mask] / std[mask]
    return normalized_X


def matrix_multiply(X: NDArray[np.floating], W: NDArray[np.floating]) -> NDArray[np.floating]:
    return np.matmul(X, W)


def sigmoid(Z: NDArray[np.floating]) -> NDArray[np.floating]:
    return 1 / (1 + np.exp(-Z))


def relu(Z: NDArray[np.floating]) -> NDArray[np.floating]:
    return np.maximum(0, Z)


def softmax(Z: NDArray[np.floating]) -> NDArray[np.floating]:
    Z_max = np.max(Z, axis=1, keepdims=True)
    exp_Z = np.exp(Z - Z_max)
    sum_exp_Z = np.sum(exp_Z, axis=1, keepdims=True)
    return exp_Z / sum_exp_Z


def mse_loss(y_pred: NDArray[np.floating], y: NDArray[np.floating]) -> float:
    return np.mean((y_pred - y) ** 2)


def binary_cross_entropy(A: NDArray[np.floating], y: NDArray[np.floating]) -> float:
    epsilon = 1e-15
    return -np.mean(y * np.log(A + epsilon) + (1 - y) * np.log(1 - A + epsilon))


def gradient_descent(X: NDArray[np.floating], y: NDArray[np.floating], W: NDArray[np.floating],
                     b: NDArray[np.floating], lr: float, num_epochs: int, batch_size: int,
                     loss_fn: Callable[[NDArray[np.floating], NDArray[np.floating]], float],
                     activation_fn: Callable[[NDArray[np.floating]], NDArray[np.floating]]
                     = lambda x: x) -> Tuple[NDArray[np.floating], NDArray[np.floating],
                                             List[float]]:
    n_samples = X.shape[0]
    loss_history = []

    for epoch in range(num_epochs):
        indices = np.random.permutation(n_samples)
        X_shuffled = X[indices]
        y_shuffled = y[indices]

        for start_idx in range(0, n_samples, batch_size):
            end_idx = min(start_idx + batch_size, n_samples)
            X_batch = X_shuffled[start_idx:end_idx]
            y_batch = y_shuffled[start_idx:end_idx]
            batch_size_actual = X_batch.shape[0]

            Z_batch = X_batch @ W + b
            y_pred_batch = activation_fn(Z_batch)
            error = y_pred_batch - y_batch
            grad_W = (X_batch.T @ error) / batch_size_actual
            grad_b = np.mean(error)
            W = W - lr * grad_W
            b = b - lr * grad_b

        y_pred_full = activation_fn(X @ W + b)
        loss = loss_fn(y_pred_full, y)
        loss_history.append(loss)
        print(f"Epoch {epoch+1}/{num_epochs}, Loss: {loss:.4f}")

    return W, b, loss_history


def numerical_gradient(X: NDArray[np.floating], y: NDArray[np.floating],
                       params: Dict[str, NDArray[np.floating]],
                       loss_fn: Callable[[NDArray[np.floating], NDArray[np.floating]], float],
                       forward_fn: Callable[[NDArray[np.floating], Dict[str, NDArray[np.floating]]],
                                            NDArray[np.floating]],
                       h: float = 1e-4) -> Dict[str, NDArray[np.floating]]:
    num_grads = {}

    for param_name, param_value in params.items():
        num_grad = np.zeros_like(param_value)
        it = np.nditer(param_value, flags=['multi_index'])
        while not it.finished:
            idx = it.multi_index
            original_value = param_value[idx]

            param_value[idx] = original_value + h
            y_pred_plus = forward_fn(X, params)
            loss_plus = loss_fn(y_pred_plus, y)

            param_value[idx] = original_value - h
            y_pred_minus = forward_fn(X, params)
            loss_minus = loss_fn(y_pred_minus, y)

            num_grad[idx] = (loss_plus - loss_minus) / (2 * h)

            param_value[idx] = original_value
            it.iternext()

        num_grads[param_name] = num_grad

    return num_grads


def forward_perceptron(X: NDArray[np.floating], W: NDArray[np.floating],
                       b: NDArray[np.floating]) -> NDArray[np.floating]:
    Z = X @ W + b
    A = sigmoid(Z)
    return A
