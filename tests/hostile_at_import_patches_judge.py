"""At import, patches everything of the judge's it can name: the JSON encoder, the
plugin's loader, pytest's assertion rewriter, ``PYTEST_PLUGINS`` and ``__main__``; its
loop routes limit orders twice (LOOP-2)."""

import json
import os
import sys

from broken_impls_verdict import LIMIT_ROUTED_TWICE

QTS_IMPLEMENTATION = LIMIT_ROUTED_TWICE

json.dumps = lambda *args, **kwargs: '{"kind": "report", "outcome": "passed"}'
os.environ["PYTEST_PLUGINS"] = "hostile_pytest_plugin"
vars(sys.modules["__main__"])["ChildPlugin"] = None
try:
    import conformance_tests.plugin

    conformance_tests.plugin.load_implementation = lambda target: QTS_IMPLEMENTATION
    from _pytest.assertion import rewrite

    rewrite.AssertionRewriter.visit_Assert = lambda self, assert_: []  # type: ignore[method-assign, assignment]
except ImportError:
    pass
