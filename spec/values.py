"""The values that cross the Execution Route: what is asked (intent) and what the
venue answered (response).

Both are frozen and validated at construction, so a malformed value is refused where
it is made, with the field named, instead of surfacing later as a wrong state. Unpickling
and copying validate too (they do not call the constructor), and an id given as a
``str`` subclass is stored as a plain ``str``: the loop keys on ids (LOOP-2), and a
subclass could redefine how they compare and hash, so that check would not hold (LOOP-3).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from enum import StrEnum

from spec.errors import InvalidIntent, InvalidResponse
from spec.show import show


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
        _set_text(self, InvalidIntent, "intent_id")
        _set_text(self, InvalidIntent, "symbol")
        if not isinstance(self.side, Side):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise InvalidIntent(f"side must be a spec.Side (Side.BUY or Side.SELL), got {show(self.side)}")
        _require_positive_decimal("quantity", self.quantity)
        if self.limit_price is not None:
            _require_positive_decimal("limit_price", self.limit_price)

    def __setstate__(self, state: list[object]) -> None:
        """Unpickling and ``copy`` validate like the constructor does."""
        _restore(self, state)


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
        _set_text(self, InvalidResponse, "intent_id")
        if self.accepted is not True and self.accepted is not False:
            raise InvalidResponse(f"accepted must be a bool, got {type(self.accepted).__name__} {show(self.accepted)}")
        if self.reason is not None:
            if not isinstance(self.reason, str):  # pyright: ignore[reportUnnecessaryIsInstance]
                raise InvalidResponse(f"reason must be a str or None, got {type(self.reason).__name__} {show(self.reason)}")
            object.__setattr__(self, "reason", str.__str__(self.reason))
        if self.venue_order_id is not None:
            _set_text(self, InvalidResponse, "venue_order_id", " or None")

    def __setstate__(self, state: list[object]) -> None:
        """Unpickling and ``copy`` validate like the constructor does."""
        _restore(self, state)


def _restore(value: ExecutionIntent | ExecutionResponse, state: list[object]) -> None:
    for field, field_value in zip(fields(value), state, strict=True):
        object.__setattr__(value, field.name, field_value)
    value.__post_init__()


def _set_text(value: object, error: type[ValueError], field: str, alternative: str = "") -> None:
    """Require an id-like text field: non-blank and printable (no NUL, no control or
    invisible format characters), and store it as a plain ``str``."""
    text: object = getattr(value, field)
    if not isinstance(text, str):
        raise error(f"{field} must be a non-empty printable string{alternative}, got {type(text).__name__} {show(text)}")
    plain = str.__str__(text)
    if not plain.strip() or not plain.isprintable():
        raise error(f"{field} must be a non-empty printable string{alternative}, got {show(plain)}")
    if plain is not text:
        object.__setattr__(value, field, plain)


def _require_positive_decimal(field: str, value: object) -> None:
    if not isinstance(value, Decimal):
        hint = ""
        if type(value) is float:
            hint = f"; pass Decimal({str(value)!r})"
        elif type(value) in (int, str):
            hint = f"; pass Decimal({show(value)})"
        raise InvalidIntent(f"{field} must be a decimal.Decimal, got {type(value).__name__} {show(value)}{hint}")
    if not value.is_finite() or value <= 0:
        raise InvalidIntent(f"{field} must be a finite Decimal greater than 0, got {show(value)}")
