"""The CI integrations shipped for downstream repositories stay true to the kit: the
pre-commit hooks and the GitHub Actions workflow parse, the workflow passes a workflow
linter (check-jsonschema's vendored GitHub workflow schema: no network), every command in
them is a real command with real options, installing what the kit really builds, and both
templates pin the release tag ``--version`` prints. tests/test_ci_templates.py runs the
pre-commit template for real."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from shell_commands import commands, sh_problems

ROOT = Path(__file__).resolve().parents[1]
PROJECT: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
HOOKS: list[dict[str, Any]] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
WORKFLOW_FILE = ROOT / "docs" / "ci" / "qts-conformance.yml"
WORKFLOW: dict[Any, Any] = yaml.safe_load(WORKFLOW_FILE.read_text(encoding="utf-8"))
PRE_COMMIT: dict[str, Any] = yaml.safe_load((ROOT / "docs" / "ci" / "pre-commit-config.yaml").read_text(encoding="utf-8"))
BIN = Path(sys.executable).parent
STEPS: list[dict[str, Any]] = [step for job in WORKFLOW["jobs"].values() for step in job["steps"]]


@pytest.mark.parametrize("hook", HOOKS, ids=[h["id"] for h in HOOKS])
def test_each_pre_commit_hook_runs_a_real_command(hook: dict[str, Any]) -> None:
    assert {"id", "name", "entry", "language"} <= hook.keys()
    assert sh_problems(hook["entry"].split()) == []
    extras = [req for extra in PROJECT["optional-dependencies"].values() for req in extra]
    assert set(hook.get("additional_dependencies", [])) <= set(extras), "a hook needs what an extra of the kit declares"
    assert hook["id"] in (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")


def test_the_pre_commit_hooks_cover_the_asset_lock_and_layering() -> None:
    assert {h["entry"].split()[0] for h in HOOKS} == {"qts-assets", "qts-layering"}
    assert {h["id"] for h in PRE_COMMIT["repos"][0]["hooks"]} == {h["id"] for h in HOOKS}


def test_the_hooks_share_one_environment() -> None:
    """pre-commit installs one environment per distinct dependency list: one, not two."""
    assert len({tuple(h.get("additional_dependencies", [])) for h in HOOKS}) == 1


def test_the_workflow_passes_the_workflow_linter() -> None:
    lint = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                           str(WORKFLOW_FILE)], capture_output=True, text=True, check=False, timeout=120)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_the_workflow_checks_out_the_whole_history() -> None:
    """The asset lock is checked against git history: a shallow clone makes verify exit 2."""
    own = next(s for s in STEPS if s.get("uses", "").startswith("actions/checkout") and "repository" not in s.get("with", {}))
    assert own["with"]["fetch-depth"] == 0


def test_both_templates_pin_the_release_tag_version_prints() -> None:
    tag = f"v{PROJECT['version']}"
    kit = next(s for s in STEPS if s.get("with", {}).get("path") == ".qts-phase4-kit")
    assert kit["with"]["ref"] == tag
    assert PRE_COMMIT["repos"][0]["rev"] == tag
    for command in ("qts-conformance", "qts-assets"):
        printed = subprocess.run([str(BIN / command), "--version"], capture_output=True, text=True, check=True).stdout
        assert printed.strip().endswith(f"release tag {tag}"), printed


@pytest.mark.parametrize("run", [s["run"] for s in STEPS if "run" in s])
def test_each_workflow_command_is_real(run: str) -> None:
    problems = [f"{' '.join(c)}: {p}" for c in commands(run) for p in sh_problems(c)]
    assert not problems, problems


def test_the_workflow_installs_the_wheel_the_kit_builds() -> None:
    install = next(s["run"] for s in STEPS if "pip install" in s.get("run", ""))
    wheel = re.search(r"qts_phase4_kit-(?P<version>[^-]+)-py3-none-any\.whl\[(?P<extras>[^\]]+)\]", install)
    assert wheel is not None, install
    assert wheel["version"] == PROJECT["version"]
    assert set(wheel["extras"].split(",")) <= set(PROJECT["optional-dependencies"])


def test_the_workflow_runs_the_suite_on_every_push_and_thorough_nightly() -> None:
    triggers: dict[str, Any] = WORKFLOW[True]  # YAML 1.1 reads the key `on` as True
    assert {"push", "pull_request", "schedule"} <= set(triggers)
    runs = " ".join(s.get("run", "") for s in STEPS)
    assert "qts-conformance --report" in runs and "--profile thorough" in runs  # the binding: [tool.qts]
    assert "qts-assets verify" in runs and "qts-layering" in runs
    python = next(s["with"]["python-version"] for s in STEPS if s.get("uses", "").startswith("actions/setup-python"))
    assert PROJECT["requires-python"].split(",")[0] == f">={python}"  # the floor; the cap is docs/compatibility.md's
