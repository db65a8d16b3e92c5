# target: softmax
# Recurses until the C stack overflows.
import sys

sys.setrecursionlimit(10**8)


def softmax(Z):
    def deeper(n):
        return deeper(n + 1) + 1
    return deeper(0)
