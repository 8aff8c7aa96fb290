"""Seed test asset: state transitions happen, and Phase 5 only added states."""

from __future__ import annotations

import pytest

from spec import TRANSITIONS, InvalidTransition, OrderEvent, extension_breaches

from desk.order_states import DESK_MACHINE, DeskState


def test_every_phase4_transition_is_kept() -> None:
    for (state, event), target in TRANSITIONS.items():
        assert DESK_MACHINE.transition(DeskState(state.value), event).value == target.value


def test_terminal_states_are_absorbing() -> None:
    for state in DESK_MACHINE.terminal:
        with pytest.raises(InvalidTransition):
            DESK_MACHINE.transition(state, OrderEvent.FAIL)


def test_the_extension_keeps_every_phase4_guarantee() -> None:
    assert extension_breaches(DESK_MACHINE) == ()
