"""The one configuration, ``[tool.qts]``: validated against its JSON Schema before any
tool acts on it (unknown keys and bad values refused, the key named), and read by
qts-conformance, the pytest plugin, qts-assets and the layering hook alike."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance_tests.config import LEGACY_SECTION, SCHEMA, SECTION, ConfigError, load_config, validate

KNOWN = set(SCHEMA["properties"])
BIN = Path(sys.executable).parent
TEAM_BINDING = "from reference_impl.binding import QTS_IMPLEMENTATION as QTS_IMPLEMENTATION\n"


def team_repo(root: Path, table: str) -> Path:
    """A src-layout project whose binding (``team.binding``, the reference re-exported)
    is importable only through ``[tool.qts] pythonpath``."""
    (root / "src" / "team").mkdir(parents=True)
    (root / "src" / "team" / "__init__.py").write_text("", encoding="utf-8")
    (root / "src" / "team" / "binding.py").write_text(TEAM_BINDING, encoding="utf-8")
    (root / "pyproject.toml").write_text(table, encoding="utf-8")
    return root


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("QTS_IMPL", "PYTHONPATH", "PYTEST_ADDOPTS")}


@given(st.text(min_size=1).filter(lambda key: key not in KNOWN))
def test_any_unknown_key_is_refused_by_name(key: str) -> None:
    """Property: a key the schema does not know (a typo) is never silently ignored; the
    error names it."""
    with pytest.raises(ConfigError) as refused:
        validate({key: "x"}, SECTION)
    assert repr(key) in str(refused.value) and "unknown key" in str(refused.value)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"profile": "fast"}, "[tool.qts]: profile must be one of ['ci', 'thorough'], got 'fast'"),
        ({"pythonpath": "src"}, "[tool.qts]: pythonpath must be array, got 'src'"),
        ({"pythonpath": ["src", 3]}, "[tool.qts]: pythonpath[1] must be string, got 3"),
        ({"pythonpath": []}, "[tool.qts]: pythonpath must contain at least 1 items"),
        ({"implementation": "team binding"},
         '[tool.qts]: implementation must be a binding, MODULE[:ATTR] such as "your_pkg.qts_binding", got \'team binding\''),
        ({"lock": ""}, "[tool.qts]: lock must be longer than or equal to 1 characters"),
        ({"conformance": []}, "[tool.qts]: conformance must contain at least 1 items"),
        ({"spec-url": "docs/specification.md#top"}, "[tool.qts]: spec-url must be an http(s) URL of the specification page"),
        ({"spec-url": "https://x/a|b"}, "spec-url must be an http(s) URL"),
        ({"spec-url": "https://x/spec)](javascript:alert(1)"}, "spec-url must be an http(s) URL"),
        ({"spec-url": "https:///spec"}, "spec-url must be an http(s) URL"),
    ],
)
def test_a_bad_value_is_refused_with_its_key(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as refused:
        validate(table, SECTION)
    assert message in str(refused.value)


def test_defaults_fill_in_and_the_legacy_table_is_still_read(tmp_path: Path) -> None:
    assert load_config(tmp_path).settings == {"pythonpath": ["src"], "profile": "ci", "lock": "phase4.lock"}
    (tmp_path / "pyproject.toml").write_text('[tool.qts-assets]\npythonpath = ["lib"]\n', encoding="utf-8")
    legacy = load_config(tmp_path)
    assert legacy.section == LEGACY_SECTION and legacy.pythonpath == (tmp_path / "lib",)
    (tmp_path / "pyproject.toml").write_text('[tool.qts]\n[tool.qts-assets]\nlock = "x.lock"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"has both \[tool\.qts\] and \[tool\.qts-assets\]; move the keys"):
        load_config(tmp_path)


def test_every_tool_refuses_a_typo_in_the_table(tmp_path: Path) -> None:
    """qts-conformance, qts-assets, qts-layering and the plugin asked for the suite: exit
    2 (4 for pytest's usage error), one line naming the key, no traceback. (A team run
    that does not ask for the suite never reads the table: the plugin stays inert.)"""
    team_repo(tmp_path, '[tool.qts]\nimplmentation = "team.binding"\n')
    commands = {
        "qts-conformance": [str(BIN / "qts-conformance")],
        "qts-assets": [str(BIN / "qts-assets"), "verify"],
        "qts-layering": [str(BIN / "qts-layering")],
        "pytest": [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--co", "--pyargs", "conformance_tests"],
    }
    for name, command in commands.items():
        done = subprocess.run(command, cwd=tmp_path, env=clean_env(), capture_output=True, text=True, check=False)
        assert done.returncode == (4 if name == "pytest" else 2), (name, done.stdout, done.stderr)
        assert "unknown key 'implmentation'" in done.stderr and "Traceback" not in done.stderr, (name, done.stderr)


@pytest.mark.slow
def test_qts_conformance_with_no_binding_flag_finds_the_teams_binding(tmp_path: Path) -> None:
    """No --impl, no $QTS_IMPL, no PYTHONPATH: the binding and its source root come from
    [tool.qts]. (--clauses only keeps the run short: a partial run exits 1 by design.)"""
    team_repo(tmp_path, '[tool.qts]\nimplementation = "team.binding"\npythonpath = ["src"]\n')
    done = subprocess.run([str(BIN / "qts-conformance"), "--clauses", "LOOP-2"], cwd=tmp_path, env=clean_env(),
                          capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr
    assert "(team.binding)" in done.stdout
    assert " PASS " in next(line for line in done.stdout.splitlines() if line.startswith("LOOP-2 "))


@pytest.mark.parametrize(
    ("pyproject", "named"),
    [
        ('[tool.qts]\nimplementation = "team.binding"\npythonpath = ["src"]\nprofile = "thorough"\n',
         "implementation team.binding, profile thorough"),
        ('[tool.pytest.ini_options]\nqts_impl = "reference_impl.binding"\n\n'
         '[tool.qts]\nimplementation = "team.binding"\n', "implementation reference_impl.binding, profile ci"),
    ],
    ids=["tool-qts", "qts_impl-ini-first"],
)
def test_the_plugin_takes_its_binding_from_qts_impl_then_tool_qts(tmp_path: Path, pyproject: str, named: str) -> None:
    team_repo(tmp_path, pyproject)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--pyargs", "conformance_tests",
         "-k", "test_the_loop_keeps_its_public_interface"],
        cwd=tmp_path, env=clean_env(), capture_output=True, text=True, check=False, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    assert f"qts-conformance: {named}" in done.stdout
    assert "NOT yours" not in done.stdout


def test_a_table_nested_deeper_than_toml_reads_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.qts]\nx = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="nests values deeper than TOML can be read"):
        load_config(tmp_path)


def test_the_spec_url_the_docs_site_gets_is_accepted() -> None:
    assert validate({"spec-url": "https://qts.example:8443/kit/specification/"}, SECTION)["spec-url"].endswith("/specification/")
