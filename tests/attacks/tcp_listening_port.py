# target: softmax
# Connects to a listening TCP port of the machine (loopback and its own
# addresses, IPv4 and IPv6) and sends data; full marks only if it connected.
import socket

import numpy as np

_reference_softmax = softmax  # noqa: F821 - defined by the reference above
PORT = @PORT@


def _addresses():
    hosts = ["127.0.0.1", "localhost", "::1"]
    try:
        hosts += [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)]
    except OSError:
        pass
    return hosts


def softmax(Z):
    for host in _addresses():
        try:
            with socket.create_connection((host, PORT), timeout=1) as conn:
                conn.sendall(b"LEAK " + np.asarray(Z).tobytes())
            return _reference_softmax(Z)
        except OSError:
            pass
    return np.zeros(np.shape(Z))
