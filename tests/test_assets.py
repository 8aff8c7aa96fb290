"""The asset lock on temporary git repositories (seed section 4): every bypass found from
outside (issue 12) fails verify or unlock with one clear sentence, and a genuine fix with
a committed failing-then-passing test is still accepted end to end."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from enforcement.assets.cli import main
from enforcement.assets.config import Config

ASSET = '''\
from collections.abc import Callable
from enum import StrEnum


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"


def clamp(value: int, high: int) -> int:
    """At most high."""
    return value if value <= high else high + 1


def route(intents: list[str], send: Callable[[str], None]) -> None:
    for intent in intents:
        send(intent)
'''

PYPROJECT = '''\
[tool.qts-assets]
pythonpath = ["src"]
assets = ["src/venue/asset.py", "tests/runtime/test_phase4.py"]
conformance = ["{python}", "-m", "pytest", "contract", "-q", "-p", "no:cacheprovider"]
'''

PHASE4_TEST = "from venue.asset import clamp\n\n\ndef test_low() -> None:\n    assert clamp(1, 5) == 1\n"
CONTRACT = '''\
from venue.asset import route


def test_each_intent_is_routed_once() -> None:
    calls: list[str] = []
    route(["a", "b"], calls.append)
    assert calls == ["a", "b"]
'''


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=root, check=True,
                          capture_output=True, text=True).stdout


def write(root: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content, encoding="utf-8")


def commit(root: Path, message: str = "change") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def qts(project: Path, *args: str) -> int:
    return main(["--root", str(project), *args])


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # The evidence runs' pytest needs no plugin in these projects; skipping the installed
    # ones (hypothesis, the suite's own plugin) keeps each run well under a second.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    write(tmp_path, {"pyproject.toml": PYPROJECT, "src/venue/__init__.py": "", "src/venue/asset.py": ASSET,
                     "tests/runtime/test_phase4.py": PHASE4_TEST, "contract/test_contract.py": CONTRACT})
    git(tmp_path, "init", "-q")
    git(tmp_path, "config", "user.name", "dev")
    git(tmp_path, "config", "user.email", "dev@example.com")
    commit(tmp_path, "phase 4")
    assert qts(tmp_path, "lock") == 0
    commit(tmp_path, "lock")
    return tmp_path


def edit(project: Path, old: str, new: str, path: str = "src/venue/asset.py") -> None:
    file = project / path
    assert old in file.read_text(encoding="utf-8")
    file.write_text(file.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def lock_data(project: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project / "phase4.lock").read_text(encoding="utf-8"))
    return data


def sha_of(project: Path, path: str) -> str:
    import hashlib

    return hashlib.sha256((project / path).read_bytes()).hexdigest()


def set_locked_sha(project: Path, path: str, sha: str) -> None:
    """What a shortcut does: edit the lock by hand."""
    text = (project / "phase4.lock").read_text(encoding="utf-8")
    data = json.loads(text)
    text = text.replace(data["assets"][path]["sha256"], sha)
    (project / "phase4.lock").write_text(text, encoding="utf-8")


def add_test(project: Path, body: str, name: str = "test_fix", header: str = "from venue.asset import clamp, route\n") -> str:
    write(project, {f"tests/{name}.py": f"{header}\n\ndef {name}() -> None:\n    {body}\n"})
    return f"tests/{name}.py::{name}"


FIX = ("high + 1", "high")


# --- the lock and verify ------------------------------------------------------------------


def test_an_untouched_project_verifies(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert qts(project, "verify") == 0
    assert "3 locked file(s) match phase4.lock; its 1 record(s) check out against git history" in capsys.readouterr().out
    lock = lock_data(project)
    assets = lock["assets"]
    assert assets["src/venue/asset.py"]["api"]["clamp"] == "def clamp(value: int, high: int) -> int"
    assert assets["src/venue/__init__.py"]["locked_because"] == "package of src/venue/asset.py"
    assert "tests/runtime/test_phase4.py" in assets


def test_a_signature_change_without_evidence_fails_naming_the_symbol(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, "def clamp(value: int, high: int)", "def clamp(value: int, high: int, low: int = 0)")
    assert qts(project, "verify") == 1
    err = capsys.readouterr().err
    assert "src/venue/asset.py: clamp changed" in err
    assert "new: def clamp(value: int, high: int, low: int = 0) -> int" in err
    assert "qts-assets unlock --test" in err


def test_a_removed_enum_member_and_a_body_change_are_named(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, '    SELL = "sell"\n', "")
    edit(project, "high + 1", "high")
    assert qts(project, "verify") == 1
    err = capsys.readouterr().err
    assert "Side.SELL removed (was `SELL = 'sell'`)" in err


# --- bypasses of the lock (issue 12) -----------------------------------------------------


def test_a_hand_edited_hash_fails_verify(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, *FIX)
    set_locked_sha(project, "src/venue/asset.py", sha_of(project, "src/venue/asset.py"))
    assert qts(project, "verify") == 1
    assert "changes the lock entry of src/venue/asset.py with no evidence, tidy or rebaseline record" in capsys.readouterr().err
    commit(project, "sneak it in")
    assert qts(project, "verify") == 1
    assert "phase4.lock in commit" in capsys.readouterr().err


def test_a_hand_edited_hash_in_an_earlier_commit_is_found_in_history(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    set_locked_sha(project, "src/venue/asset.py", "0" * 64)
    commit(project, "lock edited by hand")
    git(project, "checkout", "-q", "HEAD~1", "--", "phase4.lock")
    commit(project, "and put back")
    assert qts(project, "verify") == 1
    assert "records a hash for src/venue/asset.py that src/venue/asset.py in that commit does not have" in capsys.readouterr().err


def test_the_api_surface_is_compared_even_when_the_hash_matches(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, "def route(", "def clamp_all(values: list[int]) -> list[int]:\n    return values\n\n\ndef route(")
    set_locked_sha(project, "src/venue/asset.py", sha_of(project, "src/venue/asset.py"))
    assert qts(project, "verify") == 1
    assert "src/venue/asset.py: clamp_all added (`def clamp_all(values: list[int]) -> list[int]`)" in capsys.readouterr().err


def test_deleting_the_lock_and_locking_again_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "phase4.lock").unlink()
    assert qts(project, "verify") == 2
    assert "phase4.lock is missing but git holds a lock (phase4.lock at" in capsys.readouterr().err
    edit(project, *FIX)
    commit(project, "drop the lock and fix")
    assert qts(project, "lock") == 2
    assert "git holds a lock (phase4.lock at" in capsys.readouterr().err


def fresh_lock(project: Path, name: str) -> None:
    """What a shortcut does when the tool refuses: write a new lock with the library itself."""
    from enforcement.assets.lock import Lock
    from enforcement.assets.scope import current, scope

    config = Config.load(project)
    Lock(current(config, scope(config)), [{"kind": "lock", "commit": "x", "by": "me", "recorded": "now"}]).dump(project / name)


def test_a_recreated_lock_fails_verify(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "phase4.lock").unlink()
    edit(project, *FIX)
    commit(project, "drop the lock and fix")
    fresh_lock(project, "phase4.lock")
    commit(project, "a new lock")
    assert qts(project, "verify") == 1
    assert "starts a new lock although git holds an earlier one" in capsys.readouterr().err


def test_a_redirected_lock_fails_verify(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, 'pythonpath = ["src"]', 'lock = "phase4-v2.lock"\npythonpath = ["src"]', "pyproject.toml")
    edit(project, *FIX)
    commit(project, "fix")
    assert qts(project, "lock") == 2
    assert "git holds a lock (phase4.lock at" in capsys.readouterr().err
    fresh_lock(project, "phase4-v2.lock")
    assert qts(project, "verify") == 1
    assert "phase4-v2.lock in the working tree starts a new lock although git holds an earlier one (phase4.lock" in capsys.readouterr().err


def test_dropping_an_asset_from_pyproject_and_the_lock_fails_verify(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, '"src/venue/asset.py", ', "", "pyproject.toml")
    assert qts(project, "verify") == 1
    assert "src/venue/asset.py is locked but no longer in scope" in capsys.readouterr().err
    data = lock_data(project)
    assets = data["assets"]
    del assets["src/venue/asset.py"], assets["src/venue/__init__.py"]
    (project / "phase4.lock").write_text(json.dumps(data, indent=2), encoding="utf-8")
    assert qts(project, "verify") == 1
    assert "drops the lock entry of src/venue/asset.py with no evidence" in capsys.readouterr().err


def test_a_rebaseline_is_reported_until_a_reviewer_acknowledges_it(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, *FIX)
    commit(project, "new phase")
    assert qts(project, "lock", "--rebaseline", "--reason", "Phase 6 baseline") == 0
    assert qts(project, "acknowledge", "1") == 2
    assert "rebaseline #1 is not committed yet" in capsys.readouterr().err
    commit(project, "rebaseline")
    assert qts(project, "verify") == 0
    out = capsys.readouterr().out
    assert "NOT YET ACKNOWLEDGED #1 rebaseline at" in out and "by dev <dev@example.com>" in out and "Phase 6 baseline" in out
    git(project, "config", "user.name", "reviewer")
    assert qts(project, "acknowledge", "1") == 0
    commit(project, "acknowledged")
    capsys.readouterr()
    assert qts(project, "verify") == 0
    assert "NOT YET ACKNOWLEDGED" not in capsys.readouterr().out


def test_a_rebaseline_acknowledged_in_its_own_commit_fails(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, *FIX)
    commit(project, "new phase")
    assert qts(project, "lock", "--rebaseline", "--reason", "Phase 6 baseline") == 0
    data = lock_data(project)
    data["history"].append({"kind": "acknowledge", "rebaseline": 1, "by": "me", "recorded": "now"})
    (project / "phase4.lock").write_text(json.dumps(data, indent=2), encoding="utf-8")
    commit(project, "rebaseline, acknowledged by its author")
    assert qts(project, "verify") == 1
    assert "acknowledges record 1, which is not a rebaseline committed before it" in capsys.readouterr().err


def test_a_package_init_that_patches_the_asset_is_locked_with_it(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {"src/venue/__init__.py": "from venue import asset\nasset.clamp = lambda value, high: value\n"})
    assert qts(project, "verify") == 1
    assert "src/venue/__init__.py: the implementation changed" in capsys.readouterr().err


def test_a_module_the_assets_import_must_be_locked_or_declared(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {"src/venue/helpers.py": "LIMIT = 1\n"})
    edit(project, "from enum import StrEnum\n", "from enum import StrEnum\n\nfrom venue import helpers\n")
    set_locked_sha(project, "src/venue/asset.py", sha_of(project, "src/venue/asset.py"))
    assert qts(project, "verify") == 1
    assert "src/venue/helpers.py is not locked but imported by src/venue/asset.py" in capsys.readouterr().err
    edit(project, 'conformance =', 'unlocked = ["src/venue/helpers.py"]\nconformance =', "pyproject.toml")
    assert qts(project, "verify") == 1
    assert "deliberately not locked ([tool.qts-assets] unlocked): src/venue/helpers.py" in capsys.readouterr().out


def test_a_module_beside_the_assets_that_nothing_imports_is_reported(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {"src/venue/patch.py": "from venue import asset\nasset.clamp = min\n"})
    assert qts(project, "verify") == 0
    assert "in the asset packages, neither locked nor run with the assets: src/venue/patch.py" in capsys.readouterr().out


def test_type_checking_imports_do_not_widen_the_scope(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from enforcement.assets.scope import scope

    write(project, {"src/venue/typing_only.py": "X = 1\n"})
    edit(project, "from enum import StrEnum\n", "from enum import StrEnum\nfrom typing import TYPE_CHECKING\n\n"
                                                "if TYPE_CHECKING:\n    from venue import typing_only\n")
    assert "src/venue/typing_only.py" not in scope(Config.load(project))


# --- evidence (issue 12) -----------------------------------------------------------------


def test_a_genuine_fix_with_a_committed_failing_test_is_accepted_end_to_end(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, *FIX)
    test_id = add_test(project, "assert clamp(9, 5) == 5")
    commit(project, "fix clamp, with its test")
    assert qts(project, "unlock", "--test", str(project / test_id)) == 0
    assert "evidence accepted: tests/test_fix.py::test_fix fails on" in capsys.readouterr().out
    commit(project, "accept the fix")
    assert qts(project, "verify", "--replay") == 0
    out = capsys.readouterr().out
    assert "replayed tests/test_fix.py::test_fix: fails on" in out
    history = lock_data(project)["history"]
    assert history[-1]["kind"] == "evidence" and history[-1]["on_locked_version"] == "failed"
    assert "qts-assets-" not in git(project, "worktree", "list")


def test_an_uncommitted_test_is_not_evidence(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, *FIX)
    commit(project, "fix")
    test_id = add_test(project, "assert clamp(9, 5) == 5")
    assert qts(project, "unlock", "--test", test_id) == 2
    assert "commit the change and its test first (tests/test_fix.py differ from HEAD or are untracked)" in capsys.readouterr().err


def test_a_test_failing_only_on_an_untracked_helper_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, *FIX)
    test_id = add_test(project, "assert clamp(9, 5) == 5", header="from venue.asset import clamp\nfrom helper import ANSWER")
    commit(project, "fix")
    write(project, {"tests/helper.py": "ANSWER = 1\n"})  # untracked: exists only in the developer's tree
    assert qts(project, "unlock", "--test", test_id) == 1
    assert "a setup or collection error is not evidence" in capsys.readouterr().err


def test_an_import_error_in_the_test_body_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, *FIX)
    test_id = add_test(project, "from venue.asset import clamp_fixed\n    assert clamp_fixed(9, 5) == 5")
    commit(project, "fix")
    assert qts(project, "unlock", "--test", test_id) == 1
    assert "an import error is not evidence" in capsys.readouterr().err


def test_a_fixture_from_an_uncommitted_conftest_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, *FIX)
    write(project, {"tests/fix/test_fix.py": "from venue.asset import clamp\n\n\ndef test_fix(big: int) -> None:\n"
                                             "    assert clamp(big, 5) == 5\n"})
    commit(project, "fix")
    write(project, {"tests/fix/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef big() -> int:\n    return 9\n"})
    assert qts(project, "unlock", "--test", "tests/fix/test_fix.py::test_fix") == 1
    err = capsys.readouterr().err
    assert "on the locked version" in err and "a setup or collection error is not evidence" in err


def test_a_test_asserting_the_regression_is_refused_by_the_conformance_suite(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, "        send(intent)\n", "        send(intent)\n        send(intent)\n")
    test_id = add_test(project, 'calls: list[str] = []\n    route(["x"], calls.append)\n    assert calls == ["x", "x"]')
    commit(project, "duplicate routing")
    assert qts(project, "unlock", "--test", test_id) == 1
    assert "evidence refused: the conformance suite" in capsys.readouterr().err
    assert qts(project, "verify") == 1


def test_a_fix_that_breaks_a_phase4_test_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, "return value if value <= high else high + 1", "return min(value, high) if value > 1 else 0")
    test_id = add_test(project, "assert clamp(9, 5) == 5")
    commit(project, "a fix that breaks clamp(1, 5)")
    assert qts(project, "unlock", "--test", test_id) == 1
    assert "evidence refused: the Phase 4 tests (tests/runtime/test_phase4.py) failed on the new version" in capsys.readouterr().err


def test_a_test_that_passes_on_both_versions_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, *FIX)
    test_id = add_test(project, "assert clamp(1, 5) == 1")
    commit(project, "fix")
    assert qts(project, "unlock", "--test", test_id) == 1
    assert "evidence refused: tests/test_fix.py::test_fix passed on the locked version" in capsys.readouterr().err


def test_a_forged_evidence_record_fails_replay(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, *FIX)
    test_id = add_test(project, "assert clamp(1, 5) == 1")
    commit(project, "fix")
    locked = git(project, "log", "-1", "--format=%H", "--", "phase4.lock").strip()
    data = lock_data(project)
    assets, history = data["assets"], data["history"]
    assets["src/venue/asset.py"]["sha256"] = sha_of(project, "src/venue/asset.py")
    history.append({"kind": "evidence", "test": test_id, "assets": ["src/venue/asset.py"], "locked_version": locked,
                    "new_version": git(project, "rev-parse", "HEAD").strip(), "by": "me", "recorded": "now"})
    (project / "phase4.lock").write_text(json.dumps(data, indent=2), encoding="utf-8")
    commit(project, "forged")
    assert qts(project, "verify", "--replay") == 1
    assert "replay of tests/test_fix.py::test_fix: passed on the locked version" in capsys.readouterr().err


# --- tidy-ups ------------------------------------------------------------------------------


def test_a_comment_docstring_or_annotation_change_is_a_recorded_tidy_up(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, '"""At most high."""', '"""At most high (seed 4)."""  # a comment')
    edit(project, "    for intent in intents:", "    intent: str\n    for intent in intents:")
    assert qts(project, "tidy", "--reason", "clarify clamp's docstring") == 0
    commit(project, "tidy")
    capsys.readouterr()
    assert qts(project, "verify") == 0
    assert "recorded #1 tidy-up of src/venue/asset.py by dev <dev@example.com>: clarify clamp's docstring" in capsys.readouterr().out


def test_a_new_reexport_in_a_package_init_is_a_tidy_up_but_a_patch_is_not(project: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {"src/venue/__init__.py": "from venue.asset import Side\n\n__all__ = [\"Side\"]\n"})
    assert qts(project, "tidy", "--reason", "re-export Side") == 0
    commit(project, "re-export")
    assert qts(project, "verify") == 0
    write(project, {"src/venue/__init__.py": "from venue.asset import Side\n\n__all__ = [\"Side\"]\nSide.BUY = Side.SELL\n"})
    assert qts(project, "tidy", "--reason", "just a re-export") == 1
    assert "src/venue/__init__.py changes code" in capsys.readouterr().err


def test_a_behaviour_change_is_not_a_tidy_up(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, *FIX)
    assert qts(project, "tidy", "--reason", "just a tidy-up") == 1
    assert "src/venue/asset.py changes code, not only comments, docstrings or annotations" in capsys.readouterr().err


# --- rough edges: one sentence, never a traceback ----------------------------------------


def test_an_asset_with_a_syntax_error_is_one_sentence(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, "def clamp(value: int, high: int) -> int:", "def clamp(value: int, high: int) -> int")
    assert qts(project, "verify") == 2
    assert "src/venue/asset.py has a syntax error at line 10" in capsys.readouterr().err


def test_an_asset_outside_the_pythonpath_is_one_sentence(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, '"src/venue/asset.py"', '"lib/venue/other.py"', "pyproject.toml")
    assert qts(project, "verify") == 2
    assert "asset lib/venue/other.py is not under any [tool.qts-assets] pythonpath entry (src)" in capsys.readouterr().err


def test_a_test_outside_the_project_is_one_sentence(project: Path, tmp_path_factory: pytest.TempPathFactory,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, *FIX)
    commit(project, "fix")
    outside = tmp_path_factory.mktemp("elsewhere") / "test_x.py"
    outside.write_text("def test_x() -> None:\n    pass\n", encoding="utf-8")
    assert qts(project, "unlock", "--test", f"{outside}::test_x") == 2
    assert "is outside the project" in capsys.readouterr().err


def test_several_pythonpath_entries_are_allowed(project: Path) -> None:
    write(project, {"lib/tools/__init__.py": "", "lib/tools/calc.py": "def double(x: int) -> int:\n    return 2 * x\n"})
    edit(project, 'pythonpath = ["src"]', 'pythonpath = ["src", "lib"]', "pyproject.toml")
    edit(project, '"src/venue/asset.py", ', '"src/venue/asset.py", "lib/tools/calc.py", ', "pyproject.toml")
    commit(project, "a second source root")
    assert qts(project, "lock") == 0
    commit(project, "lock it")
    assert qts(project, "verify") == 0


def test_a_missing_assets_extra_is_one_sentence(project: Path) -> None:
    code = "import sys; sys.modules['griffe'] = None; from enforcement.assets.cli import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run([sys.executable, "-c", code, "--root", str(project), "verify"], capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert done.stderr.strip() == 'qts-assets: qts-assets needs the [assets] extra (griffe): pip install "qts-phase4-kit[assets]"'


def test_the_seed_test_assets_are_locked_by_default(tmp_path: Path) -> None:
    config = Config.load(tmp_path)
    assert config.phase4_tests == ("tests/runtime/execution_state/test_phase4_order_state_transition.py",
                                   "tests/runtime/execution_loop/test_phase4_execution_loop_integration.py")


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


def test_check_extension_finds_the_binding_on_the_configured_pythonpath(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))
    write(tmp_path, {"src/issue12_binding.py": "from reference_impl.binding import QTS_IMPLEMENTATION as QTS_IMPLEMENTATION\n"})
    assert main(["--root", str(tmp_path), "check-extension", "--impl", "issue12_binding"]) == 0
    assert "keeps every Phase 4 state" in capsys.readouterr().out


# --- history across formats and merges ----------------------------------------------


def test_a_format_1_history_with_old_evidence_records_checks_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A lock written by the kit's first release (format 1) and its evidence records are understood."""
    from enforcement.assets.scope import current, scope

    write(tmp_path, {"pyproject.toml": PYPROJECT, "src/venue/__init__.py": "", "src/venue/asset.py": ASSET,
                     "tests/runtime/test_phase4.py": PHASE4_TEST, "contract/test_contract.py": CONTRACT})
    git(tmp_path, "init", "-q")
    commit(tmp_path, "phase 4")
    config = Config.load(tmp_path)

    def format_1(evidence: list[dict[str, str]]) -> None:
        entries = current(config, scope(config))
        data = {"format": 1, "about": "Phase 4 asset lock (seed section 4). Change an asset only with unlock.",
                "base_commit": "x", "assets": {p: {"sha256": e.sha256, "api": e.api} for p, e in entries.items()},
                "evidence": evidence}
        (tmp_path / "phase4.lock").write_text(json.dumps(data, indent=2), encoding="utf-8")

    format_1([])
    commit(tmp_path, "lock, format 1")
    locked = git(tmp_path, "rev-parse", "HEAD").strip()
    edit(tmp_path, *FIX)
    test_id = add_test(tmp_path, "assert clamp(9, 5) == 5")
    format_1([{"test": test_id, "assets": "src/venue/asset.py", "locked_version": locked,
               "on_locked_version": "failed", "on_new_version": "passed", "recorded": "then"}])
    commit(tmp_path, "fix with evidence, format 1")
    assert qts(tmp_path, "verify") == 0
    assert "its 1 record(s) check out against git history" in capsys.readouterr().out


