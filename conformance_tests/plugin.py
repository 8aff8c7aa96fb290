"""The pytest plugin (entry point ``pytest11: qts_conformance``).

Installed with the kit, it is loaded into every pytest run of the environment, so it is
inert until asked for: a run is asked for when it names ``--qts-impl`` or
``--qts-clauses`` or collects from ``conformance_tests``. Until then it imports nothing
of the kit (not ``spec``, whose generic name a team's own package may take), and what
it registers carries the ``qts`` prefix: the ``--qts-*`` options, the ``qts_impl`` ini
option and the ``qts_clause`` marker. Asked for, it reads ``[tool.qts]`` in the
rootdir's pyproject.toml (conformance_tests.config) for what the command line leaves
out, gives the conformance tests the ``qts_implementation`` and ``qts_settings``
fixtures and their own hypothesis settings; it never loads or registers a hypothesis
profile, so a team's own hypothesis tests in the same run keep theirs
(``--hypothesis-profile`` included).

When conformance tests ran, the header and the terminal summary name the implementation
under test and the profile, say so loudly when that is the kit's own reference, and show
the clause table (clauses left untested included) that ``qts-conformance`` prints.
"""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Callable, Generator
from contextlib import contextmanager, suppress
from dataclasses import asdict, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest
from hypothesis import HealthCheck, Phase, settings

if TYPE_CHECKING:
    from spec.binding import Implementation

    from conformance_tests.config import ProjectConfig
    from conformance_tests.coverage import DeclaredCoverage
    from conformance_tests.report import ClauseCollector
    from conformance_tests.guards import Attempts
    from conformance_tests.replay import Replay
    from conformance_tests.violation import Cause

PACKAGE = Path(__file__).resolve().parent
MARKER = "qts_clause"
"""The marker naming the clauses a conformance test proves."""

_FAST_FAILURE = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink)
SETTINGS: dict[str, settings] = {
    # No explain phase in either profile: its notes are comments, which the verdict drops,
    # and it made a failing run cost several times a passing one. A property stops at its
    # first failure (no search for more bugs, whose 10 s cut-off made a verdict depend on
    # the machine's speed). ci is derandomised.
    "ci": settings(
        max_examples=150,
        report_multiple_bugs=False,
        derandomize=True,
        deadline=None,
        database=None,
        print_blob=True,
        phases=_FAST_FAILURE,
        suppress_health_check=[HealthCheck.too_slow],
    ),
    "thorough": settings(
        max_examples=1500,
        report_multiple_bugs=False,
        deadline=None,
        print_blob=True,
        phases=_FAST_FAILURE,
        suppress_health_check=[HealthCheck.too_slow],
    ),
}
"""The hypothesis settings of the conformance tests, per ``--qts-profile``. Their parent
is hypothesis' built-in default, never the host project's active profile."""

PROFILES = tuple(SETTINGS)
COVERAGE_KEY = pytest.StashKey["DeclaredCoverage"]()
"""The declared coverage the coverage test measured in this run, for the verdict."""
SETTINGS_KEY = pytest.StashKey[settings]()
"""The settings the conformance tests of this run use (``SETTINGS[--qts-profile]``)."""

