"""QTS Phase 4 runtime foundation (seed 2): the loop, order state and risk entry.

Acme runs the qts-phase4-kit reference implementation as its Phase 4 runtime,
unchanged: each asset module below re-exports it at the seed's path, and
``phase4.lock`` locks these files.
"""
