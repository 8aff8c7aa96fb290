"""How an implementation presents itself to the conformance suite.

An implementation module exposes one attribute, conventionally ``QTS_IMPLEMENTATION``,
annotated with :class:`Implementation` so that a type checker rejects a binding of the
wrong shape before the suite ever runs::

    QTS_IMPLEMENTATION: Implementation[MyOrderState] = MyImplementation()
"""

from __future__ import annotations

from typing import Protocol

from spec.loop import ExecutionLoop, StopPolicy
from spec.risk import RiskGate
from spec.route import ExecutionRoute
from spec.state_machine import S, StateModel

BINDING_ATTRIBUTE = "QTS_IMPLEMENTATION"


class Implementation(Protocol[S]):
    """What the conformance suite needs of an implementation: its name, its order-state
    machine, and factories for its loop and its no-op gate.

    Expose one as ``QTS_IMPLEMENTATION: Implementation[YourOrderState]`` in a module and
    point ``qts-conformance --impl`` at that module.
    """

    @property
    def name(self) -> str:
        """A short human name, printed in the conformance report."""
        ...

    @property
    def machine(self) -> StateModel[S]:
        """The order states and THE transition table this implementation uses."""
        ...

    def make_loop(
        self, route: ExecutionRoute, gate: RiskGate, stop_policy: StopPolicy, /
    ) -> ExecutionLoop[S]:
        """A fresh loop over ``route``, consulting ``gate`` and ``stop_policy``."""
        ...

    def make_noop_gate(self) -> RiskGate:
        """The implementation's no-op gate (seed 2.3: the only gate Phase 4 ships)."""
        ...
