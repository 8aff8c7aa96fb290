"""The shipped pre-commit configuration works as pasted, run for real by the ``pre-commit``
tool in a scratch src-layout repository made from the templates alone: the kit is a local
git repository carrying the release tag the template pins, the team's repository is a copy
of examples/acme_desk (the seed's layout) with the template as its .pre-commit-config.yaml,
and nobody exports PYTHONPATH. The hooks pass, run when only .importlinter changes, and
fail on a planted runtime import of a broker module.

Cost: pre-commit installs one hook environment (the kit and its hook dependencies, from
the package index), about 20-40 s; everything after that reuses it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run

TEMPLATE = ROOT / "docs" / "ci" / "pre-commit-config.yaml"
WORKFLOW = ROOT / "docs" / "ci" / "qts-conformance.yml"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
BIN = Path(sys.executable).parent
IDENTITY = {"GIT_AUTHOR_NAME": "dev", "GIT_AUTHOR_EMAIL": "dev@example.com",
            "GIT_COMMITTER_NAME": "dev", "GIT_COMMITTER_EMAIL": "dev@example.com"}


def git(cwd: Path, *args: str) -> None:
    done = subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **IDENTITY}, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr


def kit_release(at: Path) -> Path:
    """The kit as its repository would be at the release: this working tree's files (the
    ones git tracks or would track), committed and tagged as the template pins."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True,
                           check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (at / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, at / name)
    git(at, "init", "-q")
    git(at, "add", "-A")
    git(at, "commit", "-q", "-m", "release")
    git(at, "tag", f"v{VERSION}")
    return at


def pre_commit(team: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "QTS_IMPL")}
    return run([str(BIN / "pre-commit"), "run", "--color", "never", *args], cwd=team,
               env={**env, **IDENTITY, "PRE_COMMIT_HOME": str(home)})


@pytest.mark.slow
def test_the_templates_as_pasted_pass_then_the_hooks_catch_a_broker_import(tmp_path: Path) -> None:
    kit = kit_release(tmp_path / "kit")
    team = tmp_path / "team"
    shutil.copytree(ROOT / "examples" / "acme_desk", team, ignore=shutil.ignore_patterns("__pycache__", "phase4.lock"))
    pasted = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    pasted["repos"][0]["repo"] = str(kit)  # "where your team keeps the kit": the only edit the template asks for
    (team / ".pre-commit-config.yaml").write_text(yaml.safe_dump(pasted), encoding="utf-8")
    (team / ".github" / "workflows").mkdir(parents=True)
    shutil.copy2(WORKFLOW, team / ".github" / "workflows" / "qts-conformance.yml")
    lint = run([str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                ".github/workflows/qts-conformance.yml"], cwd=team)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    git(team, "init", "-q")
    git(team, "add", "-A")
    git(team, "commit", "-q", "-m", "the desk")
    locked = run([str(BIN / "qts-assets"), "lock"], cwd=team, env={**os.environ, **IDENTITY})
    assert locked.returncode == 0, locked.stderr
    git(team, "add", "-A")
    git(team, "commit", "-q", "-m", "lock the Phase 4 assets")

    clean = pre_commit(team, tmp_path / "pre-commit", "--all-files")
    assert clean.returncode == 0, clean.stdout[-3000:] + clean.stderr[-3000:]
    assert "Phase 4 asset lock (qts-assets verify)" in clean.stdout and "Layering contracts" in clean.stdout

    contracts_only = pre_commit(team, tmp_path / "pre-commit", "--files", ".importlinter")
    layering = next(line for line in contracts_only.stdout.splitlines() if line.startswith("Layering contracts"))
    assert layering.endswith("Passed"), contracts_only.stdout  # not "(no files to check)Skipped"

    (team / "src" / "runtime" / "execution_loop" / "venue_link.py").write_text("import broker.paper_venue\n",
                                                                                 encoding="utf-8")
    git(team, "add", "-A")
    planted = pre_commit(team, tmp_path / "pre-commit", "--all-files")
    assert planted.returncode == 1, planted.stdout[-3000:]
    assert "- hook id: qts-layering" in planted.stdout
    assert "runtime.execution_loop.venue_link -> broker.paper_venue" in planted.stdout
