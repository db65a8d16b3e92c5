# target: relu
# relu never returns, on every call.


def relu(Z):
    while True:
        pass
