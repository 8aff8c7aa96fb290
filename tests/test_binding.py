"""Binding an implementation: every way to get it wrong is one clear message (no
traceback wall), and the CLI exits 4 with it."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance_tests.binding import (
    DEFAULT_TARGET,
    ENV_VAR,
    BindingError,
    TargetError,
    load_implementation,
    resolve_target,
)
from conformance_tests.cli import main


@pytest.fixture
def fake_module() -> Iterator[types.ModuleType]:
    module = types.ModuleType("qts_fake_binding")
    sys.modules[module.__name__] = module
    yield module
    del sys.modules[module.__name__]


def test_target_precedence_and_no_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    with pytest.raises(TargetError, match=r"no implementation named: pass --impl"):
        resolve_target(None)
    assert resolve_target("reference") == DEFAULT_TARGET
    monkeypatch.setenv(ENV_VAR, "reference")
    assert resolve_target(None) == DEFAULT_TARGET
    monkeypatch.setenv(ENV_VAR, "from.env")
    assert resolve_target(None) == "from.env"
    assert resolve_target("from.option") == "from.option"


def test_the_reference_binds() -> None:
    assert load_implementation(DEFAULT_TARGET).name.startswith("qts-phase4-kit reference")


def test_an_unimportable_module_is_named_with_a_hint() -> None:
    with pytest.raises(BindingError, match=r"cannot import 'no_such_pkg\.impl'.*ModuleNotFoundError.*installed"):
        load_implementation("no_such_pkg.impl")


def test_a_module_without_the_attribute_says_how_to_expose_it(fake_module: types.ModuleType) -> None:
    with pytest.raises(BindingError, match=r"has no attribute 'QTS_IMPLEMENTATION'.*spec\.Implementation"):
        load_implementation("qts_fake_binding")


def test_a_binding_of_the_wrong_shape_lists_what_is_missing(fake_module: types.ModuleType) -> None:
    class Half:
        name = "half"

        def make_noop_gate(self) -> None: ...

    fake_module.QTS_IMPLEMENTATION = Half()  # type: ignore[attr-defined]
    with pytest.raises(BindingError) as raised:
        load_implementation("qts_fake_binding")
    assert "missing 'machine'" in str(raised.value) and "missing 'make_loop'" in str(raised.value)


def test_a_machine_that_is_not_a_state_enum_is_refused(fake_module: types.ModuleType) -> None:
    class Machine:
        states = int
        initial = terminal = table = None

        def transition(self) -> None: ...

        def events_for(self) -> None: ...

    class Impl:
        name = "x"
        machine = Machine()
        outcomes = ()
        resting = None

        def make_loop(self, route: object, gate: object, policy: object) -> None: ...

        def make_noop_gate(self) -> None: ...

        def make_stop_policy(self, max_executions: object, max_consecutive_failures: object) -> None: ...

    fake_module.custom = Impl()  # type: ignore[attr-defined]
    with pytest.raises(BindingError, match=r"'machine.states' must be a StrEnum class"):
        load_implementation("qts_fake_binding:custom")


def test_make_loop_must_take_route_gate_and_policy(fake_module: types.ModuleType) -> None:
    from reference_impl.binding import ReferenceImplementation

    class TwoArgs(ReferenceImplementation):
        def make_loop(self, route: object, gate: object) -> None:  # type: ignore[override]
            ...

    fake_module.QTS_IMPLEMENTATION = TwoArgs()  # type: ignore[attr-defined]
    with pytest.raises(BindingError, match=r"'make_loop' must accept \(route, gate, stop_policy\)"):
        load_implementation("qts_fake_binding")


def test_the_cli_prints_one_line_and_exits_4(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--impl", "no_such_pkg.impl"]) == 4
    out, err = capsys.readouterr()
    assert err.startswith("qts-conformance: the implementation could not be bound (nothing was tested): "
                          "cannot import 'no_such_pkg.impl'")
    assert "Traceback" not in err
    assert "UNTESTED" not in out, "nothing ran: the cause alone, not a table of untested clauses"


@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_target_is_a_usage_error_not_the_reference(monkeypatch: pytest.MonkeyPatch, empty: str) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    with pytest.raises(TargetError, match=r"--impl is empty"):
        resolve_target(empty)
    monkeypatch.setenv(ENV_VAR, empty)
    with pytest.raises(TargetError, match=r"\$QTS_IMPL is empty"):
        resolve_target(None)


def test_the_cli_refuses_an_empty_target_with_exit_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(ENV_VAR, "")
    with pytest.raises(SystemExit) as exited:
        main([])
    assert exited.value.code == 2
    assert "$QTS_IMPL is empty" in capsys.readouterr().err


@pytest.mark.parametrize("part", ["name", "machine"])
def test_a_property_that_raises_is_one_binding_error(fake_module: types.ModuleType, part: str) -> None:
    from reference_impl.binding import ReferenceImplementation

    def broken(self: object) -> object:
        raise RuntimeError("config not loaded")

    fake_module.QTS_IMPLEMENTATION = type("Raising", (ReferenceImplementation,), {part: property(broken)})()  # type: ignore[attr-defined]
    with pytest.raises(BindingError, match=rf"reading '{part}' raised RuntimeError: config not loaded"):
        load_implementation("qts_fake_binding")


def test_make_noop_gate_must_take_no_arguments(fake_module: types.ModuleType) -> None:
    from reference_impl.binding import ReferenceImplementation

    class NeedsExtra(ReferenceImplementation):
        def make_noop_gate(self, extra: object) -> None:  # type: ignore[override]
            ...

    fake_module.QTS_IMPLEMENTATION = NeedsExtra()  # type: ignore[attr-defined]
    with pytest.raises(BindingError, match=r"'make_noop_gate' must be callable with no arguments"):
        load_implementation("qts_fake_binding")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--seed", "3"], "--seed needs --profile thorough"),
        (["--report", "{tmp}"], "is a directory"),
        (["--junit", "{tmp}/file/below-a-file.xml"], "report file: cannot write"),
        (["--test-budget", "0"], "argument --test-budget: '0': give a number of seconds, at least 1"),
        (["--test-budget", "0.001"], "at least 1"),
        (["--total-budget", "nan"], "argument --total-budget: 'nan'"),
        (["--test-budget", "soon"], "'soon' is not a number of seconds"),
    ],
)
def test_bad_command_lines_exit_2_before_the_suite_runs(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        main(["--impl", "reference", *(a.format(tmp=tmp_path) for a in argv)])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("outcomes", "message"),
    [
        ("accept", r"'outcomes' must be a sequence of spec\.Outcome, got str"),
        ([("accept", 1)], r"'outcomes' holds things that are not spec\.Outcome"),
    ],
)
def test_declared_outcomes_must_be_spec_outcomes(fake_module: types.ModuleType, outcomes: object, message: str) -> None:
    from reference_impl.binding import ReferenceImplementation

    class WrongOutcomes(ReferenceImplementation):
        pass

    binding = WrongOutcomes()
    binding.outcomes = outcomes  # type: ignore[assignment]
    fake_module.QTS_IMPLEMENTATION = binding  # type: ignore[attr-defined]
    with pytest.raises(BindingError, match=message):
        load_implementation("qts_fake_binding")


def _gate_needing_a_limit(limit: object) -> None: ...


@pytest.mark.parametrize(
    ("part", "value", "message"),
    [
        ("venue_errors", (TimeoutError, "VenueDown"), r"'venue_errors' must be a sequence of Exception subclasses"),
        ("venue_errors", (KeyboardInterrupt,), r"'venue_errors' must be a sequence of Exception subclasses"),
        ("venue_errors", TimeoutError, r"'venue_errors' must be a sequence of Exception subclasses"),
        ("make_production_gate", _gate_needing_a_limit, r"'make_production_gate' must be a method callable with no arguments"),
    ],
)
def test_the_optional_parts_are_checked_when_present(fake_module: types.ModuleType, part: str, value: object, message: str) -> None:
    from reference_impl.binding import ReferenceImplementation

    binding = ReferenceImplementation()
    setattr(binding, part, value)
    fake_module.QTS_IMPLEMENTATION = binding  # type: ignore[attr-defined]
    with pytest.raises(BindingError, match=message):
        load_implementation("qts_fake_binding")
