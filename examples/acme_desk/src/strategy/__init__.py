"""Strategies: they decide what to trade; the runtime never imports them (seed 2.1)."""
