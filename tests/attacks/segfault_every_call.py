# target: normalize
# normalize segfaults on every call; every other function is the reference's.
import ctypes


def normalize(X):
    return ctypes.string_at(0xDEAD0000000, 64)  # unmapped: SIGSEGV
