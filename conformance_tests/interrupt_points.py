"""Deterministic asynchronous interrupts (LOOP-5, LOOP-12): an exception raised at a
chosen, counted execution point of a call, instead of at a wall-clock moment, so the
same run interrupted at the same point does the same thing on every machine.

An *execution point* is a place where a supported CPython (3.11 to 3.13) may run a
signal handler, that is, where its eval loop checks for pending signals: the entry or
resumption of a Python function (``RESUME``), a backward jump (``JUMP_BACKWARD``, the end
of a loop's body) and the return from a call (the ``CALL`` family; the interrupt is
raised before the instruction that follows it). Each kind is a point on every version
whether or not that version checks there, so code that survives every point survives a
real Ctrl-C on each of them. Points are counted in every Python frame the call runs
(the code under test and whatever it calls back), through ``sys.monitoring`` on 3.12+
and ``sys.settrace`` opcode events on 3.11.

Pure standard library and driven by a plain-data :class:`InterruptPlan`: this module
runs where the implementation runs, and only the plan crosses to it.
"""

from __future__ import annotations

import builtins
import dis
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from types import CodeType, FrameType
from typing import Any

_CALLS = frozenset({"CALL", "CALL_KW", "CALL_FUNCTION_EX"})


@dataclass(frozen=True)
class InterruptPlan:
    """Where to interrupt a call: at its ``at``-th execution point (0-based), raising the
    builtin exception named ``exception``; ``at=None`` only counts the points."""

    at: int | None
    exception: str = "KeyboardInterrupt"

    def __post_init__(self) -> None:
        kind = getattr(builtins, self.exception, None)
        if not (isinstance(kind, type) and issubclass(kind, BaseException)):
            raise ValueError(f"InterruptPlan.exception must name a builtin exception type, not {self.exception!r}")
        if self.at is not None and self.at < 0:
            raise ValueError(f"InterruptPlan.at must be a point number >= 0 or None, not {self.at}")


@dataclass
class Injection:
    """What a call under a plan did: the points it passed (all of them when the plan
    only counts) and where the interrupt was raised, if it was."""

    points: int = 0
    raised_at: str | None = None
    outcome: BaseException | None = field(default=None, repr=False)
    """The exception the call ended with (the injected one or another), or None."""


def count_points(call: Callable[[], object]) -> int:
    """How many execution points ``call()`` passes (it runs to the end)."""
    return run_planned(InterruptPlan(None), call).points


def run_planned(plan: InterruptPlan, call: Callable[[], object], excluding: frozenset[str] = frozenset()) -> Injection:
    """Run ``call()`` with ``plan``'s interrupt; any exception it ends with is kept in
    the result, not raised (the caller judges what the run left behind). Frames of the
    files in ``excluding`` (the host's own code around a call) have no points."""
    injection = Injection()
    points = _Points(plan, injection, excluding)
    handle = _start_monitoring(points) if sys.version_info >= (3, 12) else _start_tracing(points)
    try:
        call()
    except BaseException as error:  # the injected interrupt or whatever the call raised
        injection.outcome = error
    finally:
        _stop(handle)
    return injection


class _Points:
    """Counts the points passed and raises at the planned one."""

    def __init__(self, plan: InterruptPlan, injection: Injection, excluding: frozenset[str]) -> None:
        self.kind: type[BaseException] = getattr(builtins, plan.exception)
        self.at = plan.at
        self.injection = injection
        self.excluding = excluding

    def counts(self, code: CodeType, frame: FrameType | None) -> bool:
        """A frame of the call's own, not of an excluded file nor called from one."""
        if code in _OWN:
            return False
        if not self.excluding:
            return True
        while frame is not None and frame.f_code not in _OWN:  # up to run_planned: the call's root
            if frame.f_code.co_filename in self.excluding:
                return False
            frame = frame.f_back
        return True

    def passed(self, code: CodeType, offset: int) -> None:
        """Count one point; at the planned one, raise (the caller stops watching first)."""
        number = self.injection.points
        self.injection.points = number + 1
        if number == self.at:
            # The file's name only: the same run reads the same on every machine.
            self.injection.raised_at = f"{os.path.basename(code.co_filename)}:{_line(code, offset)} in {code.co_name}"
            raise self.kind(f"interrupt injected at execution point {number}")

    def due(self) -> bool:
        return self.injection.points == self.at


