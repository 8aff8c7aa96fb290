"""The QTS Phase 4 conformance suite: point it at an implementation and it reports,
clause by clause, whether that implementation keeps every Phase 4 contract.

Run it with ``qts-conformance --impl your.module`` or
``pytest --pyargs conformance_tests --qts-impl=your.module``.

Importing this package imports nothing of the kit's ``spec`` (the pytest plugin is
loaded into every run of the environment and must stay inert there); the modules that
need ``spec`` check first that it is the kit's (conformance_tests.kit_spec).
"""
