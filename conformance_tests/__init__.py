"""The QTS Phase 4 conformance suite: point it at an implementation and it reports,
clause by clause, whether that implementation keeps every Phase 4 contract.

Run it with ``qts-conformance --impl your.module`` or
``pytest --pyargs conformance_tests --qts-impl=your.module``.
"""

from conformance_tests.kit_spec import ensure_kit_spec

ensure_kit_spec()
