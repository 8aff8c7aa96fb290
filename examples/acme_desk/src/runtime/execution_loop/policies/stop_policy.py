"""Stop policies (LOOP-6 .. LOOP-8)."""

from reference_impl.runtime.execution_loop.policies.stop_policy import (
    ALWAYS,
    AnyOf,
    MaxConsecutiveFailures,
    MaxExecutions,
)

__all__ = ["ALWAYS", "AnyOf", "MaxConsecutiveFailures", "MaxExecutions"]
