"""A minimal implementation of the Phase 4 contracts in :mod:`spec`.

``reference_impl.runtime`` mirrors the seed's asset paths (``runtime/execution_loop``,
``runtime/execution_state``, ``runtime/risk``); :mod:`reference_impl.binding` presents it
to the conformance suite, and :mod:`reference_impl.simulated_route` is an in-memory
route for tests and demos.
"""
