# target: softmax
# Tries to allocate 4 GB (bounded: it stops there).
import numpy as np


def softmax(Z):
    hog = np.ones((4 * 1024, 1024, 128))  # 4 GiB of float64
    return hog[: Z.shape[0], : Z.shape[1], 0]
