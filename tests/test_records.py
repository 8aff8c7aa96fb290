"""OrderRecord is an immutable, typed value (issue 15 made it a named tuple for speed):
its fields keep their types, it cannot be changed, and equality means same type and
same fields, never "same tuple"."""

from __future__ import annotations

import copy
import pickle
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typing_extensions import assert_type

from spec import ExecutionIntent, ExecutionResponse, Fault, FaultSite, OrderRecord, OrderState, Side

INTENTS = st.builds(ExecutionIntent, st.sampled_from(["o-1", "o-2"]), st.just("QTS"), st.just(Side.BUY), st.just(Decimal(1)))
HISTORIES = st.lists(st.sampled_from(OrderState), min_size=1, max_size=3).map(tuple)
RESPONSES = st.none() | st.builds(ExecutionResponse, st.just("o-1"), st.booleans())
FAULTS = st.none() | st.builds(Fault, st.sampled_from(FaultSite), st.sampled_from(["refused", "boom"]))
RECORDS = st.builds(OrderRecord[OrderState], INTENTS, HISTORIES, RESPONSES, FAULTS)


def test_a_record_exposes_its_fields_with_their_types() -> None:
    """assert_type is checked by mypy and pyright over this file; at run time the
    fields read back as given and ``state`` is the last state of the history."""
    intent = ExecutionIntent("o-1", "QTS", Side.BUY, Decimal(1))
    response = ExecutionResponse("o-1", True)
    record = OrderRecord(intent, (OrderState.CREATED, OrderState.SUBMITTED, OrderState.ACCEPTED), response)
    assert_type(record.intent, ExecutionIntent)
    assert_type(record.history, tuple[OrderState, ...])
    assert_type(record.response, ExecutionResponse | None)
    assert_type(record.fault, Fault | None)
    assert_type(record.state, OrderState)
    assert (record.intent, record.response, record.fault, record.state) == (intent, response, None, OrderState.ACCEPTED)


@given(RECORDS)
def test_a_record_cannot_be_changed(record: OrderRecord[OrderState]) -> None:
    """Property: no field of any record can be assigned or deleted, nor a new one added."""
    for name in ("intent", "history", "response", "fault", "state", "extra"):
        with pytest.raises(AttributeError):
            setattr(record, name, None)
    with pytest.raises(AttributeError):
        delattr(record, "fault")


@given(RECORDS, RECORDS)
def test_records_are_equal_exactly_when_their_fields_are(first: OrderRecord[OrderState], second: OrderRecord[OrderState]) -> None:
    """Property: two records are equal iff their four fields are, ``!=`` says the
    opposite of ``==``, and equal records hash alike."""
    same = (first.intent, first.history, first.response, first.fault) == (
        second.intent, second.history, second.response, second.fault,
    )
    assert (first == second) is same
    assert (first != second) is not same
    if same:
        assert hash(first) == hash(second)


@given(RECORDS)
def test_a_record_never_equals_a_plain_tuple_of_its_fields(record: OrderRecord[OrderState]) -> None:
    """Property: being a tuple underneath does not make a record equal to one, from
    either side; a record is a value, not a sequence."""
    fields = (record.intent, record.history, record.response, record.fault)
    assert record != fields
    assert fields != record
    assert not record == fields  # noqa: SIM201 - the == operator is what is tested
    assert tuple(record) == fields


@given(RECORDS)
def test_a_record_survives_pickling_and_copying_unchanged(record: OrderRecord[OrderState]) -> None:
    """Property: pickle, copy and deepcopy give back an equal record of the same type."""
    for again in (pickle.loads(pickle.dumps(record)), copy.copy(record), copy.deepcopy(record)):
        assert type(again) is OrderRecord
        assert again == record
