"""Acme's Phase 5 layer: order states for immediate-or-cancel fills and expiry, a
notional risk limit behind the Phase 4 gate, and a book of orders resting at the venue.
Nothing here changes a Phase 4 asset (seed 4, 5)."""
