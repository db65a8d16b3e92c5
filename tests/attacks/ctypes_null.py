# target: softmax
# Reads memory at address 0, then at an unmapped address (a segmentation fault).
import ctypes


def softmax(Z):
    ctypes.string_at(0, 16)
    return ctypes.string_at(0xDEAD0000000, 16)
