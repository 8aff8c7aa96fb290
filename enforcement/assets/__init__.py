"""The seed's enforcement rules (section 4) as checks: a lock on the Phase 4 assets that
fails on any change not backed by a failing-then-passing test (``qts-assets``)."""
