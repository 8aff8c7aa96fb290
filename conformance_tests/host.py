"""The host of the implementation under test: the one process that imports team code.

Started by the judge (:mod:`conformance_tests.remote`) with its ``BOOT`` program, which runs
this file as ``__main__`` next to the protocol and the binding loader without
registering any ``conformance_tests`` module: the host holds the implementation, the
specification it imports, and thin proxies whose methods cross to the judge. No pytest,
no hypothesis, no oracle, no double: what the implementation meets here looks the same
in a conformance run as in production.

Nothing here is trusted. What the host says (a report, a record, the attempts its audit
hooks saw) is evidence the judge checks against what it observed itself.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, cast

import spec.interface
from spec.loop import RunContext
from spec.records import OrderView

from conformance_tests.binding import BindingError, is_kit_reference, load_implementation
from conformance_tests.call_faults import FaultPlan, GateSpy
from conformance_tests.guards import Attempts, guarded, install
from conformance_tests.interrupt_points import InterruptPlan, run_planned
from conformance_tests.protocol import BINDING_ERROR, HELLO, Channel, ChannelClosed, Peer



EAGER = frozenset(
    name for protocol in (RunContext, OrderView) for name, member in vars(protocol).items() if isinstance(member, property)
)
"""The read-only views' properties: sent along with the view, read by the judge's
policy and gates without a round trip each."""


def _proxy_class(peer: Peer) -> Callable[[int, list[str], str, dict[str, object]], object]:
    """Proxies of the judge's objects: one plain class per name and set of methods."""
    classes: dict[tuple[str, tuple[str, ...]], type] = {}

    def make(handle: int, methods: list[str], name: str, _snapshot: dict[str, object]) -> object:
        key = (name, tuple(sorted(methods)))
        cls = classes.get(key)
        if cls is None:
            namespace: dict[str, object] = {"__slots__": ("_handle",), "__module__": "__main__",
                                            "__getattr__": _reading(peer)}
            for method in key[1]:
                namespace[method] = _forwarding(peer, method)
            cls = type(name, (), namespace)
            classes[key] = cls
        proxy = object.__new__(cast(type[object], cls))
        object.__setattr__(proxy, "_handle", handle)
        return proxy

    return make


def _reading(peer: Peer) -> Callable[[Any, str], object]:
    def read(self: Any, name: str) -> object:
        if name.startswith("_"):
            raise AttributeError(name)
        return peer.call(self._handle, "." + name, ())

    return read


def _forwarding(peer: Peer, name: str) -> Callable[..., object]:
    def method(self: Any, *args: object) -> object:
        return peer.call(self._handle, name, args)

    method.__name__ = name
    return method


INTROSPECTING_CHECKS = frozenset({"gate_interface_breaches", "loop_interface_breaches"})


class Control:
    """What the judge asks of the host itself, beside the implementation."""

    def __init__(self, implementation: object, attempts: Attempts) -> None:
        self._implementation = implementation
        self._attempts = attempts

    def implementation(self) -> object:
        return self._implementation

    def attempts(self) -> tuple[list[str], list[str]]:
        """Network and concurrency attempts the audit hooks saw since the last ask (the
        portable fallback; the kernel's view is the judge's own)."""
        seen = (list(self._attempts.network), list(self._attempts.concurrency))
        self._attempts.network.clear()
        self._attempts.concurrency.clear()
        return seen

    def introspect(self, check: str, target: object) -> object:
        """One of spec's interface checks, run here on the implementation's own object:
        they read its signatures, which only this process has (RISK-7, LOOP-9)."""
        if check not in INTROSPECTING_CHECKS:
            raise ValueError(f"{check!r} is not one of spec's interface checks")
        return getattr(spec.interface, check)(target)

    def spied_production_gate(self, hook_call: int | None, call: int, error: str) -> GateSpy:
        """The binding's production gate behind the suite's spy, built here: the spy
        traces the calls the gate makes, which run in this process (RISK-4)."""
        plan = FaultPlan(hook_call, call, error) if hook_call is not None else None
        return GateSpy(getattr(self._implementation, "make_production_gate")(), plan)

    def modules(self) -> list[str]:
        return sorted(sys.modules)

    def run_interrupted(self, at: int | None, exception: str, loop: Any, intents: object) -> tuple[int, str | None, object]:
        """``loop.run(intents)`` with an interrupt at its ``at``-th execution point (LOOP-5,
        LOOP-12): counted in the implementation's frames only, so it never lands in the
        host's own code; the points passed, where it was raised, and how the run ended."""
        run = functools.partial(loop.run, intents)  # no frame of the host's between the plan and the loop
        injection = run_planned(InterruptPlan(at, exception), run, excluding=_HOST_FILES)
        return injection.points, injection.raised_at, injection.outcome


_HOST_FILES = frozenset(
    function.__code__.co_filename for function in (Control.introspect, Peer.call, guarded, run_planned)
)
"""The host's own code: an injected interrupt lands in the implementation's frames only."""


def main() -> int:
    read_fd, write_fd, target = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    channel = Channel(read_fd, write_fd)
    install()
    with guarded() as attempts:
        try:
            implementation: object = load_implementation(target, option="--impl")
        except BindingError as error:
            channel.send({"kind": BINDING_ERROR, "message": str(error)})
            return 4
        except BaseException as error:  # noqa: BLE001 - whatever the import does, it is the finding
            channel.send({"kind": BINDING_ERROR, "message": (
                f"importing {target} raised {type(error).__name__}({error}); a binding must import cleanly")})
            return 4
    if attempts.any:
        channel.send({"kind": BINDING_ERROR, "message": (
            f"importing {target} tried {'; '.join(attempts.network + attempts.concurrency)[:600]}; "
            "a binding must not reach the network, start threads or processes while imported (ROUTE-1, LOOP-1)")})
        return 4
    proxies: dict[str, Callable[[int, list[str], str, dict[str, object]], object]] = {}
    peer = Peer(channel, lambda handle, methods, name, snapshot: proxies["make"](handle, methods, name, snapshot))
    proxies["make"] = _proxy_class(peer)
    peer.forward_text = True
    peer.eager = EAGER
    with guarded() as seen:
        control = Control(implementation, seen)
        channel.send({"kind": HELLO, "control": peer.encode(control), "pid": os.getpid(),
                      "reference": is_kit_reference(cast(Any, implementation))})
        try:
            peer.serve()
        except ChannelClosed:
            pass
    return 0
