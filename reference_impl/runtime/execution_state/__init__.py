"""Order State asset (seed 2.2): the explicit Enum and the single transition table."""
