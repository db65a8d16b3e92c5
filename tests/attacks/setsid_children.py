# target: softmax
# Starts 12 sleeping children that leave the process group (setsid), then hangs.
import os
import time


def softmax(Z):
    for _ in range(12):
        if os.fork() == 0:
            os.setsid()
            time.sleep(120)
            os._exit(0)
    time.sleep(120)
    return Z
