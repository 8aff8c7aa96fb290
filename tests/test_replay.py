"""A failing example is a token the command line takes back: ``qts-conformance --replay
TOKEN`` runs exactly that call again. The token carries scenario data only, and a token
that names anything else, or is not a token, is refused by name."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import zlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conformance_tests.replay import VERSION, ReplayError, parse, token
from conformance_tests.scenario import GateAct, OrderId, Policy, RouteAct, Scenario, Step
from spec.values import Side

TESTS = Path(__file__).resolve().parent
CLI = Path(sys.executable).parent / "qts-conformance"
TEST = "conformance_tests.test_terminal_guarantee::test_every_pulled_intent_ends_terminal_exactly_once"
"""A test that draws one argument, ``scenario``."""


def _forged(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(zlib.compress(json.dumps(data).encode())).decode().rstrip("=")


def test_a_scenario_comes_back_as_it_went() -> None:
    """Every kind of field a generated scenario has: enums, Decimals, None, a str
    subclass id, nested dataclasses, tuples; defaults left out of the token."""
    scenario = Scenario(
        (Step(OrderId("O-1"), route=RouteAct.RAISE, before_route=GateAct.NOT_A_BOOL, side=Side.SELL,
              quantity=Decimal("0.000001"), limit_price=Decimal("101.257"), variant=7),
         Step("\u00f6-2", request_stop=True, stop_in="route")),
        Policy(max_executions=3, fails_at=2, failure=5),
    )
    written = token(TEST, {"scenario": scenario})
    assert written is not None
    replay = parse(written)
    assert replay.test == TEST and replay.arguments == {"scenario": scenario}
    assert type(replay.arguments["scenario"].steps[0].intent_id) is OrderId  # type: ignore[attr-defined]
    assert len(token(TEST, {"scenario": Scenario((Step("o-0"),))}) or "") < len(written)


def test_an_argument_that_is_no_scenario_data_has_no_token() -> None:
    assert token(TEST, {"scenario": object()}) is None
    assert token(TEST, {"path": Path("/tmp")}) is None


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("not a token!", "not a replay token"),
        (_forged({"v": VERSION + 1, "test": TEST, "args": {}}), "another kit version"),
        (_forged({"v": VERSION, "args": {}}), "without its test"),
        (_forged({"v": VERSION, "test": TEST, "args": {"x": {"$c": "os:system", "f": {}}}}), "'os:system', which is no scenario data"),
        (_forged({"v": VERSION, "test": TEST, "args": {"x": {"$c": "conformance_tests.scenario:Nope", "f": {}}}}), "which this kit does not have"),
        (_forged({"v": VERSION, "test": TEST, "args": {"x": {"$e": "conformance_tests.scenario:GateAct", "v": "NOPE"}}}), "cannot rebuild"),
        (_forged({"v": VERSION, "test": TEST, "args": {"x": {"$c": "conformance_tests.scenario:Step", "f": {"bogus": 1}}}}), "cannot rebuild"),
        (_forged({"v": VERSION, "test": TEST, "args": {"x": [1, 2]}}), "untagged list"),
        ("eJzt" + "i" * 40, "not a replay token"),
        (_forged({"v": VERSION, "test": TEST, "args": {"scenario": {"$t": [{"$t": []}]}}}),
         "a replay token whose 'scenario' is a tuple, not the Scenario"),
        (_forged({"v": VERSION, "test": TEST, "args": {"x": {"$c": "spec.values:ExecutionIntent",
                                                            "f": {"intent_id": "", "symbol": "QTS", "side": {"$e": "spec.values:Side", "v": "BUY"},
                                                                  "quantity": {"$d": "-1"}}}}}), "cannot rebuild"),
        (_forged({"v": VERSION, "test": "conformance_tests.test_loop::test_nope", "args": {}}), "this kit has no test"),
        (_forged({"v": VERSION, "test": "os::system", "args": {}}), "this kit has no test"),
        (_forged({"v": VERSION, "test": "conformance_tests.test_state_model::test_plain_responses_keep_their_phase4_meaning",
                  "args": {}}), "draws no examples"),
        (_forged({"v": VERSION, "test": TEST, "args": {}}), "with the arguments []; conformance_tests.test_terminal_guarantee::test_every_pulled_intent_ends_terminal_exactly_once draws ['scenario']"),
        (_forged({"v": VERSION, "test": TEST, "args": {"scenario": {"$c": "conformance_tests.scenario:Scenario", "f": {"steps": {"$t": []}}},
                                                       "n": 3}}), "with the arguments ['n', 'scenario']"),
        (_forged({"v": VERSION, "test": TEST, "args": {"scenario": 3}}), "'scenario' is a int, not the Scenario"),
    ],
)
def test_a_token_that_is_not_one_of_ours_is_refused_by_name(text: str, says: str) -> None:
    with pytest.raises(ReplayError) as refused:
        parse(text)
    assert says in str(refused.value)


def test_a_token_nested_deeper_than_json_reads_is_refused_not_a_crash() -> None:
    deep = base64.urlsafe_b64encode(zlib.compress(("[" * 100_000).encode())).decode()
    with pytest.raises(ReplayError, match="not a replay token|nested deeper"):
        parse(deep)
    nested = '{"$t": [' * 5_000 + '{"$d": "1"}' + "]}" * 5_000
    text = f'{{"v": {VERSION}, "test": "{TEST}", "args": {{"scenario": {nested}}}}}'
    with pytest.raises(ReplayError, match="nested deeper"):
        parse(base64.urlsafe_b64encode(zlib.compress(text.encode())).decode())


def _cli(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    report = tmp_path / "v.json"
    done = subprocess.run([str(CLI), "--impl", "broken_impls:RESPONSE_DROPPED_ON_CLEAN_PATH", *args, "--report", str(report)],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(TESTS)}, cwd=tmp_path,
                          check=False, timeout=300)
    assert report.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    return done.returncode, json.loads(report.read_text(encoding="utf-8")), done.stdout


@pytest.mark.slow
def test_the_printed_replay_command_reproduces_the_same_failure(tmp_path: Path) -> None:
    """Through the real command: the verdict prints the replay command; run, it fails
    the same clause with the same observation, having run that one test."""
    _, verdict, out = _cli(tmp_path, "--clauses", "LOOP-3")
    violation = next(c for c in verdict["clauses"] if c["id"] == "LOOP-3")["violation"]
    assert violation["replay"] and f"replay: qts-conformance --impl broken_impls:RESPONSE_DROPPED_ON_CLEAN_PATH --replay {violation['replay']}" in out
    code, again, out = _cli(tmp_path, "--replay", violation["replay"])
    assert code == 1, out[-3000:]
    replayed = next(c for c in again["clauses"] if c["id"] == "LOOP-3")
    assert replayed["violation"]["observed"] == violation["observed"]
    assert replayed["violation"]["scenario"] == violation["scenario"]
    assert [t["outcome"] for t in replayed["tests"]] == ["failed"]
    assert "replay: conformance_tests.test_loop::" in out and "UNTESTED" not in out


def test_a_bad_token_is_a_bad_command_line(tmp_path: Path) -> None:
    done = subprocess.run([str(CLI), "--impl", "reference", "--replay", "abc"], capture_output=True, text=True,
                          cwd=tmp_path, check=False, timeout=60)
    assert done.returncode == 2 and "--replay: not a replay token" in done.stderr
