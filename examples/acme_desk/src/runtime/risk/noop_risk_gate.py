"""The only gate Phase 4 ships (seed 2.3): it allows everything (RISK-6)."""

from reference_impl.runtime.risk.noop_risk_gate import NoopRiskGate

__all__ = ["NoopRiskGate"]
