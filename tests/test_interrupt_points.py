"""The deterministic interrupt injector (conformance_tests.interrupt_points): the same
call passes the same points every time, an interrupt can be planned at each of them,
and nothing of it stays behind."""

from __future__ import annotations

import sys

import pytest

from conformance_tests.interrupt_points import InterruptPlan, count_points, run_planned


def _work() -> int:
    total = 0
    for number in range(3):
        total += len([number])
    return total + sum(n for n in range(2))


def test_a_call_passes_the_same_points_every_time_and_each_can_be_interrupted() -> None:
    """Property: counting is deterministic, and planning point k raises at point k,
    for every k of the call (and a plan past the end raises nothing)."""
    points = count_points(_work)
    assert points == count_points(_work) > 5
    for at in range(points):
        injection = run_planned(InterruptPlan(at), _work)
        assert isinstance(injection.outcome, KeyboardInterrupt), (at, injection)
        assert injection.points == at + 1 and injection.raised_at is not None and "test_interrupt_points.py" in injection.raised_at
    past = run_planned(InterruptPlan(points), _work)
    assert past.outcome is None and past.raised_at is None and past.points == points


def test_the_points_include_a_loops_backward_jump_and_the_return_from_a_call() -> None:
    where = {run_planned(InterruptPlan(at), _work).raised_at for at in range(count_points(_work))}
    lines = {w.rsplit(":", 1)[1].split()[0] for w in where if w}
    first = _work.__code__.co_firstlineno
    assert {str(first + 3), str(first + 4)} <= lines, lines  # the loop body's call and its jump back


def test_the_previous_trace_function_is_restored() -> None:
    before = sys.gettrace()
    run_planned(InterruptPlan(1), _work)
    assert sys.gettrace() is before


@pytest.mark.parametrize(("at", "exception"), [(-1, "KeyboardInterrupt"), (0, "NotAnException"), (0, "print")])
def test_a_plan_names_a_point_and_a_builtin_exception(at: int, exception: str) -> None:
    with pytest.raises(ValueError, match="InterruptPlan"):
        InterruptPlan(at, exception)
