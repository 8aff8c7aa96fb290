"""Watch a production gate and break the calls it makes (RISK-4: a gate fails closed).

:class:`GateSpy` passes every hook call to the gate and its answer back unchanged,
recording what the gate answered (or raised) so the oracle can follow the gate's
decisions instead of assuming them. With a :class:`FaultPlan` it also raises an
exception inside the gate's own call tree: at the n-th Python function call one hook
call makes, found with ``sys.settrace`` call events, so that the enumeration is the
same on every run of a deterministic gate and works alike on CPython 3.11 to 3.13.

Pure standard library and driven by plain data, because it runs where the
implementation runs: it must not need the suite (pytest, hypothesis, the oracle) there.
"""

from __future__ import annotations

import builtins
import gc
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

HOOKS = ("before_intent", "before_route", "after_response")


@dataclass(frozen=True)
class FaultPlan:
    """Where to break the gate: in its ``hook_call``-th hook call of the run (from 0,
    in call order), at the ``call``-th Python call made within it (from 1), raising the
    builtin exception named ``error``."""

    hook_call: int
    call: int
    error: str = "ConnectionError"


@dataclass(frozen=True)
class CallSite:
    """A Python function a gate called: its qualified name and where it is defined."""

    function: str
    defined_at: str

    def __str__(self) -> str:
        return f"{self.function} ({self.defined_at})"


@dataclass
class HookCall:
    """One call of a gate hook: what the gate answered, or the exception it raised, and
    the Python calls it made (up to the fault, when one was injected)."""

    hook: str
    intent_id: str
    answer: object = None
    raised: BaseException | None = None
    calls: list[CallSite] = field(default_factory=list[CallSite])
    injected: CallSite | None = None


class GateSpy:
    """A transparent risk gate in front of ``gate``: same answers, same exceptions."""

    def __init__(self, gate: Any, plan: FaultPlan | None = None) -> None:
        self._gate = gate
        self._plan = plan
        self.calls: list[HookCall] = []

    def before_intent(self, intent: Any, /) -> Any:
        return self._call("before_intent", intent, (intent,))

    def before_route(self, order: Any, /) -> Any:
        return self._call("before_route", order.intent, (order,))

    def after_response(self, order: Any, response: Any, /) -> Any:
        return self._call("after_response", order.intent, (order, response))

    def _call(self, hook: str, intent: Any, arguments: tuple[Any, ...]) -> Any:
        record = HookCall(hook, str(getattr(intent, "intent_id", "")))
        plan = self._plan
        target = plan.call if plan is not None and plan.hook_call == len(self.calls) else 0
        self.calls.append(record)
        method: Callable[..., Any] = getattr(self._gate, hook)

        entered = False

        def trace(frame: FrameType, event: str, _arg: object) -> None:
            nonlocal entered
            if event == "call":
                if not entered:  # the hook's own frame: the calls it makes come next
                    entered = True
                    return
                code = frame.f_code
                site = CallSite(getattr(code, "co_qualname", code.co_name), f"{code.co_filename}:{code.co_firstlineno}")
                record.calls.append(site)
                if len(record.calls) == target and plan is not None:
                    record.injected = site
                    raise getattr(builtins, plan.error)(f"injected by the conformance suite into the call of {site}")

        # No automatic collection while the hook runs: its callbacks (hypothesis has one,
        # a team's code may too) would run inside the hook wherever the collector happened
        # to start, count as calls the gate made, and take the fault meant for the gate.
        collecting = gc.isenabled()
        gc.disable()
        previous = sys.gettrace()
        sys.settrace(trace)
        try:
            record.answer = method(*arguments)
        except BaseException as error:
            record.raised = error
            raise
        finally:
            sys.settrace(previous)
            if collecting:
                gc.enable()
        return record.answer
