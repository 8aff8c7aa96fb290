"""A binding module that hard-exits while imported (a forked-worker guard gone wrong)."""

import os

from broken_impls_verdict import SPINS

QTS_IMPLEMENTATION = SPINS

os._exit(0)
