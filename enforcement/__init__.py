"""The seed's rules as tools that stop a change, not tests that describe behaviour:
the Phase 4 asset lock (``qts-assets``, seed section 4) and the import-linter contract
type that keeps the runtime off strategy and real-order code (seed 2.1 and 3)."""
