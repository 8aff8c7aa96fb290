"""The asset lock on temporary git repositories: a change without evidence fails verify
naming the symbol; bogus evidence is refused; a real fix with a failing-then-passing test
is accepted; and check-extension refuses what seed section 5 forbids."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from enforcement.assets.cli import main

ASSET = '''\
from enum import StrEnum


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"


def clamp(value: int, high: int) -> int:
    """At most high."""
    return value if value <= high else high + 1
'''

PYPROJECT = '''\
[tool.qts-assets]
pythonpath = ["src"]
assets = ["src/venue/asset.py"]
'''


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    files = {
        "pyproject.toml": PYPROJECT,
        "src/venue/__init__.py": "",
        "src/venue/asset.py": ASSET,
        "tests/test_existing.py": "from venue.asset import clamp\n\ndef test_low():\n    assert clamp(1, 5) == 1\n",
    }
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content, encoding="utf-8")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "phase 4")
    assert main(["--root", str(tmp_path), "lock"]) == 0
    return tmp_path


def edit(project: Path, old: str, new: str) -> None:
    path = project / "src/venue/asset.py"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def add_test(project: Path, body: str) -> str:
    (project / "tests/test_fix.py").write_text(f"from venue.asset import clamp\n\ndef test_fix():\n    {body}\n", encoding="utf-8")
    return "tests/test_fix.py::test_fix"


def test_an_untouched_project_verifies(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(project), "verify"]) == 0
    assert "1 Phase 4 asset(s) match phase4.lock" in capsys.readouterr().out
    lock = json.loads((project / "phase4.lock").read_text(encoding="utf-8"))
    assert lock["assets"]["src/venue/asset.py"]["api"]["clamp"] == "def clamp(value: int, high: int) -> int"


def test_a_signature_change_without_evidence_fails_naming_the_symbol(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, "def clamp(value: int, high: int)", "def clamp(value: int, high: int, low: int = 0)")
    assert main(["--root", str(project), "verify"]) == 1
    err = capsys.readouterr().err
    assert "src/venue/asset.py: clamp changed" in err
    assert "old: def clamp(value: int, high: int) -> int" in err
    assert "new: def clamp(value: int, high: int, low: int = 0) -> int" in err
    assert "qts-assets unlock --test" in err


def test_a_removed_enum_member_is_named(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, '    SELL = "sell"\n', "")
    assert main(["--root", str(project), "verify"]) == 1
    assert "Side.SELL removed (was `SELL = 'sell'`)" in capsys.readouterr().err


def test_a_body_change_is_caught_too(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, "high + 1", "high")
    assert main(["--root", str(project), "verify"]) == 1
    assert "the implementation changed (public API unchanged)" in capsys.readouterr().err


def test_bogus_evidence_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, "high + 1", "high")
    test_id = add_test(project, "assert clamp(1, 5) == 1")  # passes before and after: proves nothing
    assert main(["--root", str(project), "unlock", "--test", test_id]) == 1
    assert "evidence refused: tests/test_fix.py::test_fix passed on the locked version" in capsys.readouterr().err
    assert main(["--root", str(project), "verify"]) == 1


def test_a_real_fix_with_a_failing_then_passing_test_is_accepted(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, "high + 1", "high")
    test_id = add_test(project, "assert clamp(9, 5) == 5")
    assert main(["--root", str(project), "unlock", "--test", test_id]) == 0
    assert "evidence accepted" in capsys.readouterr().out
    assert main(["--root", str(project), "verify"]) == 0
    evidence = json.loads((project / "phase4.lock").read_text(encoding="utf-8"))["evidence"]
    assert [(e["test"], e["on_locked_version"], e["on_new_version"]) for e in evidence] == [(test_id, "failed", "passed")]
    assert subprocess.run(["git", "worktree", "list"], cwd=project, capture_output=True, text=True).stdout.count("\n") == 1


def test_a_second_lock_is_refused_without_a_reason(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(project), "lock"]) == 2
    assert "assets change only through `qts-assets unlock" in capsys.readouterr().err
    assert main(["--root", str(project), "lock", "--rebaseline"]) == 2


def test_unlock_without_a_change_says_so(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(project), "unlock", "--test", "tests/test_existing.py::test_low"]) == 2
    assert "nothing to unlock" in capsys.readouterr().err


# --- check-extension (seed section 5) ----------------------------------------------


@pytest.mark.parametrize(
    ("binding", "breach"),
    [
        ("DELETED_STATE", "STATE-1: Phase 4 state BLOCKED ('blocked') was deleted"),
        ("MISSING_ROW", "STATE-5: Phase 4 transition 'submitted' --reject--> 'rejected' was deleted"),
        ("TERMINAL_EXIT", "STATE-3: terminal state 'accepted' has an exit on 'fail' to 'failed'"),
        ("GATE_INTERFACE_CHANGED", "market: 'object', /) -> 'bool' cannot be called with 2 positional argument(s); Phase 4 calls it as after_response(order, response)"),
        ("LOOP_INTERFACE_CHANGED", "LOOP-9: request_stop(reason: 'str') -> 'None' cannot be called with 0"),
    ],
)
def test_check_extension_refuses_what_phase5_may_not_do(binding: str, breach: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-extension", "--impl", f"broken_impls:{binding}"]) == 1
    assert breach in capsys.readouterr().err


@pytest.mark.parametrize("target", ["reference_impl.binding", "broken_impls:GOOD_EXTENSION"])
def test_check_extension_accepts_a_correct_implementation(target: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-extension", "--impl", target]) == 0
    assert "keeps every Phase 4 state, transition and interface" in capsys.readouterr().out
