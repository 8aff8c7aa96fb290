"""The seed's enforcement rules (section 4) as checks (``qts-assets``, docs/asset-lock.md):
a lock on the Phase 4 assets whose git history is its proof, so that no change passes
without a recorded, replayable failing-then-passing test, a checked tidy-up, or a
rebaseline that stays visible until a reviewer acknowledges it."""
