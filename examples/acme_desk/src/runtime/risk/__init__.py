"""Risk Entry asset (seed 2.3)."""
