"""Describing an exception cannot fail (issue 11): a fault that cannot be written loses
its order, and route SDKs with a broken ``__str__`` exist.

Imports only what the locked ``spec`` already had: the first test is the evidence with
which ``spec/records.py`` was unlocked.
"""

from __future__ import annotations

import pytest

from spec import Fault, FaultSite


class UnprintableError(Exception):
    def __str__(self) -> str:
        raise RuntimeError("this SDK's __str__ is broken")


class MissingAttributeError(Exception):
    def __str__(self) -> str:
        return self.detail  # type: ignore[attr-defined, no-any-return]  # never set, as in the reproducer


class NotTextError(Exception):
    def __str__(self) -> str:
        return 42  # type: ignore[return-value]


class HugeError(Exception):
    def __str__(self) -> str:
        return "x" * 10_000_000


@pytest.mark.parametrize("error", [UnprintableError(), MissingAttributeError(), NotTextError()])
def test_a_fault_is_recorded_for_an_exception_whose_str_fails(error: Exception) -> None:
    fault = Fault.from_exception(FaultSite.ROUTE, error)
    assert fault.site is FaultSite.ROUTE
    assert fault.message.startswith(f"{type(error).__qualname__}: ")
    assert "str() raised" in fault.message


def test_a_fault_message_is_bounded() -> None:
    assert len(Fault.from_exception(FaultSite.ROUTE, HugeError()).message) < 1_000


def test_a_plain_exception_is_described_as_before() -> None:
    assert Fault.from_exception(FaultSite.BEFORE_ROUTE, ValueError("no")).message == "ValueError: no"
