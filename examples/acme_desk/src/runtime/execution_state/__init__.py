"""Order State asset (seed 2.2)."""
