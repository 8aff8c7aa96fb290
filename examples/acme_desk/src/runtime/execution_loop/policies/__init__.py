"""Stop policies (seed 2.1)."""
