"""ExecutionIntent and ExecutionResponse refuse bad values where they are built, naming
the field and saying what to pass instead."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spec import ExecutionIntent, ExecutionResponse, InvalidIntent, InvalidResponse, Side

positive = st.decimals(min_value=Decimal("0.00000001"), max_value=Decimal("1e12"), allow_nan=False, allow_infinity=False)
text = st.text(min_size=1).filter(lambda s: bool(s.strip()) and s.isprintable())


@given(intent_id=text, symbol=text, side=st.sampled_from(Side), quantity=positive, limit=st.none() | positive)
def test_every_well_formed_intent_is_accepted_unchanged(
    intent_id: str, symbol: str, side: Side, quantity: Decimal, limit: Decimal | None
) -> None:
    """Property: valid fields always construct, and the intent keeps them as given."""
    intent = ExecutionIntent(intent_id, symbol, side, quantity, limit)
    assert (intent.intent_id, intent.symbol, intent.side, intent.quantity, intent.limit_price) == (
        intent_id, symbol, side, quantity, limit,
    )


@pytest.mark.parametrize(
    ("field", "kwargs", "message"),
    [
        ("intent_id", {"intent_id": ""}, "intent_id must be a non-empty printable string"),
        ("intent_id", {"intent_id": "  "}, "intent_id must be a non-empty printable string"),
        ("symbol", {"symbol": None}, "symbol must be a non-empty printable string"),
        ("side", {"side": "buy"}, r"side must be a spec.Side"),
        ("quantity", {"quantity": 1.5}, r"quantity must be a decimal.Decimal, got float 1.5; pass Decimal\('1.5'\)"),
        ("quantity", {"quantity": True}, "quantity must be a decimal.Decimal, got bool"),
        ("quantity", {"quantity": Decimal(0)}, "quantity must be a finite Decimal greater than 0"),
        ("quantity", {"quantity": Decimal("-1")}, "quantity must be a finite Decimal greater than 0"),
        ("quantity", {"quantity": Decimal("NaN")}, "quantity must be a finite Decimal greater than 0"),
        ("quantity", {"quantity": Decimal("Infinity")}, "quantity must be a finite Decimal greater than 0"),
        ("limit_price", {"limit_price": Decimal("0")}, "limit_price must be a finite Decimal greater than 0"),
    ],
)
def test_bad_intents_are_refused_naming_the_field(field: str, kwargs: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"intent_id": "i-1", "symbol": "QTS", "side": Side.BUY, "quantity": Decimal(1)}
    fields.update(kwargs)
    with pytest.raises(InvalidIntent, match=message):
        ExecutionIntent(**fields)  # type: ignore[arg-type]
    assert issubclass(InvalidIntent, ValueError)


def test_intents_are_frozen() -> None:
    intent = ExecutionIntent("i-1", "QTS", Side.SELL, Decimal(1))
    with pytest.raises(AttributeError):
        intent.quantity = Decimal(2)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"intent_id": ""}, "intent_id must be a non-empty printable string"),
        ({"accepted": 1}, "accepted must be a bool, got int 1"),
        ({"accepted": None}, "accepted must be a bool, got NoneType"),
        ({"reason": 3}, "reason must be a str or None, got int 3"),
        ({"venue_order_id": b"x"}, "venue_order_id must be a non-empty printable string or None, got bytes"),
    ],
)
def test_bad_responses_are_refused_naming_the_field(kwargs: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"intent_id": "i-1", "accepted": True}
    fields.update(kwargs)
    with pytest.raises(InvalidResponse, match=message):
        ExecutionResponse(**fields)  # type: ignore[arg-type]
