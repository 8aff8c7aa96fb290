"""The pytest plugin in a team's own pytest run: it leaves the team's hypothesis tests
exactly as they are (their profile, whether loaded by their conftest or chosen with
``--hypothesis-profile``, at either ``--qts-profile``), gives the conformance tests their
own settings, and names the implementation, the profile and the untested clauses."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conformance_tests.report import ClauseCollector, Status

TEAM_CONFTEST = """\
from hypothesis import settings
settings.register_profile("acme", max_examples=7, database=None)
settings.register_profile("other", max_examples=3, database=None)
settings.load_profile("acme")
"""

TEAM_TESTS = """\
from hypothesis import given, settings, strategies as st

@given(st.integers())
def test_team_property(x: int) -> None:
    pass

def test_team_profile_is_active() -> None:
    print(f"team profile: {settings.get_current_profile_name()} {settings.default.max_examples}")
"""

# One conformance property (cheap) with the ci profile; a non-hypothesis conformance test
# with thorough, whose 1500 examples would only cost time.
CONFORMANCE_TEST = {"ci": "test_exhausted_source_ends_the_run", "thorough": "test_the_loop_keeps_its_public_interface"}


def run_pytest(project: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("QTS_IMPL", "PYTEST_ADDOPTS")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-s", "--hypothesis-show-statistics", *args],
        cwd=project, env=env, capture_output=True, text=True, check=False, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    return done.stdout


def statistics_of(test: str, out: str) -> str:
    """The block ``--hypothesis-show-statistics`` printed for ``test``."""
    block = out[out.index(f"::{test}:"):].splitlines()[2:]
    return "\n".join(itertools.takewhile(lambda line: not line[:1].strip(), block))


@pytest.fixture
def team_project(tmp_path: Path) -> Path:
    (tmp_path / "conftest.py").write_text(TEAM_CONFTEST, encoding="utf-8")
    (tmp_path / "test_team.py").write_text(TEAM_TESTS, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("qts_profile", ["ci", "thorough"])
@pytest.mark.parametrize(("hypothesis_args", "team_profile", "examples"), [((), "acme", 7), (("--hypothesis-profile=other",), "other", 3)])
def test_a_teams_hypothesis_tests_keep_their_profile_next_to_the_suite(
    team_project: Path, qts_profile: str, hypothesis_args: tuple[str, ...], team_profile: str, examples: int
) -> None:
    """Property: in one run with the conformance suite, the team's tests run with the
    team's active profile and its example count, whatever ``--qts-profile`` says."""
    out = run_pytest(team_project, *hypothesis_args, f"--qts-profile={qts_profile}", "--qts-impl=reference", "test_team.py",
                     "--pyargs", "conformance_tests", "-k", f"team or {CONFORMANCE_TEST[qts_profile]}")
    assert f"team profile: {team_profile} {examples}" in out
    assert f"Stopped because settings.max_examples={examples}" in statistics_of("test_team_property", out)
    if qts_profile == "ci":
        assert "Stopped because settings.max_examples=150" in statistics_of(CONFORMANCE_TEST["ci"], out)


def test_the_run_names_the_implementation_profile_and_untested_clauses(team_project: Path) -> None:
    out = run_pytest(team_project, "--pyargs", "conformance_tests", "-k", CONFORMANCE_TEST["ci"], "--qts-impl=reference")
    header = out[: out.index("collected")]
    assert "qts-conformance: implementation reference_impl.binding, profile ci" in header
    summary = out[out.index("qts-conformance verdict"):]
    assert "implementation: qts-phase4-kit reference implementation (reference_impl.binding)" in summary
    assert "profile: ci" in summary
    assert re.search(r"^LOOP-1 .* UNTESTED", summary, re.M) and re.search(r"^LOOP-8 .* PASS", summary, re.M)
    assert "clause(s) untested in this run" in summary
    assert "the kit's own reference implementation" in summary


