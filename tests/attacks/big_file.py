# target: softmax
# Writes up to 200 MB into the working directory (bounded).
import numpy as np


def softmax(Z):
    chunk = b"x" * (1 << 20)
    with open("big.bin", "wb") as fh:
        for _ in range(200):
            fh.write(chunk)
    return np.ones(np.shape(Z))