_IMPLEMENTATION = pytest.StashKey["Implementation[StrEnum]"]()
_COLLECTOR = pytest.StashKey["ClauseCollector"]()
_ATTEMPTS = pytest.StashKey["Attempts"]()
"""What the guards refused during a test's call, in this process (_guarded_in_process)."""
_PROJECT = pytest.StashKey["ProjectConfig"]()
ENV_VAR = "QTS_IMPL"
"""As conformance_tests.binding.ENV_VAR; named here so the inert plugin imports nothing."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("qts-conformance", "QTS Phase 4 conformance suite")
    group.addoption(
        "--qts-impl",
        metavar="MODULE[:ATTR]",
        default=None,
        help="implementation to check: a module exposing QTS_IMPLEMENTATION (default: $QTS_IMPL, else the "
        "qts_impl ini option, else [tool.qts] implementation; `reference` names the kit's own reference implementation)",
    )
    parser.addini("qts_impl", "the implementation the conformance tests check, MODULE[:ATTR] (as --qts-impl)",
                  default="")
    group.addoption(
        "--qts-clauses",
        metavar="ID[,ID...]",
        default=None,
        help="run only the conformance tests of these clauses (e.g. STATE-7,LOOP-10); "
        "a partial run is a diagnosis, never a verdict",
    )
    group.addoption(
        "--qts-replay",
        metavar="TOKEN",
        default=None,
        help="run exactly one failing call again: the token a verdict printed under `replay:`",
    )
    group.addoption(
        "--qts-profile",
        choices=PROFILES,
        default=None,
        help="hypothesis effort of the conformance tests: ci (derandomised) or thorough "
        "(default: [tool.qts] profile, else ci)",
    )


def asked_for(config: pytest.Config) -> bool:
    """Whether this run asked for the suite: a ``--qts-*`` selection, or ``conformance_tests``
    named among the paths or ``--pyargs`` it collects."""
    named = [*config.invocation_params.args, *config.args]
    return bool(
        config.getoption("--qts-impl") or config.getoption("--qts-clauses")
        or any(PACKAGE.name in str(arg) for arg in named)
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "qts_clause(*ids): the specification clauses a test proves (docs/specification.md)"
    )
    config.addinivalue_line(
        "markers", "qts_examples_divided_by(n): the test runs 1/n of the profile's examples (each costs n of another's)"
    )
    if not asked_for(config):
        return
    from conformance_tests.kit_spec import ShadowedSpecError, ensure_kit_spec

    try:
        ensure_kit_spec()  # before anything imports spec: a team's own `spec` is named in one sentence
    except ShadowedSpecError as error:
        raise pytest.UsageError(str(error)) from None
    from conformance_tests.config import ConfigError, load_config
    from conformance_tests.report import ClauseCollector

    try:
        config.stash[_PROJECT] = load_config(config.rootpath)
    except ConfigError as error:
        raise pytest.UsageError(str(error)) from None
    config.stash[SETTINGS_KEY] = SETTINGS[_profile(config)]
    collector = ClauseCollector()
    config.stash[_COLLECTOR] = collector
    config.pluginmanager.register(collector, "qts-clause-collector")


def _profile(config: pytest.Config) -> str:
    option: str | None = config.getoption("--qts-profile")
    project = config.stash.get(_PROJECT, None)
    return option or (project.profile if project is not None else "ci")


def _configured_target(config: pytest.Config) -> str | None:
    """The binding named by the ``qts_impl`` ini option, else ``[tool.qts] implementation``;
    the command line and ``$QTS_IMPL`` come first (:func:`_resolved_target`)."""
    project = config.stash.get(_PROJECT, None)
    return str(config.getini("qts_impl")).strip() or (project.implementation if project is not None else None)


def is_conformance_item(item: pytest.Item) -> bool:
    """A test of this package (not a team's own test that happens to share the run)."""
    return item.path.is_relative_to(PACKAGE)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Refuse unknown clause ids and fixtures of the suite's that a team's conftest
    replaced, at collection, before anything runs; keep only the clauses ``--qts-clauses``
    names; tag each test's report with its clauses so the verdict also works under
    pytest-xdist."""
    if _COLLECTOR not in config.stash:
        return
    from spec.clauses import CLAUSES

    for item in items:
        clause_ids = tuple(cid for marker in item.iter_markers(MARKER) for cid in marker.args)
        unknown = [cid for cid in clause_ids if cid not in CLAUSES]
        if unknown:
            raise pytest.UsageError(
                f"{item.nodeid} names unknown clause(s) {unknown}; known: {', '.join(CLAUSES)}"
            )
        if clause_ids:
            item.user_properties.append(("qts_clauses", " ".join(clause_ids)))
        if is_conformance_item(item):
            _refuse_replaced_fixtures(item)
    replay = _replay(config)
    if replay is not None:
        chosen = [item for item in items if _test_id(item) == replay.test]
        if not chosen:
            raise pytest.UsageError(f"--qts-replay: this kit has no test {replay.test}; replay with the kit that printed the token")
        config.hook.pytest_deselected(items=[item for item in items if item not in chosen])
        items[:] = chosen
    wanted = _wanted_clauses(config)
    if wanted is None:
        return
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        clauses = {cid for marker in item.iter_markers(MARKER) for cid in marker.args}
        (kept if not clauses or clauses & wanted else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


_OWN_FIXTURES = ("qts_implementation", "qts_settings")


def _refuse_replaced_fixtures(item: pytest.Item) -> None:
    """A fixture of the suite's name defined elsewhere would decide what the conformance
    tests check: say so, naming where, instead of running them on it."""
    info = getattr(item, "_fixtureinfo", None)
    for name in _OWN_FIXTURES:
        definitions = info.name2fixturedefs.get(name, ()) if info is not None else ()
        if definitions:
            chosen = definitions[-1].func
            if getattr(chosen, "__module__", None) != __name__:
                raise pytest.UsageError(
                    f"the fixture {name!r} of the conformance suite is replaced by one defined in "
                    f"{getattr(chosen, '__module__', '?')}; rename yours: the suite must check the implementation "
                    "it was given, with its own settings"
                )


def _test_id(item: pytest.Item) -> str:
    """The test's name in a replay token: its module and name, the same in every run."""
    from conformance_tests.replay import test_id

    module: object = getattr(item, "module", None)
    return test_id(getattr(module, "__name__", ""), item.name)


_REPLAY = pytest.StashKey["Replay | None"]()


def _replay(config: pytest.Config) -> Replay | None:
    """The failing call ``--qts-replay`` names (read once per run)."""
    if _REPLAY not in config.stash:
        option: str | None = config.getoption("--qts-replay")
        from conformance_tests.replay import ReplayError, parse

        try:
            config.stash[_REPLAY] = None if option is None else parse(option)
        except ReplayError as error:
            raise pytest.UsageError(f"--qts-replay: {error}") from None
    return config.stash[_REPLAY]


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Under ``--qts-replay``: the test's one failing call, with its very arguments, instead
    of hypothesis' search (the run's settings and the argument recording still apply)."""
    replay = _replay(pyfuncitem.config) if _COLLECTOR in pyfuncitem.config.stash else None
    if replay is None or _test_id(pyfuncitem) != replay.test:
        return None
    handle: Any = getattr(pyfuncitem.obj, "hypothesis")  # (replay.parse refused a test that draws nothing)
    inner: Callable[..., object] = handle.inner_test
    fixtures = {name: pyfuncitem.funcargs[name] for name in inspect.signature(pyfuncitem.obj).parameters}
    inner(**fixtures, **replay.arguments)
    return True


def _wanted_clauses(config: pytest.Config) -> frozenset[str] | None:
    option: str | None = config.getoption("--qts-clauses")
    if option is None:
        return None
    from conformance_tests.selection import parse_clauses

    try:
        return parse_clauses(option)
    except ValueError as error:
        raise pytest.UsageError(f"--qts-clauses: {error}") from None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Give a conformance test the run's settings for its call only.

    Setting ``_hypothesis_internal_use_settings`` is what ``@settings`` does to a
    ``@given`` test; done per call and undone after, it leaves the test module, the global
    profile and every other test as they were.
    """
    test: object = getattr(item, "obj", None)
    if not (SETTINGS_KEY in item.config.stash and is_conformance_item(item)):
        return (yield)
    from conformance_tests.harness import forget_last_run

    forget_last_run()
    with _guarded_in_process(item):
        return (yield from _with_run_settings(item, test, forget_last_run))


