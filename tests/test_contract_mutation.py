"""The contract-aware mutation operators (mutation/contract.py) on fixture source: every
place an operator matches is one mutant, with what its edit refers to."""

from __future__ import annotations

from mutation.contract import OPERATORS, Operator, Result, mutants, render

SOURCE = '''\
def run(intents):
    seen: set[str] = set()
    for intent in intents:
        if intent.intent_id in seen:
            continue
        try:
            verdict = gate.before_intent(intent)
        except Exception:
            verdict = None
        if verdict is True:
            seen.add(intent.intent_id)
'''


def _operator(name: str) -> Operator:
    return next(o for o in OPERATORS if o.name == name)


def test_each_operator_makes_one_mutant_per_place_it_matches() -> None:
    counts = {o.name: len(mutants(SOURCE, o)) for o in OPERATORS}
    assert counts["narrow-except"] == 1 and counts["is-true-eq"] == 1 and counts["casefold-id"] == 1
    assert counts["rebuild-argument"] == 1 and counts["window"] == 1 and counts["carry-state"] == 1
    assert counts["coarse-key"] == 0


def test_a_whole_operator_changes_every_place_in_one_mutant() -> None:
    source = "def f(events):\n    x = cache[events]\n    cache[events] = x\n"
    (line, mutated), = mutants(source, _operator("coarse-key"))
    assert line == 2 and mutated.count("cache[len(events)]") == 2


def test_a_mutant_carries_what_its_edit_refers_to_and_its_line() -> None:
    (line, windowed), = mutants(SOURCE, _operator("window"))
    assert line == 2 and "_Windowed()" in windowed and "class _Windowed(set)" in windowed
    (line, carried), = mutants(SOURCE, _operator("carry-state"))
    assert line == 2 and "    seen = _carried_seen" in carried and carried.endswith("_carried_seen = set()\n")
    compile(windowed, "windowed", "exec")
    compile(carried, "carried", "exec")


def test_the_report_gives_a_score_per_operator_and_names_each_survivor_review() -> None:
    results = [
        Result("runtime", "window", "loop.py", 2, "a", "b", True, "LOOP-2"),
        Result("runtime", "window", "loop.py", 9, "a", "c", False, ""),
    ]
    text = render(results, {"runtime:loop.py:9:window": "a cache, not what was seen"})
    assert "| runtime | bound a set of what was seen by a window | 2 | 1 | 1 | 50% |" in text
    assert "killed by LOOP-2" in text and "SURVIVED: a cache, not what was seen" in text
