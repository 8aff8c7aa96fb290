"""Risk Entry asset (seed 2.3): where risk may intervene, with no calculation."""