def test_a_binding_that_re_exports_the_reference_is_reported_as_the_reference(team_project: Path) -> None:
    (team_project / "placeholder_binding.py").write_text(
        "from reference_impl.binding import QTS_IMPLEMENTATION as QTS_IMPLEMENTATION\n", encoding="utf-8")
    out = run_pytest(team_project, "--pyargs", "conformance_tests", "-k", "interface", "--qts-impl=placeholder_binding")
    assert "implementation under test is the kit's own reference implementation" in out


def test_a_run_that_names_no_implementation_says_how_to_name_one(team_project: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("QTS_IMPL", "PYTEST_ADDOPTS")}
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--pyargs", "conformance_tests", "-k", "interface"],
                          cwd=team_project, env=env, capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 2, done.stdout[-2000:]  # a usage problem, as qts-conformance says it
    assert "--impl MODULE[:ATTR]" in done.stdout + done.stderr and "$QTS_IMPL" in done.stdout + done.stderr


TEAM_INI = """\
[pytest]
addopts = --strict-markers
markers = clause(name): the team's own marker
"""
TEAM_FIXTURES = """\
import pytest

@pytest.fixture
def implementation() -> str:
    return "team"
"""
TEAM_SPEC_TEST = """\
import pytest
from spec import VALUE

@pytest.mark.clause("team")
def test_in_spec(implementation: str) -> None:
    assert implementation == "team" and VALUE == 1
"""


def test_an_installed_plugin_not_asked_for_changes_nothing_of_a_teams_run(tmp_path: Path) -> None:
    """A team with its own ``spec`` package (with tests in it), a ``clause`` marker and an
    ``implementation`` fixture: its run is the same with the kit's plugin loaded as without."""
    (tmp_path / "pytest.ini").write_text(TEAM_INI, encoding="utf-8")
    (tmp_path / "conftest.py").write_text(TEAM_FIXTURES, encoding="utf-8")
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "__init__.py").write_text("VALUE = 1\n", encoding="utf-8")
    (tmp_path / "spec" / "test_in_spec.py").write_text(TEAM_SPEC_TEST, encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_team.py").write_text(TEAM_SPEC_TEST.replace("test_in_spec", "test_in_tests"), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("QTS_IMPL", "PYTEST_ADDOPTS")}

    def outcome(*plugin: str) -> tuple[int, list[str]]:
        done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", "-q", *plugin],
                              cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=600)
        return done.returncode, sorted(line for line in done.stdout.splitlines() if line.startswith(("PASSED", "FAILED", "ERROR")))

    without_kit = outcome("-p", "no:qts_conformance")
    assert without_kit == (0, ["PASSED spec/test_in_spec.py::test_in_spec", "PASSED tests/test_team.py::test_in_tests"])
    assert outcome() == without_kit


def test_a_teams_own_run_without_the_suite_gets_no_verdict(team_project: Path) -> None:
    out = run_pytest(team_project, "test_team.py")
    assert "qts-conformance" not in out


def test_the_verdict_learns_clauses_from_reports_under_xdist() -> None:
    """Under pytest-xdist the controller sees reports, not items: the clause tag the
    plugin puts on each report is enough for the verdict."""
    collector = ClauseCollector()
    report = pytest.TestReport("t::x", ("t", 0, "x"), {}, "passed", None, "call", user_properties=[("qts_clauses", "STATE-1 STATE-2")])
    collector.pytest_runtest_logreport(report)
    statuses = {r.id: r.status for r in collector.verdict()}
    assert statuses["STATE-1"] is statuses["STATE-2"] is Status.PASS
    assert statuses["LOOP-1"] is Status.UNTESTED


def test_a_teams_fixture_that_would_replace_the_suites_is_refused_by_name(team_project: Path) -> None:
    (team_project / "conftest.py").write_text(
        TEAM_CONFTEST + "\nimport pytest\n\n@pytest.fixture(scope='session')\ndef qts_implementation() -> object:\n    return None\n",
        encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("QTS_IMPL", "PYTEST_ADDOPTS")}
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--pyargs", "conformance_tests",
                           "-k", "interface", "--qts-impl=reference"],
                          cwd=team_project, env=env, capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 4, done.stdout[-2000:]
    assert "'qts_implementation' of the conformance suite is replaced by one defined in conftest" in done.stdout + done.stderr
