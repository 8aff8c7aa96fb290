"""Execution Loop asset (seed 2.1)."""
