"""Fixtures shared by the tests that use the kit as a downstream team gets it."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UV = ROOT / ".tools" / "bin" / "uv"


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=900)


@pytest.fixture(scope="session")
def installed_kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the built wheel with its layering and assets extras, and the
    type checkers a downstream CI runs (at the versions this kit is developed with)."""
    if not UV.exists():
        pytest.fail("run ./scripts/bootstrap first: it provides the pinned uv this test builds with")
    work = tmp_path_factory.mktemp("installed-kit")
    built = run([str(UV), "build", "--wheel", "--out-dir", str(work / "dist"), str(ROOT)], cwd=work)
    assert built.returncode == 0, built.stderr
    wheel = next((work / "dist").glob("qts_phase4_kit-*.whl"))
    venv = work / "venv"
    assert run([str(UV), "venv", "--python", sys.executable, str(venv)], cwd=work).returncode == 0
    tools = [f"mypy=={version('mypy')}", f"pyright[nodejs]=={version('pyright')}"]
    install = run(
        [str(UV), "pip", "install", "--compile-bytecode", "--python", str(venv / "bin" / "python"),
         f"{wheel}[layering,assets]", *tools],
        cwd=work,
    )
    assert install.returncode == 0, install.stderr
    return venv
