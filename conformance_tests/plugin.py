"""The pytest plugin (entry point ``pytest11: qts_conformance``).

Adds ``--qts-impl`` and ``--qts-profile``, the ``clause`` marker and the
``implementation`` fixture. It is inert for every test outside this package: it never
loads or registers a hypothesis profile, so a team's own hypothesis tests in the same run
keep theirs (``--hypothesis-profile`` included). The conformance tests carry their own
settings instead, applied to each of them for the duration of its call.

When conformance tests ran, the header and the terminal summary name the implementation
under test and the profile, warn loudly when that is the kit's own reference, and show
the clause table (clauses left untested included) that ``qts-conformance`` prints.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from enum import StrEnum
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

from spec.binding import Implementation
from spec.clauses import CLAUSES

from conformance_tests.binding import DEFAULT_TARGET, ENV_VAR, BindingError, load_implementation, resolve_target
from conformance_tests.coverage import DeclaredCoverage, render_coverage
from conformance_tests.report import ClauseCollector, Status, render_table
from conformance_tests.selection import parse_clauses

PACKAGE = Path(__file__).resolve().parent

_FAST_FAILURE = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink)
SETTINGS: dict[str, settings] = {
    # No explain phase in either profile: its notes are comments, which the verdict drops,
    # and it made a failing run cost several times a passing one. ci is derandomised.
    "ci": settings(
        max_examples=150,
        derandomize=True,
        deadline=None,
        database=None,
        print_blob=True,
        phases=_FAST_FAILURE,
        suppress_health_check=[HealthCheck.too_slow],
    ),
    "thorough": settings(
        max_examples=1500,
        deadline=None,
        print_blob=True,
        phases=_FAST_FAILURE,
        suppress_health_check=[HealthCheck.too_slow],
    ),
}
"""The hypothesis settings of the conformance tests, per ``--qts-profile``. Their parent
is hypothesis' built-in default, never the host project's active profile."""

PROFILES = tuple(SETTINGS)
COVERAGE_KEY = pytest.StashKey[DeclaredCoverage]()
"""The declared coverage the coverage test measured in this run, for the verdict."""
SETTINGS_KEY = pytest.StashKey[settings]()
"""The settings the conformance tests of this run use (``SETTINGS[--qts-profile]``)."""

_IMPLEMENTATION = pytest.StashKey[Implementation[StrEnum]]()
_COLLECTOR = pytest.StashKey[ClauseCollector]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("qts-conformance", "QTS Phase 4 conformance suite")
    group.addoption(
        "--qts-impl",
        metavar="MODULE[:ATTR]",
        default=None,
        help="implementation to check: a module exposing QTS_IMPLEMENTATION "
        "(default: $QTS_IMPL, else the reference implementation)",
    )
    group.addoption(
        "--qts-clauses",
        metavar="ID[,ID...]",
        default=None,
        help="run only the conformance tests of these clauses (e.g. STATE-7,LOOP-10); "
        "a partial run is a diagnosis, never a verdict",
    )
    group.addoption(
        "--qts-profile",
        choices=PROFILES,
        default="ci",
        help="hypothesis effort of the conformance tests: ci (derandomised, the default) or thorough",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "clause(*ids): the specification clauses a test proves (docs/specification.md)"
    )
    config.addinivalue_line(
        "markers", "examples_divided_by(n): the test runs 1/n of the profile's examples (each costs n of another's)"
    )
    config.stash[SETTINGS_KEY] = SETTINGS[str(config.getoption("--qts-profile"))]
    collector = ClauseCollector()
    config.stash[_COLLECTOR] = collector
    config.pluginmanager.register(collector, "qts-clause-collector")


def is_conformance_item(item: pytest.Item) -> bool:
    """A test of this package (not a team's own test that happens to share the run)."""
    return item.path.is_relative_to(PACKAGE)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Refuse unknown clause ids at collection, before anything runs; keep only the
    clauses ``--qts-clauses`` names; tag each test's report with its clauses so the
    verdict also works under pytest-xdist."""
    for item in items:
        clause_ids = tuple(cid for marker in item.iter_markers("clause") for cid in marker.args)
        unknown = [cid for cid in clause_ids if cid not in CLAUSES]
        if unknown:
            raise pytest.UsageError(
                f"{item.nodeid} names unknown clause(s) {unknown}; known: {', '.join(CLAUSES)}"
            )
        if clause_ids:
            item.user_properties.append(("qts_clauses", " ".join(clause_ids)))
    wanted = _wanted_clauses(config)
    if wanted is None:
        return
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        clauses = {cid for marker in item.iter_markers("clause") for cid in marker.args}
        (kept if not clauses or clauses & wanted else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _wanted_clauses(config: pytest.Config) -> frozenset[str] | None:
    option: str | None = config.getoption("--qts-clauses")
    if option is None:
        return None
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
    if not (is_conformance_item(item) and getattr(test, "is_hypothesis_test", False)):
        return (yield)
    previous: object = getattr(test, "_hypothesis_internal_use_settings")
    profile = item.config.stash[SETTINGS_KEY]
    divided = item.get_closest_marker("examples_divided_by")
    if divided is not None:
        profile = settings(profile, max_examples=max(5, profile.max_examples // int(divided.args[0])))
    setattr(test, "_hypothesis_internal_use_settings", profile)
    try:
        return (yield)
    finally:
        setattr(test, "_hypothesis_internal_use_settings", previous)


@pytest.fixture
def qts_settings(pytestconfig: pytest.Config) -> settings:
    """The conformance settings of this run, for tests that pass settings explicitly
    (``run_state_machine_as_test(..., settings=qts_settings)``)."""
    return pytestconfig.stash[SETTINGS_KEY]


@pytest.fixture(scope="session")
def implementation(pytestconfig: pytest.Config) -> Implementation[StrEnum]:
    """The implementation under test, bound by ``--qts-impl`` / ``$QTS_IMPL``."""
    cached = pytestconfig.stash.get(_IMPLEMENTATION, None)
    if cached is None:
        target = resolve_target(pytestconfig.getoption("--qts-impl"))
        try:
            cached = load_implementation(target)
        except BindingError as error:
            pytest.exit(f"qts-conformance: {error}", returncode=4)
        pytestconfig.stash[_IMPLEMENTATION] = cached
    return cached


def _target(config: pytest.Config) -> str:
    return resolve_target(config.getoption("--qts-impl"))


def _reports_elsewhere(config: pytest.Config) -> bool:
    """``qts-conformance`` (or another caller) registered its own collector and prints
    the verdict itself; the plugin then keeps quiet."""
    return any(
        isinstance(plugin, ClauseCollector) and plugin is not config.stash[_COLLECTOR]
        for plugin in config.pluginmanager.get_plugins()
    )


def _named_in_invocation(config: pytest.Config) -> bool:
    return any(PACKAGE.name in arg for arg in config.invocation_params.args)


def pytest_report_header(config: pytest.Config) -> list[str]:
    if _reports_elsewhere(config) or not _named_in_invocation(config):
        return []
    header = f"qts-conformance: implementation {_target(config)}, profile {config.getoption('--qts-profile')}"
    warning = default_reference_warning(config)
    return [header] if warning is None else [header, warning]


def default_reference_warning(config: pytest.Config) -> str | None:
    """The warning for a run that names no binding and so checks the kit's own reference."""
    if config.getoption("--qts-impl") or os.environ.get(ENV_VAR):
        return None
    return (
        f"WARNING: no --qts-impl and no $QTS_IMPL: this run checked the kit's reference "
        f"implementation ({DEFAULT_TARGET}), NOT yours. Name your binding with "
        "--qts-impl=your_pkg.qts_binding."
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    collector = config.stash[_COLLECTOR]
    if _reports_elsewhere(config) or not any(collector.clauses_of.values()):
        return
    target = _target(config)
    bound = config.stash.get(_IMPLEMENTATION, None)
    name = f"{bound.name} ({target})" if bound is not None else target
    results = collector.verdict()
    terminalreporter.write_sep("=", "qts-conformance verdict")
    terminalreporter.write_line(f"implementation: {name}")
    terminalreporter.write_line(f"profile: {config.getoption('--qts-profile')}")
    terminalreporter.write_line(render_table(results))
    coverage = config.stash.get(COVERAGE_KEY, None)
    if coverage is not None:
        for line in render_coverage(coverage):
            terminalreporter.write_line(line)
    untested = [r.id for r in results if r.status is Status.UNTESTED]
    if untested:
        terminalreporter.write_line(
            f"WARNING: {len(untested)} clause(s) untested in this run ({', '.join(untested)}): "
            "it does not prove conformance; run the whole suite (qts-conformance).",
            yellow=True, bold=True,
        )
    warning = default_reference_warning(config)
    if warning is not None:
        terminalreporter.write_line(warning, red=True, bold=True)
