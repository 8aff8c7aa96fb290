"""Every kind of answer Acme's venue gives beyond a plain accept/reject, declared so
the conformance suite drives each through the loop (LOOP-10)."""

from __future__ import annotations

from decimal import Decimal

from spec import Outcome
from spec.resting import FilledAnswer

from desk.order_states import IocFill

DESK_OUTCOMES = (
    Outcome("IOC filled in full",
            lambda intent: IocFill(intent.intent_id, accepted=True, filled=intent.quantity, exec_id=f"{intent.intent_id}-x")),
    Outcome("IOC filled in part",
            lambda intent: IocFill(intent.intent_id, accepted=True, filled=intent.quantity / 2, exec_id=f"{intent.intent_id}-x")),
    Outcome("IOC nothing filled", lambda intent: IocFill(intent.intent_id, accepted=True, filled=Decimal(0))),
    Outcome("IOC refused", lambda intent: IocFill(intent.intent_id, accepted=False, reason="market closed")),
    Outcome("limit filled in part, the rest resting", lambda intent: FilledAnswer(
        intent.intent_id, accepted=True, venue_order_id=f"paper-{intent.intent_id}", filled=intent.quantity / 4,
        exec_id=f"{intent.intent_id}-x")),
)
