"""A binding module whose import is interrupted (it waits for a broker, then gives up)."""

from broken_impls_verdict import SPINS

QTS_IMPLEMENTATION = SPINS

raise KeyboardInterrupt("gave up waiting for the broker")
