"""``qts-assets unlock --test ID``: accept a committed change of locked files, given a
committed test that fails on the locked version and passes on the new one, with the
Phase 4 tests and the conformance suite passing on the new version (seed 4.3 and 5)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from enforcement.assets.config import Config, LockError, is_test_file
from enforcement.assets.evidence import TestRun, run_command, run_pytest
from enforcement.assets.git import blobs, dirty, git, who, worktree
from enforcement.assets.history import check_history
from enforcement.assets.lock import Entry, Lock
from enforcement.assets.observe import Observed, loaded_by_entry
from enforcement.assets.scope import current, scope, sha256_of


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def pending(config: Config, lock: Lock, observed: Observed | None = None) -> tuple[dict[str, Entry], list[str]]:
    """The working tree's entries for everything in scope, and the paths whose lock entry they change."""
    entries = current(config, {p: w for p, w in scope(config, observed).items() if p not in config.unlocked})
    changed = sorted(p for p in lock.entries.keys() | entries.keys()
                     if (lock.entries[p].sha256 if p in lock.entries else None) != (entries[p].sha256 if p in entries else None))
    if not any(p in lock.entries for p in changed):
        raise LockError("no locked file differs from the lock; there is nothing to accept")
    return entries, changed


def locked_base(config: Config, lock: Lock, paths: list[str], base: str | None) -> str:
    """The commit holding the locked content of ``paths`` (default: the lock's last commit)."""
    commit = base or git(config.root, "log", "-1", "--format=%H", "--", config.lock_name)
    if not commit:
        raise LockError(f"{config.lock_name} is not committed; commit the lock before changing locked files")
    commit = git(config.root, "rev-parse", "--verify", f"{commit}^{{commit}}")
    held = blobs(config.root, [f"{commit}:{p}" for p in paths if p in lock.entries])
    stale = [p for p in paths if p in lock.entries and (held[f"{commit}:{p}"] is None
                                                         or sha256_of(held[f"{commit}:{p}"] or b"") != lock.entries[p].sha256)]
    if stale:
        raise LockError(f"{commit[:12]} does not hold the locked version of {', '.join(stale)}; pass --base <commit>")
    return commit


def test_id_in(config: Config, test_id: str) -> tuple[str, str]:
    """``(id, file)`` with the file relative to the project root; an absolute path is accepted inside it."""
    file, sep, rest = test_id.partition("::")
    path = Path(file)
    if path.is_absolute():
        try:
            file = path.resolve().relative_to(config.root).as_posix()
        except ValueError:
            raise LockError(f"test {test_id} is outside the project {config.root}; evidence is a test of this project") from None
    if not (config.root / file).is_file():
        raise LockError(f"test file {file} does not exist; give a pytest id such as tests/test_x.py::test_name")
    return f"{file}{sep}{rest}", file


def unlock(config: Config, test_id: str, base: str | None) -> int:
    lock = Lock.read(config.lock_path)
    broken = check_history(config, lock).problems
    if broken:
        raise LockError(f"the lock does not check out against git history ({broken[0]}); run `qts-assets verify`")
    entries, changed = pending(config, lock)
    test_id, test_file = test_id_in(config, test_id)
    conformance = config.conformance_command()
    uncommitted = dirty(config.root, [*[p for p in changed if (config.root / p).exists()], test_file])
    if uncommitted:
        raise LockError(f"commit the change and its test first ({', '.join(uncommitted)} differ from HEAD or are untracked): "
                        "evidence runs on clean checkouts of committed versions")
    head = git(config.root, "rev-parse", "HEAD")
    base_commit = locked_base(config, lock, changed, base)
    test_code = blobs(config.root, [f"{head}:{test_file}"])[f"{head}:{test_file}"] or b""
    with worktree(config.root, base_commit) as tree:
        (tree / test_file).parent.mkdir(parents=True, exist_ok=True)
        (tree / test_file).write_bytes(test_code)
        before = run_pytest(config, tree, [test_id])
    if before.outcome != "failed":
        return _refused(f"{test_id} {before.outcome} on the locked version {base_commit[:12]}; evidence must fail there "
                        "in its call phase (seed section 4.3)", before)
    with worktree(config.root, head) as tree:
        after = run_pytest(config, tree, [test_id])
        if after.outcome != "passed":
            return _refused(f"{test_id} {after.outcome} on the new version {head[:12]}; it must pass there", after)
        if config.phase4_tests:
            phase4 = run_pytest(config, tree, list(config.phase4_tests))
            if phase4.outcome != "passed":
                return _refused(f"the Phase 4 tests ({', '.join(config.phase4_tests)}) {phase4.outcome} on the new version; "
                                "they always stay passing (seed section 5)", phase4)
        unexercised = _not_exercised(config, tree, changed)
        if unexercised:
            print(f"evidence refused: the conformance command's binding ({', '.join(config.entry_modules())}) does not "
                  f"load {', '.join(unexercised)} on the new version, so the suite cannot judge the change; name the "
                  "binding that runs the assets in [tool.qts] conformance (--impl) or entry", file=sys.stderr)
            return 1
        suite = run_command(config, tree, conformance)
        if suite.outcome != "passed":
            return _refused(f"the conformance suite ({' '.join(config.conformance)}) {suite.outcome} on the new version; "
                            "a fix keeps every Phase 4 clause (seed section 5)", suite)
    for path in changed:
        if path in entries:
            lock.entries[path] = entries[path]
        else:
            del lock.entries[path]
    lock.history.append({
        "kind": "evidence", "test": test_id, "assets": changed, "locked_version": base_commit, "new_version": head,
        "on_locked_version": before.outcome, "on_new_version": after.outcome,
        "also_passed": {"phase4_tests": list(config.phase4_tests), "conformance": list(config.conformance)},
        "by": who(config.root), "recorded": now(),
    })
    lock.dump(config.lock_path)
    print(f"evidence accepted: {test_id} fails on {base_commit[:12]} and passes on {head[:12]}, with the Phase 4 tests "
          f"and the conformance suite green; lock updated for {', '.join(changed)}. Commit {config.lock_name}.")
    return 0


def _not_exercised(config: Config, tree: Path, changed: list[str]) -> list[str]:
    """Changed code assets that the binding the suite runs does not load in ``tree`` (the new version)."""
    there = Config.load(tree)
    if not there.entry_modules():
        return []
    code = [p for p in changed if not is_test_file(p) and (tree / p).is_file()]
    loaded = loaded_by_entry(there)
    return [p for p in code if p not in loaded]


def _refused(why: str, run: TestRun) -> int:
    print(f"evidence refused: {why}", file=sys.stderr)
    print(f"--- pytest said:\n{run.tail}", file=sys.stderr)
    return 1
