"""The pytest plugin (entry point ``pytest11: qts_conformance``).

Adds ``--qts-impl`` and ``--qts-profile``, the ``clause`` marker and the
``implementation`` fixture. It stays inert for tests that do not use them, so installing
the kit does not change an implementer's other tests.
"""

from __future__ import annotations

from enum import StrEnum

import pytest
from hypothesis import HealthCheck, settings

from spec.binding import Implementation
from spec.clauses import CLAUSES

from conformance_tests.binding import BindingError, load_implementation, resolve_target

PROFILES = ("ci", "thorough")
_IMPLEMENTATION = pytest.StashKey[Implementation[StrEnum]]()

settings.register_profile(
    "qts-ci",
    max_examples=150,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "qts-thorough",
    max_examples=1500,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)


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
        help="hypothesis effort: ci (derandomised, the default) or thorough",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "clause(*ids): the specification clauses a test proves (docs/specification.md)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Refuse unknown clause ids at collection, before anything runs, and keep only the
    clauses ``--qts-clauses`` names."""
    for item in items:
        for marker in item.iter_markers("clause"):
            unknown = [cid for cid in marker.args if cid not in CLAUSES]
            if unknown:
                raise pytest.UsageError(
                    f"{item.nodeid} names unknown clause(s) {unknown}; known: {', '.join(CLAUSES)}"
                )
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


def _wanted_clauses(config: pytest.Config) -> set[str] | None:
    option: str | None = config.getoption("--qts-clauses")
    if option is None:
        return None
    wanted = {cid.strip() for cid in option.split(",") if cid.strip()}
    unknown = sorted(wanted - set(CLAUSES))
    if not wanted or unknown:
        raise pytest.UsageError(
            f"--qts-clauses={option}: unknown clause(s) {unknown or '(none given)'}; known: {', '.join(CLAUSES)}"
        )
    return wanted


def selected_profile(config: pytest.Config) -> str:
    return f"qts-{config.getoption('--qts-profile')}"


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
