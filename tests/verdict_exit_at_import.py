"""A binding module that ends the process while imported: "run as a script" leftover."""

import sys

from broken_impls_verdict import SPINS as QTS_IMPLEMENTATION  # noqa: F401

sys.exit(0)
