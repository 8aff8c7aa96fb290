"""The Risk Entry: three boolean hooks where risk may intervene, and nothing more.

Phase 5 may put calculations *behind* these hooks but keeps their shape (seed section
5). Only ``True`` allows; anything else, an exception included, refuses (RISK-4).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from typing_extensions import TypeVar

from spec.records import OrderView
from spec.values import ExecutionIntent, ExecutionResponse

S_contra = TypeVar("S_contra", bound=StrEnum, contravariant=True, default=StrEnum)


class RiskGate(Protocol[S_contra]):
    """The three hooks, generic in the state enum of the orders the gate is shown.

    A gate written for plain ``OrderView`` (any states) is a ``RiskGate`` of every
    implementation; a Phase 5 gate may ask for ``OrderView[AcmeState]`` and is then a
    ``RiskGate[AcmeState]``, which a loop over ``AcmeState`` accepts.
    """

    def before_intent(self, intent: ExecutionIntent, /) -> bool:
        """Asked before an order is opened for ``intent``; False blocks it (RISK-1)."""
        ...

    def before_route(self, order: OrderView[S_contra], /) -> bool:
        """Asked before the route is called; False blocks the order (RISK-2)."""
        ...

    def after_response(self, order: OrderView[S_contra], response: ExecutionResponse, /) -> bool:
        """Asked once the route answered; False halts the run but cannot undo the
        venue's answer (RISK-3)."""
        ...
