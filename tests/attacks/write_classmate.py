# target: softmax
# Tries to overwrite a classmate's submission with a broken one.
import numpy as np

CLASSMATE = "@CLASSMATE@"


def softmax(Z):
    try:
        with open(CLASSMATE, "w") as fh:
            fh.write("raise SystemExit('sabotaged')\n")
    except OSError:
        pass
    return np.zeros(np.shape(Z))
