"""The values that cross the Execution Route: what is asked (intent) and what the
venue answered (response).

Both are frozen and validated at construction, so a malformed value is refused where
it is made, with the field named, instead of surfacing later as a wrong state.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from spec.errors import InvalidIntent, InvalidResponse


class Side(StrEnum):
    """Direction of an intent."""

    BUY = "buy"
    SELL = "sell"


@dataclass(frozen=True, slots=True)
class ExecutionIntent:
    """A request to execute, as handed to the Execution Route.

    ``intent_id`` identifies the intent within a run: the loop routes an id at most once
    (LOOP-2). Quantities and prices are :class:`~decimal.Decimal` because binary floats
    cannot represent most prices exactly.
    """

    intent_id: str
    symbol: str
    side: Side
    quantity: Decimal
    limit_price: Decimal | None = None

    def __post_init__(self) -> None:
        _require_text(InvalidIntent, "intent_id", self.intent_id)
        _require_text(InvalidIntent, "symbol", self.symbol)
        if not isinstance(self.side, Side):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise InvalidIntent(f"side must be a spec.Side (Side.BUY or Side.SELL), got {self.side!r}")
        _require_positive_decimal("quantity", self.quantity)
        if self.limit_price is not None:
            _require_positive_decimal("limit_price", self.limit_price)


@dataclass(frozen=True, slots=True)
class ExecutionResponse:
    """The Execution Route's answer for one intent.

    Phase 4 reads only ``accepted`` (and checks ``intent_id`` matches the intent that was
    routed, LOOP-4); ``reason`` and ``venue_order_id`` are carried for people and later
    phases.
    """

    intent_id: str
    accepted: bool
    reason: str | None = None
    venue_order_id: str | None = None

    def __post_init__(self) -> None:
        _require_text(InvalidResponse, "intent_id", self.intent_id)
        if not isinstance(self.accepted, bool):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise InvalidResponse(
                f"accepted must be a bool, got {type(self.accepted).__name__} {self.accepted!r}"
            )
        for name in ("reason", "venue_order_id"):
            value: object = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise InvalidResponse(
                    f"{name} must be a str or None, got {type(value).__name__} {value!r}"
                )


def _require_text(error: type[ValueError], field: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise error(f"{field} must be a non-empty string, got {value!r}")


def _require_positive_decimal(field: str, value: object) -> None:
    if not isinstance(value, Decimal):
        hint = f"; pass Decimal({str(value)!r})" if isinstance(value, (int, float, str)) else ""
        raise InvalidIntent(
            f"{field} must be a decimal.Decimal, got {type(value).__name__} {value!r}{hint}"
        )
    if not value.is_finite() or value <= 0:
        raise InvalidIntent(f"{field} must be a finite Decimal greater than 0, got {value!r}")
