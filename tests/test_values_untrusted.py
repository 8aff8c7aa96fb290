"""Values built around their constructor, or from hostile parts, are still validated
(issue 11): unpickling and copying re-validate, ids are stored as plain ``str``,
invisible ids are refused, and messages stay short and correct.

Imports only what the locked ``spec`` already had: these tests are the evidence with
which ``spec/values.py`` was unlocked, so they run against the locked version too.
"""

from __future__ import annotations

import copy
import pickle
from decimal import Decimal

import pytest

from spec import ExecutionIntent, ExecutionResponse, InvalidIntent, InvalidResponse, Side


class SlipperyId(str):
    """An id that equals anything and cannot be hashed: it would break a ``seen`` set."""

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = None  # type: ignore[assignment]


class IdentityId(str):
    """An id hashed by identity: two equal ids would not meet in a ``seen`` set."""

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)


def tampered_pickle(value: object, **changes: object) -> bytes:
    """The pickle of ``value`` with fields changed behind its back (as a tampered or
    hand-written pickle file would hold it)."""
    for field, changed in changes.items():
        object.__setattr__(value, field, changed)
    return pickle.dumps(value)


def test_unpickling_an_intent_revalidates_it() -> None:
    """The reproducer: a quantity of -5 got through unpickling and was routed."""
    data = tampered_pickle(ExecutionIntent("o-1", "QTS", Side.BUY, Decimal(5)), quantity=Decimal(-5))
    with pytest.raises(InvalidIntent, match="quantity must be a finite Decimal greater than 0"):
        pickle.loads(data)


def test_unpickling_and_copying_keep_valid_values() -> None:
    intent = ExecutionIntent("o-1", "QTS", Side.SELL, Decimal("2.5"), Decimal(7))
    response = ExecutionResponse("o-1", True, "filled", "v-9")
    for value in (intent, response):
        assert pickle.loads(pickle.dumps(value)) == value
        assert copy.copy(value) == value
        assert copy.deepcopy(value) == value


def test_unpickling_a_response_revalidates_it() -> None:
    forged = tampered_pickle(ExecutionResponse("o-1", True), accepted="no")
    with pytest.raises(InvalidResponse, match="accepted must be a bool"):
        pickle.loads(forged)


@pytest.mark.parametrize("kind", [SlipperyId, IdentityId])
def test_ids_given_as_str_subclasses_are_stored_as_plain_str(kind: type[str]) -> None:
    intent = ExecutionIntent(kind("dup"), kind("QTS"), Side.BUY, Decimal(1))
    response = ExecutionResponse(kind("dup"), True, kind("why"), kind("v-1"))
    for text in (intent.intent_id, intent.symbol, response.intent_id, response.reason, response.venue_order_id):
        assert type(text) is str
    assert {intent.intent_id, ExecutionIntent(kind("dup"), "QTS", Side.BUY, Decimal(1)).intent_id} == {"dup"}


@pytest.mark.parametrize("text", ["\x00", "o-1\x00", "\u200b", "o\u200b1", "o-1\n", "\u00a0", "\t"])
def test_invisible_or_control_characters_are_refused_in_ids(text: str) -> None:
    with pytest.raises(InvalidIntent, match="intent_id must be a non-empty printable string"):
        ExecutionIntent(text, "QTS", Side.BUY, Decimal(1))
    with pytest.raises(InvalidIntent, match="symbol must be a non-empty printable string"):
        ExecutionIntent("o-1", text, Side.BUY, Decimal(1))
    with pytest.raises(InvalidResponse, match="intent_id must be a non-empty printable string"):
        ExecutionResponse(text, True)


@pytest.mark.parametrize("venue_order_id", ["", "  ", "v\x00"])
def test_an_empty_or_invisible_venue_order_id_is_refused(venue_order_id: str) -> None:
    with pytest.raises(InvalidResponse, match="venue_order_id must be a non-empty printable string or None"):
        ExecutionResponse("o-1", True, venue_order_id=venue_order_id)


def test_a_bool_quantity_gets_no_decimal_hint() -> None:
    with pytest.raises(InvalidIntent) as refused:
        ExecutionIntent("o-1", "QTS", Side.BUY, True)  # type: ignore[arg-type]
    assert "Decimal('True')" not in str(refused.value)


def test_messages_about_huge_values_stay_short() -> None:
    with pytest.raises(InvalidIntent) as refused:
        ExecutionIntent("o-1", "QTS", Side.BUY, "9" * 10_000_000)  # type: ignore[arg-type]
    assert len(str(refused.value)) < 1_000


def test_a_huge_but_finite_quantity_is_a_valid_intent() -> None:
    """Decided: the kit bounds no magnitude; a venue's limits are its route's to check."""
    assert ExecutionIntent("o-1", "QTS", Side.BUY, Decimal("1E+100000000")).quantity == Decimal("1E+100000000")
