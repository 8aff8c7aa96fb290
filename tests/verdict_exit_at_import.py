"""A binding module that ends the process while imported: "run as a script" leftover."""

import sys

from broken_impls_verdict import SPINS

QTS_IMPLEMENTATION = SPINS

sys.exit(0)
