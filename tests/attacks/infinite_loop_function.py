# target: softmax
# Never returns from softmax, and ignores SIGTERM while looping.
import signal

signal.signal(signal.SIGTERM, signal.SIG_IGN)


def softmax(Z):
    while True:
        pass
