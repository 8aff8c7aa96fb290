"""Execution Loop asset (seed 2.1): a synchronous, single loop over the Execution Route."""
