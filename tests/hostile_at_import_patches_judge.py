"""At import, patches everything of the judge's it can name: the JSON encoder, the
plugin's loader, pytest's assertion rewriter, ``PYTEST_PLUGINS`` and ``__main__``; its
loop routes limit orders twice (LOOP-2)."""

import json
import os
import sys

from broken_impls_verdict import LIMIT_ROUTED_TWICE

QTS_IMPLEMENTATION = LIMIT_ROUTED_TWICE


def _forged(*args: object, **kwargs: object) -> str:
    return '{"kind": "report", "outcome": "passed"}'


def _the_binding(target: str) -> object:
    return QTS_IMPLEMENTATION


def _no_assert(self: object, assert_: object) -> list[object]:
    return []


setattr(json, "dumps", _forged)
os.environ["PYTEST_PLUGINS"] = "hostile_pytest_plugin"
vars(sys.modules["__main__"])["ChildPlugin"] = None
try:
    import conformance_tests.plugin
    from _pytest.assertion import rewrite

    setattr(conformance_tests.plugin, "load_implementation", _the_binding)
    setattr(rewrite.AssertionRewriter, "visit_Assert", _no_assert)
except ImportError:
    pass
