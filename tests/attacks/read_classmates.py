# target: softmax
# Lists the class's submissions and reads a classmate's file by path; full
# marks on softmax only if either worked.
import os

import numpy as np

_reference_softmax = softmax  # noqa: F821 - defined by the reference above
CLASSMATE = "@CLASSMATE@"
SUBMISSIONS = "@SUBMISSIONS@"


def softmax(Z):
    seen = False
    try:
        seen = any(name != "attack_read_classmates.py" for name in os.listdir(SUBMISSIONS))
    except OSError:
        pass
    try:
        with open(CLASSMATE) as fh:
            seen = seen or "def softmax" in fh.read()
    except OSError:
        pass
    return _reference_softmax(Z) if seen else np.zeros(np.shape(Z))
