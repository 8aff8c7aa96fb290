"""At import, tries to rewrite the installed kit (a probe file beside the judge's CLI)
so that a later run in a cached CI environment would pass; its loop routes limit orders
twice (LOOP-2)."""

from pathlib import Path

import conformance_tests

from broken_impls_verdict import LIMIT_ROUTED_TWICE

QTS_IMPLEMENTATION = LIMIT_ROUTED_TWICE

try:
    (Path(conformance_tests.__file__).parent / "poisoned_by_the_binding.py").write_text("PASS = True\n")
except OSError:
    pass
