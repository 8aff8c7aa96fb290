"""The CI integrations shipped for downstream repositories stay true to the kit: the
pre-commit hooks and the GitHub Actions workflow parse, and every command in them is a
real command with real options, installing what the kit really builds."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from shell_commands import commands, sh_problems

ROOT = Path(__file__).resolve().parents[1]
PROJECT: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
HOOKS: list[dict[str, Any]] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
WORKFLOW: dict[Any, Any] = yaml.safe_load((ROOT / "docs" / "ci" / "qts-conformance.yml").read_text(encoding="utf-8"))
STEPS: list[dict[str, Any]] = [step for job in WORKFLOW["jobs"].values() for step in job["steps"]]


@pytest.mark.parametrize("hook", HOOKS, ids=[h["id"] for h in HOOKS])
def test_each_pre_commit_hook_runs_a_real_command(hook: dict[str, Any]) -> None:
    assert {"id", "name", "entry", "language"} <= hook.keys()
    assert sh_problems(hook["entry"].split()) == []
    extras = [req for extra in PROJECT["optional-dependencies"].values() for req in extra]
    assert set(hook.get("additional_dependencies", [])) <= set(extras), "a hook needs what an extra of the kit declares"
    assert hook["id"] in (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")


def test_the_pre_commit_hooks_cover_the_asset_lock_and_layering() -> None:
    assert {h["entry"].split()[0] for h in HOOKS} == {"qts-assets", "lint-imports"}


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
    assert "qts-conformance --impl" in runs and "--profile thorough" in runs
    assert "qts-assets verify" in runs and "lint-imports" in runs
    python = next(s["with"]["python-version"] for s in STEPS if s.get("uses", "").startswith("actions/setup-python"))
    assert PROJECT["requires-python"].split(",")[0] == f">={python}"  # the floor; the cap is docs/compatibility.md's