@contextmanager
def _guarded_in_process(item: pytest.Item) -> Generator[None]:
    """In this process (the plugin in a team's own pytest run: no host, no kernel
    containment), the guards hold for the test's whole call, so every call into the
    implementation is refused the network, processes and threads, also where a test drives
    the loop directly; what they refused is reported under ROUTE-1 and LOOP-1. Under
    ``qts-conformance`` the implementation runs in the host, which the judge contains."""
    from conformance_tests.guards import guarded
    from conformance_tests.harness import in_host

    if in_host():
        yield
        return
    with guarded() as attempts:
        try:
            yield
        finally:
            item.stash[_ATTEMPTS] = attempts


def _with_run_settings(item: pytest.Item, test: object, forget_last_run: Callable[[], None]) -> Generator[None, object, object]:
    if not getattr(test, "is_hypothesis_test", False):
        return (yield)
    previous: object = getattr(test, "_hypothesis_internal_use_settings")
    profile = item.config.stash[SETTINGS_KEY]
    divided = item.get_closest_marker("qts_examples_divided_by")
    if divided is not None:
        profile = settings(profile, max_examples=max(5, profile.max_examples // int(divided.args[0])))
    setattr(test, "_hypothesis_internal_use_settings", profile)
    handle: Any = getattr(test, "hypothesis")
    inner: Callable[..., object] = handle.inner_test
    handle.inner_test = _keeping_failing_arguments(inner, forget_last_run)
    try:
        return (yield)
    finally:
        setattr(test, "_hypothesis_internal_use_settings", previous)
        handle.inner_test = inner


FAILING_ARGUMENTS = "qts_failing_arguments"
"""The attribute of a test's exception that holds the arguments of the call it came
from: on the exception hypothesis re-raises, its minimal example, as data."""


def _keeping_failing_arguments(test: Callable[..., object], forget_last_run: Callable[[], None]) -> Callable[..., object]:
    """``test`` that leaves its arguments on the exception of a failing call, and keeps
    only that call's scenario run for the failure's cause; hypothesis reads
    ``inner_test`` at each call."""

    def call(*args: object, **kwargs: object) -> object:
        forget_last_run()
        try:
            return test(*args, **kwargs)
        except BaseException as error:
            with suppress(AttributeError):
                setattr(error, FAILING_ARGUMENTS, kwargs)
            raise

    return call


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed conformance test's report carries its violation, read off the exception
    object: clause, expected, observed and the final failing call's drawn arguments."""
    report = yield
    if report.failed and call.excinfo is not None and _COLLECTOR in item.config.stash:
        from conformance_tests.violation import PROPERTY, first_failure, violation_of

        error = first_failure(call.excinfo.value)
        arguments: object = getattr(error, FAILING_ARGUMENTS, None)
        fixtures: dict[str, object] = getattr(item, "funcargs", {})
        drawn = {str(k): v for k, v in cast("dict[str, object]", arguments).items()
                 if k not in fixtures} if isinstance(arguments, dict) else None
        scenario = ", ".join(f"{name}={value!r}" for name, value in drawn.items()) if drawn is not None else ""
        clauses = tuple(cid for marker in item.iter_markers(MARKER) for cid in marker.args)
        violation = violation_of(error, clauses, scenario or None)
        if violation.cause is None:
            violation = replace(violation, cause=_cause_of_last_run(error))
        if drawn is not None:
            from conformance_tests.replay import token

            violation = replace(violation, replay=token(_test_id(item), drawn))
        report.user_properties = [*report.user_properties, (PROPERTY, asdict(violation))]
    attempts = item.stash.get(_ATTEMPTS, None) if call.when == "call" else None
    if attempts is not None and attempts.any:
        from conformance_tests.report import GUARDS

        report.user_properties = [*report.user_properties,
                                  (GUARDS, {"network": attempts.network[:20], "concurrency": attempts.concurrency[:20]})]
    return report


def _cause_of_last_run(error: BaseException) -> Cause | None:
    """Where the failing call's run departed from the specification (TERMINAL-1's for a
    call that did not return); None if working it out fails (an implementation that
    breaks its own declaration breaks the oracle's reading of it too): the violation
    itself still stands."""
    from conformance_tests.harness import last_run_cause, stuck_cause

    if (stuck := stuck_cause(error)) is not None:
        return stuck
    try:
        return last_run_cause()
    except Exception:
        return None


@pytest.fixture
def qts_settings(pytestconfig: pytest.Config) -> settings:
    """The conformance settings of this run, for tests that pass settings explicitly
    (``run_state_machine_as_test(..., settings=qts_settings)``)."""
    return pytestconfig.stash.get(SETTINGS_KEY, SETTINGS[_profile(pytestconfig)])


@pytest.fixture(scope="session")
def qts_implementation(pytestconfig: pytest.Config) -> Implementation[StrEnum]:
    """The implementation under test, named by ``--qts-impl`` / ``$QTS_IMPL`` / ``qts_impl`` /
    ``[tool.qts] implementation``, imported with ``[tool.qts] pythonpath`` on the path."""
    cached = pytestconfig.stash.get(_IMPLEMENTATION, None)
    if cached is None:
        from conformance_tests.binding import BindingError, TargetError, load_implementation

        project = pytestconfig.stash.get(_PROJECT, None)
        roots = [str(root) for root in project.pythonpath] if project is not None else []
        sys.path[:0] = [root for root in roots if root not in sys.path]  # [tool.qts] pythonpath
        try:
            cached = load_implementation(_resolved_target(pytestconfig))
        except TargetError as error:
            pytest.exit(f"qts-conformance: {error}", returncode=2)
        except BindingError as error:
            pytest.exit(f"qts-conformance: {error}", returncode=4)
        pytestconfig.stash[_IMPLEMENTATION] = cached
    return cached


def provide_implementation(config: pytest.Config, implementation: object) -> None:
    """Run the conformance tests against ``implementation`` (the judge's proxy of the
    host's binding) instead of importing the binding here."""
    config.stash[_IMPLEMENTATION] = cast("Implementation[StrEnum]", implementation)


def _resolved_target(config: pytest.Config) -> str:
    """The binding this run names; TargetError when it names none."""
    from conformance_tests.binding import resolve_target

    option: str | None = config.getoption("--qts-impl")
    if option is None and ENV_VAR not in os.environ:
        option = _configured_target(config)
    return resolve_target(option)


def _target(config: pytest.Config) -> str:
    from conformance_tests.binding import TargetError

    try:
        return _resolved_target(config)
    except TargetError:
        return "(not named)"


def _reports_elsewhere(config: pytest.Config) -> bool:
    """``qts-conformance`` (or another caller) registered its own collector and prints
    the verdict itself; the plugin then keeps quiet."""
    from conformance_tests.report import ClauseCollector

    return any(
        isinstance(plugin, ClauseCollector) and plugin is not config.stash[_COLLECTOR]
        for plugin in config.pluginmanager.get_plugins()
    )


def pytest_report_header(config: pytest.Config) -> list[str]:
    if _COLLECTOR not in config.stash or _reports_elsewhere(config):
        return []
    return [f"qts-conformance: implementation {_target(config)}, profile {_profile(config)}"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    collector = config.stash.get(_COLLECTOR, None)
    if collector is None or _reports_elsewhere(config) or not any(collector.clauses_of.values()):
        return
    from conformance_tests.verdict import Verdict, render_table

    target = _target(config)
    bound = config.stash.get(_IMPLEMENTATION, None)
    verdict = Verdict(bound.name if bound is not None else "(not bound)", target, _profile(config), "",
                      tuple(collector.verdict()), coverage=config.stash.get(COVERAGE_KEY, None))
    terminalreporter.write_sep("=", "qts-conformance verdict")
    terminalreporter.write_line(f"implementation: {verdict.implementation} ({target})")
    terminalreporter.write_line(f"profile: {verdict.profile}")
    terminalreporter.write_line(render_table(verdict))
    terminalreporter.write_line(verdict.summary)
    untested = verdict.untested
    if untested:
        terminalreporter.write_line(
            f"WARNING: {len(untested)} clause(s) untested in this run ({', '.join(untested)}): "
            "it does not prove conformance; run the whole suite (qts-conformance).",
            yellow=True, bold=True,
        )
    from conformance_tests.binding import REFERENCE_NOTICE, is_kit_reference

    if bound is not None and is_kit_reference(bound):
        terminalreporter.write_line(REFERENCE_NOTICE, red=True, bold=True)
