"""The risk gate interface (RISK-1 .. RISK-5), at the seed's asset path."""

from spec.records import OrderView
from spec.risk import RiskGate

__all__ = ["OrderView", "RiskGate"]