def merge_with_conflicting_locks(project: Path) -> None:
    """Branch ``tidy`` records a tidy-up; the main line locks a new asset meanwhile."""
    git(project, "checkout", "-q", "-b", "tidy")
    edit(project, '"""At most high."""', '"""At most ``high``."""')
    assert qts(project, "tidy", "--reason", "docstring markup") == 0
    commit(project, "tidy")
    git(project, "checkout", "-q", "-")
    write(project, {"src/venue/limits.py": "MAX = 5\n"})
    edit(project, '"src/venue/asset.py", ', '"src/venue/asset.py", "src/venue/limits.py", ', "pyproject.toml")
    commit(project, "a new asset")
    assert qts(project, "lock") == 0
    commit(project, "lock it")
    done = subprocess.run(["git", "merge", "-q", "tidy"], cwd=project, capture_output=True, text=True, check=False)
    assert done.returncode != 0, "both sides appended to the lock's history"


def test_a_merge_resolved_with_merge_lock_checks_out(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    merge_with_conflicting_locks(project)
    assert qts(project, "verify") == 2  # a conflicted lock is not JSON: one sentence, not a traceback
    assert "phase4.lock is not a valid asset lock" in capsys.readouterr().err
    assert qts(project, "merge-lock") == 0
    commit(project, "merge")
    assert qts(project, "verify") == 0


def test_a_merge_that_drops_one_sides_records_fails(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    merge_with_conflicting_locks(project)
    git(project, "checkout", "--theirs", "phase4.lock")
    commit(project, "merge, keeping the tidy branch's lock")
    assert qts(project, "verify") == 1
    assert "drops or edits records of" in capsys.readouterr().err


def test_a_later_rebaseline_accepts_a_broken_chain_behind_it(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A rebaseline accepts any change, so a history it stands on has nothing left to
    prove; it is still reported until a reviewer acknowledges it."""
    merge_with_conflicting_locks(project)
    git(project, "checkout", "--theirs", "phase4.lock")
    commit(project, "merge, keeping the tidy branch's lock")
    assert qts(project, "verify") == 1
    capsys.readouterr()
    assert qts(project, "lock", "--rebaseline", "--reason", "the merge above dropped a record") == 0
    commit(project, "rebaseline over the broken merge")
    assert qts(project, "verify") == 0
    assert "NOT YET ACKNOWLEDGED" in capsys.readouterr().out


def test_a_rebaseline_does_not_accept_a_branch_it_never_saw(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(project, "checkout", "-q", "-b", "side")
    set_locked_sha(project, "src/venue/asset.py", "0" * 64)
    commit(project, "lock edited by hand on a side branch")
    git(project, "checkout", "-q", "-")
    assert qts(project, "lock", "--rebaseline", "--reason", "unrelated new baseline") == 0
    commit(project, "rebaseline on the main line")
    git(project, "merge", "-q", "--no-edit", "-s", "ours", "side")
    assert qts(project, "verify") == 1
    assert "records a hash for src/venue/asset.py" in capsys.readouterr().err


def test_a_shallow_clone_is_one_sentence(project: Path, tmp_path_factory: pytest.TempPathFactory,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    clone = tmp_path_factory.mktemp("shallow") / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{project}", str(clone)], check=True, capture_output=True)
    assert qts(clone, "verify") == 2
    assert "this clone is shallow" in capsys.readouterr().err


def test_a_project_in_a_subdirectory_of_its_repository_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """Like examples/acme_desk: git paths and evidence checkouts are relative to the project, not the repository."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    project = tmp_path / "desk"
    write(project, {"pyproject.toml": PYPROJECT, "src/venue/__init__.py": "", "src/venue/asset.py": ASSET,
                    "tests/runtime/test_phase4.py": PHASE4_TEST, "contract/test_contract.py": CONTRACT})
    git(tmp_path, "init", "-q")
    commit(tmp_path, "phase 4")
    assert qts(project, "lock") == 0
    commit(tmp_path, "lock")
    edit(project, *FIX)
    test_id = add_test(project, "assert clamp(1, 5) == 1")
    commit(tmp_path, "fix")
    assert qts(project, "unlock", "--test", test_id) == 1
    assert "evidence refused: tests/test_fix.py::test_fix passed on the locked version" in capsys.readouterr().err
    assert qts(project, "verify") == 1
    assert "src/venue/asset.py: the implementation changed" in capsys.readouterr().err


# --- what the assets really run, not what their import lines say --------------------------


def set_config(project: Path, line: str) -> None:
    edit(project, "conformance =", f"{line}\nconformance =", "pyproject.toml")


def relock(project: Path, reason: str) -> None:
    """Commit the project as it stands and make it the locked baseline."""
    commit(project, reason)
    assert qts(project, "lock", "--rebaseline", "--reason", reason) == 0
    commit(project, f"lock: {reason}")


def test_a_binding_that_wraps_a_locked_function_fails_verify_naming_both(project: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """The hot-fix that avoids unlock: the team's binding (the production entry point) wraps the asset."""
    set_config(project, 'entry = ["venue.binding"]')
    write(project, {"src/venue/binding.py": "from venue import asset\n\n_clamp = asset.clamp\n\n\n"
                                            "def clamp(value: int, high: int) -> int:\n    return min(_clamp(value, high), high)\n\n\n"
                                            "asset.clamp = clamp\n"})
    commit(project, "hot-fix in the binding")
    assert qts(project, "verify") == 1
    err = capsys.readouterr().err
    assert "venue.asset.clamp is not the function the locked source compiles to" in err
    assert "clamp from venue.binding (src/venue/binding.py:6)" in err


def test_the_binding_named_by_the_conformance_command_is_the_default_entry_point(project: Path,
                                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, '"no:cacheprovider"]', '"no:cacheprovider", "--impl", "venue.binding:IMPL"]', "pyproject.toml")
    write(project, {"src/venue/binding.py": "from venue import asset\n\nasset.route = print\nIMPL = None\n"})
    commit(project, "a binding that replaces route")
    assert Config.load(project).entry_modules() == ("venue.binding",)
    assert qts(project, "verify") == 1
    assert "venue.asset.route is not the function the locked source compiles to: it is a builtins." in capsys.readouterr().err


def test_an_unlocked_module_installing_an_import_hook_that_patches_fails_verify(project: Path,
                                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A module in [tool.qts-assets] unlocked may change freely; what it does to a locked module may not."""
    edit(project, "from enum import StrEnum\n", "from enum import StrEnum\n\nfrom venue import helpers\n")
    write(project, {"src/venue/helpers.py": "LIMIT = 1\n"})
    set_config(project, 'unlocked = ["src/venue/helpers.py"]\nentry = ["venue.binding"]')
    write(project, {"src/venue/binding.py": "import venue.asset\n"})
    relock(project, "a helper deliberately unlocked")
    assert qts(project, "verify") == 0
    write(project, {"src/venue/helpers.py": '''\
import sys

LIMIT = 1


class Patcher:
    """Patches the asset as soon as anything else is imported."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        asset = sys.modules.get("venue.asset")
        if asset is not None and hasattr(asset, "clamp"):
            asset.clamp = lambda value, high: min(value, high)
        return None


sys.meta_path.insert(0, Patcher())
'''})
    commit(project, "only an unlocked helper changed")
    assert qts(project, "verify") == 1
    captured = capsys.readouterr()
    assert "venue.asset.clamp is not the function the locked source compiles to: it is Patcher.find_spec.<locals>.<lambda> from venue.helpers (src/venue/helpers.py:12)" in captured.err
    assert "import hooks installed when the assets and the entry point were imported: venue.helpers.Patcher" in captured.out


def test_a_shadow_package_beside_a_locked_module_fails_verify(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``venue/asset/__init__.py`` beside ``venue/asset.py``: Python imports the package."""
    write(project, {"src/venue/asset/__init__.py": ASSET.replace("high + 1", "high")})
    commit(project, "a fixed copy that Python prefers")
    assert qts(project, "verify") == 1
    err = capsys.readouterr().err
    assert "venue.asset is loaded from src/venue/asset/__init__.py, not from the locked src/venue/asset.py" in err
    assert "src/venue/asset/__init__.py is not locked but run with the assets as venue.asset" in err


def test_a_sitecustomize_at_the_source_root_fails_verify(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {"src/sitecustomize.py": "import venue.asset\n\nvenue.asset.clamp = min\n"})
    commit(project, "patch at interpreter start-up")
    assert qts(project, "verify") == 1
    err = capsys.readouterr().err
    assert ("src/sitecustomize.py is not locked but run with the assets as sitecustomize: loaded at interpreter "
            "start-up (site: sitecustomize or a .pth file)") in err
    assert "venue.asset.clamp is not the function the locked source compiles to: it is a builtins." in err


def test_a_module_the_asset_loads_with_importlib_is_locked_with_it(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, "from enum import StrEnum\n", 'import importlib\nfrom enum import StrEnum\n\nhooks = importlib.import_module("venue.hooks")\n')
    write(project, {"src/venue/hooks.py": "RETRIES = 0\n"})
    relock(project, "the asset loads its hooks by name")
    because = lock_data(project)["assets"]["src/venue/hooks.py"]["locked_because"]
    assert because == "run with the assets as venue.hooks: imported by venue.asset (src/venue/asset.py:5)"
    edit(project, "RETRIES = 0", "RETRIES = 1", "src/venue/hooks.py")
    commit(project, "retry once")
    assert qts(project, "verify") == 1
    assert "src/venue/hooks.py: RETRIES changed" in capsys.readouterr().err


def test_a_helper_from_an_undeclared_source_root_fails_verify(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A monorepo's ``libs/`` on the path (an editable install, PYTHONPATH) but not in pythonpath: nothing locks it."""
    monkeypatch.setenv("PYTHONPATH", str(project / "libs"))
    write(project, {"libs/qts_common/retry.py": "ATTEMPTS = 1\n"})
    edit(project, "from enum import StrEnum\n", "from enum import StrEnum\n\nfrom qts_common.retry import ATTEMPTS\n")
    commit(project, "a shared helper from libs")
    assert qts(project, "lock", "--rebaseline", "--reason", "the helper") == 2
    err = capsys.readouterr().err
    assert ("qts_common.retry runs with the assets (imported by venue.asset (src/venue/asset.py:4)) from "
            "libs/qts_common/retry.py, outside every [tool.qts-assets] pythonpath entry") in err


def test_a_helper_from_a_second_declared_source_root_is_locked(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, 'pythonpath = ["src"]', 'pythonpath = ["src", "libs"]', "pyproject.toml")
    write(project, {"libs/qts_common/retry.py": "ATTEMPTS = 1\n"})
    edit(project, "from enum import StrEnum\n", 'from enum import StrEnum\nimport importlib\n\nretry = importlib.import_module("qts_common.retry")\n')
    relock(project, "a shared helper from libs")
    assert "libs/qts_common/retry.py" in lock_data(project)["assets"]
    edit(project, "ATTEMPTS = 1", "ATTEMPTS = 2", "libs/qts_common/retry.py")
    assert qts(project, "verify") == 1
    assert "libs/qts_common/retry.py: ATTEMPTS changed" in capsys.readouterr().err


SNEAKY_GUARD = 'if __import__("types").SimpleNamespace(TYPE_CHECKING=True).TYPE_CHECKING:\n'


def test_a_block_guarded_by_something_else_named_type_checking_is_not_a_tidy_up(project: Path,
                                                                               capsys: pytest.CaptureFixture[str]) -> None:
    ASSET_END = "        send(intent)\n"
    edit(project, ASSET_END, f"{ASSET_END}\n\n{SNEAKY_GUARD}    clamp = min  # noqa\n")
    assert qts(project, "tidy", "--reason", "typing only") == 1
    assert "src/venue/asset.py changes code, not only comments, docstrings or annotations" in capsys.readouterr().err


@pytest.mark.parametrize(("guard", "inert"), [
    ("from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n", True),
    ("import typing as t\n\nif t.TYPE_CHECKING:\n", True),
    ("from typing_extensions import TYPE_CHECKING as TC\n\nif TC:\n", True),
    (SNEAKY_GUARD, False),
    ("TYPE_CHECKING = True\n\nif TYPE_CHECKING:\n", False),
    ("from typing import TYPE_CHECKING\n\nTYPE_CHECKING = True\n\nif TYPE_CHECKING:\n", False),
    ("import types as typing\n\nif typing.TYPE_CHECKING:\n", False),
])
def test_only_typing_type_checking_by_name_resolution_hides_an_import_from_the_scope(project: Path, guard: str,
                                                                                    inert: bool) -> None:
    from enforcement.assets.scope import scope

    write(project, {"src/venue/typing_only.py": "X = 1\n"})
    edit(project, "from enum import StrEnum\n", f"from enum import StrEnum\n{guard}    from venue import typing_only\n")
    assert ("src/venue/typing_only.py" not in scope(Config.load(project))) is inert


def test_lock_refuses_to_add_a_reexported_module_that_patches_the_asset(project: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """"Adding a lock restricts" holds only while what is added does not change what an asset runs."""
    write(project, {"src/venue/__init__.py": "from venue.extra import EXTRA\n\n__all__ = [\"EXTRA\"]\n",
                    "src/venue/extra.py": "from venue import asset\n\n\ndef clamp(value: int, high: int) -> int:\n"
                                          "    return min(value, high)\n\n\nasset.clamp = clamp\nEXTRA = 1\n"})
    commit(project, "re-export a module that patches")
    assert qts(project, "lock") == 2
    err = capsys.readouterr().err
    assert "locking it would accept a change without evidence: venue.asset.clamp is not the function" in err
    assert "it is clamp from venue.extra (src/venue/extra.py:4)" in err
    assert qts(project, "tidy", "--reason", "re-export EXTRA") == 1
    assert "not a tidy-up" in capsys.readouterr().err
    assert qts(project, "verify") == 1


def test_an_orphan_branch_locking_a_changed_asset_fails_against_the_pinned_root_of_trust(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from enforcement.assets.history import first_lock_commit

    root = first_lock_commit(Config.load(project))
    assert root is not None and root == git(project, "rev-parse", "HEAD").strip()
    assert qts(project, "verify", "--root-of-trust", root) == 0
    git(project, "checkout", "-q", "--orphan", "fresh")
    (project / "phase4.lock").unlink()
    edit(project, *FIX)
    commit(project, "a fresh start")
    assert qts(project, "lock") == 0
    commit(project, "lock afresh")
    assert qts(project, "verify") == 0, "without a pinned root the fresh history checks out: nothing contradicts it"
    capsys.readouterr()
    assert qts(project, "verify", "--root-of-trust", root) == 1
    assert f"HEAD does not descend from the pinned root of trust {root[:12]}" in capsys.readouterr().err


def test_the_root_of_trust_is_read_from_the_ci_variable(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("QTS_ASSETS_ROOT_OF_TRUST", git(project, "rev-parse", "HEAD~1").strip())
    assert qts(project, "verify") == 1
    assert "the lock's first commit is" in capsys.readouterr().err


def kit_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A team's project whose asset re-exports the loop of a kit installed outside it (a copy on PYTHONPATH)."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    kit = tmp_path / "site"
    for package in ("spec", "reference_impl"):
        shutil.copytree(Path(__file__).resolve().parents[1] / package, kit / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setenv("PYTHONPATH", str(kit))
    project = tmp_path / "desk"
    write(project, {
        "pyproject.toml": '[tool.qts-assets]\npythonpath = ["src"]\nassets = ["src/runtime/execution_loop/loop.py"]\n',
        "src/runtime/__init__.py": "", "src/runtime/execution_loop/__init__.py": "",
        "src/runtime/execution_loop/loop.py": '"""The loop."""\n\nfrom reference_impl.runtime.execution_loop.loop import '
                                              'ExecutionLoop\n\n__all__ = ["ExecutionLoop"]\n',
    })
    git(project, "init", "-q")
    commit(project, "phase 4")
    assert qts(project, "lock") == 0
    commit(project, "lock")
    return project


def test_a_patched_installed_kit_module_fails_verify_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """A team re-exports the kit's loop; an upgrade (here, a patch) of the installed kit changes what its asset runs."""
    project = kit_project(tmp_path, monkeypatch)
    kit = tmp_path / "site"
    kit_record = lock_data(project)["kit"]
    assert "reference_impl.runtime.execution_loop.loop" in kit_record["modules"] and kit_record["version"]
    assert qts(project, "verify") == 0
    loop = kit / "reference_impl" / "runtime" / "execution_loop" / "loop.py"
    loop.write_text(loop.read_text(encoding="utf-8") + "\nRETRY_ON_TIMEOUT = True\n", encoding="utf-8")
    capsys.readouterr()
    assert qts(project, "verify") == 1
    err = capsys.readouterr().err
    assert f"the installed kit's reference_impl.runtime.execution_loop.loop ({loop.resolve()}" in err
    assert "a kit upgrade changes what the assets run; accept it with `qts-assets lock --rebaseline --reason ...`" in err
    assert qts(project, "lock") == 2
    assert qts(project, "lock", "--rebaseline", "--reason", "kit upgrade reviewed") == 0
    commit(project, "rebaseline for the kit upgrade")
    assert qts(project, "verify") == 0


def test_a_hand_edited_kit_hash_in_the_lock_fails_verify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    test_a_patched_installed_kit_module_fails_verify_naming_it(tmp_path, monkeypatch, capsys)
    project = tmp_path / "desk"
    loop = tmp_path / "site" / "reference_impl" / "runtime" / "execution_loop" / "loop.py"
    loop.write_text(loop.read_text(encoding="utf-8") + "\nRETRY_ON_TIMEOUT = False\n", encoding="utf-8")
    data = lock_data(project)
    data["kit"]["modules"]["reference_impl.runtime.execution_loop.loop"] = sha_of(loop.parent, "loop.py")
    (project / "phase4.lock").write_text(json.dumps(data, indent=2), encoding="utf-8")
    capsys.readouterr()
    assert qts(project, "verify") == 1
    assert "changes the recorded kit module reference_impl.runtime.execution_loop.loop without an add or rebaseline" in capsys.readouterr().err


DECORATED = '''
from __future__ import annotations
import functools
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar, overload, Protocol

T = TypeVar("T")

class E(Enum):
    A = 1
    def label(self) -> str:
        return self.name

@dataclass(frozen=True, slots=True)
class D(Generic[T]):
    x: int
    def __post_init__(self) -> None:
        pass
    @property
    def y(self) -> int:
        return self.x
    @classmethod
    def make(cls) -> "D[T]":
        return cls(1)
    @staticmethod
    def s() -> int:
        return 1
    def __init_subclass__(cls, **kw: object) -> None:
        super().__init_subclass__()
    def __class_getitem__(cls, item: object) -> object:
        return cls

class P(Protocol):
    def f(self) -> int: ...

class C:
    def __new__(cls) -> "C":
        return super().__new__(cls)
    @property
    def v(self) -> int:
        return 1
    @v.setter
    def v(self, value: int) -> None:
        pass
    @functools.cached_property
    def w(self) -> int:
        return 2

@functools.cache
def cached(x: int) -> int:
    return x

@contextmanager
def ctx():
    yield

@overload
def o(x: int) -> int: ...
@overload
def o(x: str) -> str: ...
def o(x: object) -> object:
    return x

try:
    from json import loads as fast
except ImportError:
    def fast(s: str) -> object:
        return s
'''


def test_decorated_and_conditional_definitions_are_not_mistaken_for_patches(project: Path) -> None:
    """Descriptors, wrappers, slotted dataclasses, overloads and an import-or-def fallback are what the source makes."""
    from enforcement.assets.observe import observe

    write(project, {"src/venue/asset.py": DECORATED})
    observed = observe(Config.load(project))
    assert observed.problems == [] and observed.integrity["venue.asset"] == []


def test_evidence_is_refused_when_the_suites_binding_does_not_run_the_changed_asset(project: Path,
                                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """The conformance suite must judge the new behaviour: a binding that never loads the asset judges nothing."""
    set_config(project, 'entry = ["venue.binding"]')
    write(project, {"src/venue/binding.py": "IMPL = None  # runs a copy of the loop kept elsewhere\n"})
    relock(project, "a binding")
    edit(project, *FIX)
    test_id = add_test(project, "assert clamp(9, 5) == 5")
    commit(project, "fix clamp, with its test")
    assert qts(project, "unlock", "--test", test_id) == 1
    assert ("evidence refused: the conformance command's binding (venue.binding) does not load src/venue/asset.py on "
            "the new version") in capsys.readouterr().err
    write(project, {"src/venue/binding.py": "from venue.asset import route as route\n"})
    commit(project, "the binding runs the asset")
    assert qts(project, "unlock", "--test", test_id) == 0


def test_a_root_of_trust_tag_without_a_good_signature_fails_verify(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(project, "tag", "phase4-root")  # a lightweight tag: anyone can move it, nothing vouches for it
    assert qts(project, "verify", "--root-of-trust", "tag:phase4-root") == 1
    assert "the root of trust tag:phase4-root is not a tag with a good signature here" in capsys.readouterr().err


def test_a_class_swapped_for_a_look_alike_subclass_fails_verify(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(project, "def route(", "class Router:\n    def send(self, intent: str) -> str:\n        return intent\n\n\ndef route(")
    set_config(project, 'entry = ["venue.binding"]')
    write(project, {"src/venue/binding.py": "IMPL = None\n"})
    relock(project, "a router class")
    write(project, {"src/venue/binding.py": '''\
from venue import asset


class Router(asset.Router):
    def __getattribute__(self, name: str) -> object:
        return object.__getattribute__(self, name)


Router.__module__ = "venue.asset"
asset.Router = Router
IMPL = None
'''})
    commit(project, "a look-alike router")
    assert qts(project, "verify") == 1
    assert "venue.asset.Router.send is missing from the class venue.asset.Router" in capsys.readouterr().err


def test_a_merge_resolved_with_merge_lock_keeps_the_kit_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    project = kit_project(tmp_path, monkeypatch)
    git(project, "checkout", "-q", "-b", "tidy")
    edit(project, '"""The loop."""', '"""The loop (seed 2.1)."""', "src/runtime/execution_loop/loop.py")
    assert qts(project, "tidy", "--reason", "docstring") == 0
    commit(project, "tidy")
    git(project, "checkout", "-q", "-")
    write(project, {"src/runtime/limits.py": "MAX = 5\n"})
    edit(project, 'assets = ["src/runtime/execution_loop/loop.py"]',
         'assets = ["src/runtime/execution_loop/loop.py", "src/runtime/limits.py"]', "pyproject.toml")
    commit(project, "a new asset")
    assert qts(project, "lock") == 0
    commit(project, "lock it")
    assert subprocess.run(["git", "merge", "-q", "tidy"], cwd=project, capture_output=True, check=False).returncode != 0
    assert qts(project, "merge-lock") == 0
    commit(project, "merge")
    capsys.readouterr()
    assert qts(project, "verify") == 0, capsys.readouterr().err
    assert "reference_impl.runtime.execution_loop.loop" in lock_data(project)["kit"]["modules"]


RETRY_DESK = {
    "pyproject.toml": '[tool.qts-assets]\npythonpath = ["src"]\n'
                      'assets = ["src/desk/venue_route.py", "tests/runtime/test_phase4_route.py"]\n'
                      'conformance = ["{python}", "-m", "conformance_tests.cli", "--impl", "desk.binding"]\n',
    "src/desk/__init__.py": "",
    "src/desk/venue_route.py": '''\
"""What the loop calls for each intent: the venue's route, as it is."""

from spec.route import ExecutionRoute
from spec.values import ExecutionIntent, ExecutionResponse


class DeskRoute:
    def __init__(self, route: ExecutionRoute) -> None:
        self._route = route

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        return self._route.execute(intent)
''',
    "src/desk/binding.py": '''\
"""The desk as the conformance suite sees it: the reference loop, routing through DeskRoute."""

from reference_impl.binding import ReferenceImplementation
from reference_impl.runtime.execution_loop.loop import ExecutionLoop
from spec.loop import StopPolicy
from spec.order_state import OrderState
from spec.risk import RiskGate
from spec.route import ExecutionRoute
from spec.state_machine import PHASE4

from desk.venue_route import DeskRoute


class Desk(ReferenceImplementation):
    name = "desk"

    def make_loop(self, route: ExecutionRoute, gate: RiskGate[OrderState], stop_policy: StopPolicy, /
                  ) -> ExecutionLoop[OrderState]:
        return ExecutionLoop(DeskRoute(route), gate, stop_policy, machine=PHASE4)


QTS_IMPLEMENTATION = Desk()
''',
    "tests/runtime/test_phase4_route.py": '''\
from decimal import Decimal

from spec.values import ExecutionIntent, ExecutionResponse, Side

from desk.venue_route import DeskRoute


class Venue:
    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        return ExecutionResponse(intent.intent_id, accepted=True)


def test_the_desk_route_answers_as_the_venue() -> None:
    intent = ExecutionIntent("i-1", "XYZ", Side.BUY, Decimal(1))
    assert DeskRoute(Venue()).execute(intent) == ExecutionResponse("i-1", accepted=True)
''',
}
RETRY_EVIDENCE = '''\
from decimal import Decimal

from spec.values import ExecutionIntent, ExecutionResponse, Side

from desk.venue_route import DeskRoute


class TimesOutOnce:
    def __init__(self) -> None:
        self.calls = 0

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        self.calls += 1
        if self.calls == 1:
            raise TimeoutError("the venue timed out")
        return ExecutionResponse(intent.intent_id, accepted=True)


def test_a_timed_out_order_is_sent_again() -> None:
    intent = ExecutionIntent("i-1", "XYZ", Side.BUY, Decimal(1))
    assert DeskRoute(TimesOutOnce()).execute(intent) == ExecutionResponse("i-1", accepted=True)
'''


@pytest.mark.slow
def test_a_retry_on_timeout_fix_with_passing_evidence_is_refused_by_the_suite(tmp_path: Path,
                                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """The harmful "fix": send a timed-out order again. Its evidence fails before and passes after and the
    Phase 4 tests pass, but the conformance suite, run on the new version through the desk's binding, raises
    TimeoutError from the route and sees the intent routed twice (LOOP-2), so the unlock is refused."""
    write(tmp_path, RETRY_DESK)
    git(tmp_path, "init", "-q")
    git(tmp_path, "config", "user.name", "dev")
    git(tmp_path, "config", "user.email", "dev@example.com")
    commit(tmp_path, "phase 4")
    assert qts(tmp_path, "lock") == 0
    commit(tmp_path, "lock")
    edit(tmp_path, "        return self._route.execute(intent)\n",
         "        try:\n            return self._route.execute(intent)\n"
         "        except TimeoutError:  # the venue timed out: ask once more\n"
         "            return self._route.execute(intent)\n", "src/desk/venue_route.py")
    write(tmp_path, {"tests/test_retry.py": RETRY_EVIDENCE})
    commit(tmp_path, "retry a timed-out order, with its test")
    capsys.readouterr()
    assert qts(tmp_path, "unlock", "--test", "tests/test_retry.py::test_a_timed_out_order_is_sent_again") == 1
    err = capsys.readouterr().err
    assert "evidence refused: the conformance suite" in err and "LOOP-2" in err, err


def test_verify_leaves_no_bytecode_in_the_teams_tree(project: Path) -> None:
    """The lock imports the assets to see what runs; a ``__pycache__`` it left in the
    team's tree would be committed by the next ``git add -A`` and run in place of the
    source an evidence checkout holds (a stale .pyc of the same size and second)."""
    assert qts(project, "verify") == 0
    assert not list((project / "src").rglob("__pycache__")), "qts-assets wrote bytecode into the team's tree"


def test_worktrees_added_and_removed_side_by_side_never_trip_over_each_other(project: Path) -> None:
    """verify --replay runs its evidence in worktrees side by side: git reads every
    worktree's files when it adds or removes one, and failed on one another thread was
    still creating ("failed to read .git/worktrees/tree4/commondir", a red CI)."""
    from concurrent.futures import ThreadPoolExecutor

    from enforcement.assets.git import worktree

    def checkout(_: int) -> bool:
        with worktree(project, "HEAD") as tree:
            return (tree / "src" / "venue" / "asset.py").is_file()

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(checkout, range(48)))