_point_offsets: dict[CodeType, frozenset[int]] = {}


def _points_of(code: CodeType) -> frozenset[int]:
    """The offsets of ``code``'s backward jumps and of every instruction right after a call."""
    known = _point_offsets.get(code)
    if known is None:
        offsets: set[int] = set()
        after_call = False
        for instruction in dis.get_instructions(code):
            if after_call or instruction.opname == "JUMP_BACKWARD":
                offsets.add(instruction.offset)
            after_call = instruction.opname in _CALLS
        known = _point_offsets[code] = frozenset(offsets)
    return known


def _line(code: CodeType, offset: int) -> int | None:
    line = None
    for start, _end, number in code.co_lines():
        if start > offset:
            break
        line = number
    return line


# --- CPython 3.12+: sys.monitoring ------------------------------------------------------


@dataclass(frozen=True)
class _Watching:
    """What to undo: the sys.monitoring tool id taken (3.12+), or the trace function replaced (3.11)."""

    tool: int | None
    previous_trace: Any = None


def _start_monitoring(points: _Points) -> _Watching:
    monitoring: Any = getattr(sys, "monitoring")
    events = monitoring.events
    tool = next((t for t in range(6) if monitoring.get_tool(t) is None), None)
    if tool is None:
        raise RuntimeError("interrupt_points: every sys.monitoring tool id is taken (a debugger or coverage tool?)")
    monitoring.use_tool_id(tool, "qts interrupt points")

    def entered(code: CodeType, offset: int) -> object:
        if not points.counts(code, sys._getframe(1)):  # pyright: ignore[reportPrivateUsage]
            return None
        if points.due():
            monitoring.set_events(tool, 0)
        points.passed(code, offset)
        return None

    def instruction(code: CodeType, offset: int) -> object:
        if offset in _points_of(code) and points.counts(code, sys._getframe(1)):  # pyright: ignore[reportPrivateUsage]
            if points.due():
                monitoring.set_events(tool, 0)
            points.passed(code, offset)
        return None

    monitoring.register_callback(tool, events.PY_START, entered)
    monitoring.register_callback(tool, events.PY_RESUME, entered)
    monitoring.register_callback(tool, events.INSTRUCTION, instruction)
    watching = _Watching(tool)
    monitoring.set_events(tool, events.PY_START | events.PY_RESUME | events.INSTRUCTION)  # last: counting starts here
    return watching


# --- CPython 3.11: sys.settrace opcode events ------------------------------------------


def _start_tracing(points: _Points) -> _Watching:
    # A trace function that raises is unset by CPython: nothing is counted after it.

    def local(frame: FrameType, event: str, _arg: object) -> Any:
        if event == "opcode" and frame.f_lasti in _points_of(frame.f_code):
            points.passed(frame.f_code, frame.f_lasti)
        return local

    def entered(frame: FrameType, event: str, _arg: object) -> Any:
        if event != "call" or not points.counts(frame.f_code, frame):
            return None
        frame.f_trace_opcodes = True
        points.passed(frame.f_code, frame.f_lasti)
        return local

    watching = _Watching(None, sys.gettrace())
    sys.settrace(entered)  # last: counting starts here
    return watching


def _stop(watching: _Watching) -> None:
    if watching.tool is None:
        sys.settrace(watching.previous_trace)
        return
    monitoring: Any = getattr(sys, "monitoring")
    monitoring.set_events(watching.tool, 0)
    for event in (monitoring.events.PY_START, monitoring.events.PY_RESUME, monitoring.events.INSTRUCTION):
        monitoring.register_callback(watching.tool, event, None)
    monitoring.free_tool_id(watching.tool)


_OWN = frozenset({f.__code__ for f in (run_planned, _start_monitoring, _start_tracing, _stop)})
"""This module's own frames around the call are not the call's points."""
