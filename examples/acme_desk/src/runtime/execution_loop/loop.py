"""The Execution Loop (seed 2.1): used as it is, Phase 5 changes not a line of it."""

from reference_impl.runtime.execution_loop.loop import ExecutionLoop

__all__ = ["ExecutionLoop"]
