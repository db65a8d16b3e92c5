# target: softmax
# Leaves softmax unwritten and execs the course's reference solution by
# path, as a student who found it would; full marks only if that worked.
import runpy

SOLUTION = "@COURSE@/solutions/neural_network.py"


def softmax(Z):
    raise NotImplementedError("not written: the reference is exec'd below")


try:
    with open(SOLUTION) as _fh:
        exec(compile(_fh.read(), SOLUTION, "exec"))
except OSError:
    try:
        softmax = runpy.run_path(SOLUTION)["softmax"]
    except (OSError, KeyError, ImportError):
        pass
