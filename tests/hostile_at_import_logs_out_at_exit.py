"""At import, registers an ``atexit`` "logout" that connects to the venue when the
process ends, after every guard of the run is disarmed; its loop is the reference's."""

import atexit
import socket

from reference_impl.binding import QTS_IMPLEMENTATION as QTS_IMPLEMENTATION


def _log_out() -> None:
    try:
        with socket.create_connection(("127.0.0.1", 9), timeout=1):
            pass
    except OSError:
        pass


atexit.register(_log_out)
