"""A team's own top-level ``spec`` package shadows the kit's: every entry point that
asks for the suite stops with one sentence naming the shadowing package and the remedy,
not a traceback. (A team's pytest run that does not ask for the suite is not touched:
tests/test_plugin.py.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


@pytest.mark.parametrize("shadow", ["spec/__init__.py", "spec.py"])
@pytest.mark.parametrize("command", [
    [str(BIN / "qts-conformance"), "--impl", "reference"],
    [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--pyargs", "conformance_tests", "--qts-impl=reference"],
])
def test_a_local_spec_package_is_named_in_one_line(tmp_path: Path, shadow: str, command: list[str]) -> None:
    (tmp_path / shadow).parent.mkdir(exist_ok=True)
    (tmp_path / shadow).write_text("", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode != 0
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert len(lines) == 1, lines
    assert str(tmp_path / shadow.split("/")[0]) in lines[0] and "shadows" in lines[0] and "rename" in lines[0]
