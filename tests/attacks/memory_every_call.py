# target: mse_loss
# mse_loss fills the address space on every call and keeps what it took (a leak
# that would starve every later call made in the same process).
import numpy as np

_HOG = []


def mse_loss(y_pred, y):
    while True:
        _HOG.append(np.empty(64 << 20, dtype=np.uint8))  # untouched: fails fast at the limit
