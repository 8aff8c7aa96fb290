"""RISK-7, LOOP-9: the Phase 4 interfaces survive in the implementation (seed 5). The
checks are spec's own (spec.interface), reused here as clauses."""

from __future__ import annotations

from enum import StrEnum

import pytest

from spec.binding import Implementation
from spec.interface import gate_interface_breaches, loop_interface_breaches

from conformance_tests.doubles import AllowAllGate, CallLog, ScriptedRoute, SuitePolicy
from conformance_tests.harness import call_watched, introspected
from conformance_tests.scenario import Policy, Scenario
from conformance_tests.violation import refuse_breaches

Impl = Implementation[StrEnum]


@pytest.mark.qts_clause("RISK-7")
def test_the_noop_gate_keeps_the_gate_interface(implementation: Impl) -> None:
    gate = call_watched(implementation.make_noop_gate)
    breaches = introspected(gate_interface_breaches, gate)
    refuse_breaches(breaches)


@pytest.mark.qts_clause("LOOP-9")
def test_the_loop_keeps_its_public_interface(implementation: Impl) -> None:
    log = CallLog()
    loop = call_watched(lambda: implementation.make_loop(ScriptedRoute(Scenario(()), log), AllowAllGate(), SuitePolicy(Policy(), log)))
    breaches = introspected(loop_interface_breaches, loop)
    refuse_breaches(breaches)
