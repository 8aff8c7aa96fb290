"""The kit as a downstream team gets it: build the wheel, install it into a fresh virtual
environment, and run the suite from a project that is not this repository, through both
entry points (the CLI and the pytest plugin), on a correct binding and a broken one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import run

OUTSIDE_BINDING = '''\
"""An implementation that lives outside the kit: the reference loop with its own no-op gate."""
from spec import Implementation, OrderState, PHASE4, RiskGate, ExecutionRoute, StopPolicy
from reference_impl.runtime.execution_loop.loop import ExecutionLoop
from reference_impl.runtime.execution_loop.policies.stop_policy import AnyOf, MaxExecutions, MaxConsecutiveFailures


class AllowAll:
    def before_intent(self, intent, /): return True
    def before_route(self, order, /): return True
    def after_response(self, order, response, /): return {after_response}


class Outside:
    name = "outside implementation"
    machine = PHASE4
    outcomes = ()
    resting = None

    def make_loop(self, route: ExecutionRoute, gate: RiskGate, stop_policy: StopPolicy, /) -> ExecutionLoop[OrderState]:
        return ExecutionLoop(route, gate, stop_policy, machine=PHASE4)

    def make_noop_gate(self) -> RiskGate:
        return AllowAll()

    def make_stop_policy(self, max_executions, max_consecutive_failures, /) -> StopPolicy:
        limits = [MaxExecutions(max_executions)] if max_executions is not None else []
        limits += [MaxConsecutiveFailures(max_consecutive_failures)] if max_consecutive_failures is not None else []
        return AnyOf(*limits)


QTS_IMPLEMENTATION: Implementation[OrderState] = Outside()
'''


@pytest.mark.slow
@pytest.mark.parametrize(("verdict", "exit_code"), [("True", 0), ("None", 1)])
def test_an_outside_project_runs_the_suite_through_both_entry_points(
    installed_kit: Path, tmp_path: Path, verdict: str, exit_code: int
) -> None:
    """Both entry points, from the installed wheel, on the clauses the gate's last hook
    decides: the plugin (found through its pytest11 entry point) passes the correct
    binding and fails the broken one; the CLI fails the broken one. The CLI's whole run on
    a correct outside binding is the example's CI (tests/test_example.py), and the CLI's
    child process runs the whole suite through this same plugin."""
    project = tmp_path / "downstream"
    project.mkdir()
    (project / "outside_impl.py").write_text(OUTSIDE_BINDING.format(after_response=verdict), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(project)}
    if exit_code:
        cli = run([str(installed_kit / "bin" / "qts-conformance"), "--impl", "outside_impl", "--clauses", "RISK-6"],
                  cwd=project, env=env)
        assert cli.returncode == exit_code, cli.stdout + cli.stderr
        assert "implementation: outside implementation (outside_impl)" in cli.stdout
        assert "RISK-6" in cli.stdout.splitlines()[-1], cli.stdout
    plugin = run([str(installed_kit / "bin" / "python"), "-m", "pytest", "--pyargs", "conformance_tests",
                  "--qts-impl=outside_impl", "-q", "-p", "no:cacheprovider",
                  "--qts-clauses=RISK-6,TERMINAL-1", "-x"],
                 cwd=project, env=env)
    assert plugin.returncode == exit_code, plugin.stdout[-3000:]
    assert "implementation: outside implementation (outside_impl)" in plugin.stdout
