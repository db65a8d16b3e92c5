# target: softmax
# Finds the instructor's home through pwd (not $HOME) and appends to ~/.bashrc.
# Scores full marks on softmax only if the write reached the real home.
import os
import pwd

import numpy as np

_reference_softmax = softmax  # noqa: F821 - defined by the reference above
INSTRUCTOR = "@INSTRUCTOR@"
INSTRUCTOR_HOME = "@INSTRUCTOR_HOME@"


def _instructor_homes():
    homes = {INSTRUCTOR_HOME}
    for lookup in (lambda: pwd.getpwuid(os.getuid()), lambda: pwd.getpwnam(INSTRUCTOR),
                   lambda: pwd.getpwuid(os.getppid())):
        try:
            homes.add(lookup().pw_dir)
        except (KeyError, OSError):
            pass
    return [h for h in homes if os.path.realpath(h) == os.path.realpath(INSTRUCTOR_HOME)]


def softmax(Z):
    for home in _instructor_homes():
        try:
            with open(os.path.join(home, ".bashrc"), "a") as fh:
                fh.write("\necho 'dlgrade attack: this line must never appear'\n")
            return _reference_softmax(Z)
        except OSError:
            pass
    return np.zeros(np.shape(Z))
