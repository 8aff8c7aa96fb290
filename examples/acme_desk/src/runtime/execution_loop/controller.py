"""The loop controller (seed 2.1): execution count, stop conditions, stop requests."""

from reference_impl.runtime.execution_loop.controller import LoopController

__all__ = ["LoopController"]
