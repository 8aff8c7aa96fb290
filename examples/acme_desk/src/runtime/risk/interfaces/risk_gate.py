"""The risk gate interface (RISK-1 .. RISK-7): three boolean hooks."""

from spec import OrderView, RiskGate

__all__ = ["OrderView", "RiskGate"]
