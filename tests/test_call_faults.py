"""The spy and fault injector the suite puts around a production gate (RISK-4): the spy
is transparent, the calls a hook makes are enumerated the same way on every run, and a
planned fault is raised inside the call it names."""

from __future__ import annotations

import pytest

from conformance_tests.call_faults import FaultPlan, GateSpy


class _Lookup:
    def position(self, symbol: str) -> int:
        return len(symbol)


class _Gate:
    def __init__(self) -> None:
        self.lookup = _Lookup()

    def before_intent(self, intent: object, /) -> object:
        return self.lookup.position(str(getattr(intent, "symbol", ""))) < 10 or "big"

    def before_route(self, order: object, /) -> bool:
        raise KeyError("no limits for this desk")

    def after_response(self, order: object, response: object, /) -> bool:
        return True


class _Intent:
    intent_id = "o-1"
    symbol = "QTS"


class _Order:
    intent = _Intent()


def test_the_spy_passes_answers_and_exceptions_through_unchanged_and_records_them() -> None:
    spy = GateSpy(_Gate())
    assert spy.before_intent(_Intent()) is True
    with pytest.raises(KeyError, match="no limits"):
        spy.before_route(_Order())
    assert spy.after_response(_Order(), object()) is True
    assert [(c.hook, c.intent_id, c.answer, type(c.raised).__name__) for c in spy.calls] == [
        ("before_intent", "o-1", True, "NoneType"),
        ("before_route", "o-1", None, "KeyError"),
        ("after_response", "o-1", True, "NoneType"),
    ]


def test_the_calls_a_hook_makes_are_enumerated_alike_on_every_run() -> None:
    runs: list[list[str]] = []
    for _ in range(2):
        spy = GateSpy(_Gate())
        spy.before_intent(_Intent())
        runs.append([site.function for site in spy.calls[0].calls])
    assert runs[0] == runs[1] and "_Lookup.position" in runs[0]
    assert "_Gate.before_intent" not in runs[0], "the hook's own frame is not one of the calls it makes"


def test_a_planned_fault_is_raised_inside_the_call_it_names() -> None:
    spy = GateSpy(_Gate(), FaultPlan(hook_call=0, call=1, error="TimeoutError"))
    with pytest.raises(TimeoutError, match="_Lookup.position"):
        spy.before_intent(_Intent())
    record = spy.calls[0]
    assert record.injected is not None and record.injected.function == "_Lookup.position"
    assert isinstance(record.raised, TimeoutError)
    assert spy.before_intent(_Intent()) is True, "only the planned hook call is broken"
