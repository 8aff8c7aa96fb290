"""``qts-assets verify``: the working tree matches the lock (hash AND API surface, always
both), everything that can change an asset's behaviour is locked or declared unlocked,
and the lock's history checks out against git. ``--replay`` reruns every recorded
evidence test on its two versions."""

from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

from enforcement.assets.config import Config, LockError, is_test_file
from enforcement.assets.evidence import run_pytest
from enforcement.assets.git import blobs, git, worktree
from enforcement.assets.history import History, check_history, first_lock_commit, root_of_trust_problems
from enforcement.assets.lock import Entry, Lock, describe
from enforcement.assets.observe import Observed, observe
from enforcement.assets.scope import current, scope


@dataclass
class Report:
    problems: list[str] = field(default_factory=list[str])
    notes: list[str] = field(default_factory=list[str])


def verify(config: Config, *, replay: bool, root_of_trust: str | None = None) -> int:
    report, lock, history = check(config)
    if root_of_trust:
        report.problems += root_of_trust_problems(config, root_of_trust)
    else:
        report.notes.append(f"no root of trust pinned; the lock's first commit is {first_lock_commit(config) or '(not committed)'}: "
                            "pin it in CI (QTS_ASSETS_ROOT_OF_TRUST, docs/asset-lock.md)")
    if replay:
        report.problems += _replay(config, lock, history)
    for note in report.notes:
        print(note)
    if not report.problems:
        print(f"{len(lock.entries)} locked file(s) match {config.lock_name}; its {len(lock.history)} record(s) "
              f"check out against git history{' and every evidence test replays' if replay else ''}")
        return 0
    print("Phase 4 assets changed without evidence, or the lock does not check out (seed section 4):", file=sys.stderr)
    for problem in report.problems:
        print(f"  - {problem}", file=sys.stderr)
    print("A change needs a committed test that fails on the locked version and passes on yours:\n"
          "  qts-assets unlock --test tests/path/test_x.py::test_name   (docs/asset-lock.md)", file=sys.stderr)
    return 1


def check(config: Config) -> tuple[Report, Lock, History]:
    if not config.lock_path.exists():
        earlier = check_history(config, None).earlier_lock
        if earlier:
            raise LockError(f"{config.lock_name} is missing but git holds a lock ({earlier}): restore it with git checkout; "
                            "a lock is never deleted, recreated or redirected")
        raise LockError(f"no lock at {config.lock_name}; create it once with `qts-assets lock`")
    lock = Lock.read(config.lock_path)
    report = Report()
    history = check_history(config, lock)
    report.problems += history.problems
    observed = observe(config)
    in_scope = scope(config, observed)
    wanted = {p: why for p, why in in_scope.items() if p not in config.unlocked}
    report.problems += (observed.problems + observed.shadowed(config, set(lock.entries)) + observed.patched(set(lock.entries))
                        + kit_changes(lock, observed))
    now = current(config, wanted)
    for path, why in sorted(wanted.items()):
        if path not in lock.entries:
            report.problems.append(f"{path} is not locked but {why or f'listed in {config.section} assets'}: lock it with "
                                   f"`qts-assets lock` (recorded), or name it in {config.section} unlocked")
    for path, locked in sorted(lock.entries.items()):
        if path not in wanted:
            report.problems.append(f"{path} is locked but no longer in scope (dropped from {config.section} assets or "
                                   "unlocked): releasing a locked file needs `qts-assets lock --rebaseline --reason ...`")
        else:
            report.problems += differences(path, locked, now.get(path))
    report.notes += _notes(config, lock, sorted(p for p in in_scope if p in config.unlocked))
    if observed.hooks:
        report.notes.append(f"import hooks installed when the assets and the entry point were imported: {', '.join(observed.hooks)}")
    beside = _beside_the_assets(config, set(lock.entries) | set(config.unlocked))
    if beside:
        report.notes.append(f"in the asset packages, neither locked nor run with the assets: {', '.join(beside)}")
    return report, lock, history


def kit_changes(lock: Lock, observed: Observed, *, unrecorded: bool = True) -> list[str]:
    """Kit modules the assets run whose installed code differs from the lock (and, with ``unrecorded``,
    those it does not record)."""
    found: list[str] = []
    locked = lock.kit_modules
    for name, sha in sorted(observed.kit.items()):
        where = f"{name} ({observed.files[name]}, {observed.how.get(name, 'loaded with the assets')})"
        if name not in locked and unrecorded:
            found.append(f"kit module {where} runs with the assets but the lock does not record it: "
                         "`qts-assets lock` records the kit's version and its hash")
        elif name in locked and locked[name] != sha:
            found.append(f"the installed kit's {where} differs from the one locked (kit {lock.kit.get('version')} locked, "
                         f"{observed.kit_version} installed): a kit upgrade changes what the assets run; accept it with "
                         "`qts-assets lock --rebaseline --reason ...`")
    if locked and observed.kit and lock.kit.get("version") != observed.kit_version:
        found.append(f"the installed kit is {observed.kit_version}, the lock records {lock.kit.get('version')}: "
                     "a kit upgrade goes through `qts-assets lock --rebaseline --reason ...`")
    return found


def _beside_the_assets(config: Config, accounted: set[str]) -> list[str]:
    """Modules in an asset's package that nothing locked imports: reported, so none goes unseen."""
    packages = {(config.root / a).parent for a in config.assets if not is_test_file(a)}
    found = {f.relative_to(config.root).as_posix() for package in packages for f in package.glob("*.py")}
    return sorted(found - accounted)


def differences(path: str, locked: Entry, current_entry: Entry | None) -> list[str]:
    """What changed in ``path`` since it was locked, symbol by symbol; the API is compared even when the hash matches."""
    if current_entry is None:
        return [f"{path}: the locked file was deleted"]
    found: list[str] = []
    for symbol in sorted(locked.api.keys() | current_entry.api.keys()):
        old, new = locked.api.get(symbol), current_entry.api.get(symbol)
        if old == new:
            continue
        if new is None:
            found.append(f"{path}: {symbol} removed (was `{old}`)")
        elif old is None:
            found.append(f"{path}: {symbol} added (`{new}`)")
        else:
            found.append(f"{path}: {symbol} changed\n      old: {old}\n      new: {new}")
    if not found and current_entry.sha256 != locked.sha256:
        found.append(f"{path}: the implementation changed (public API unchanged)")
    return found


def _notes(config: Config, lock: Lock, unlocked: list[str]) -> list[str]:
    notes: list[str] = []
    acknowledged = {r.get("rebaseline") for r in lock.history if r.get("kind") == "acknowledge"}
    for index, record in enumerate(lock.history):
        if record.get("kind") == "rebaseline" and index not in acknowledged:
            notes.append(f"NOT YET ACKNOWLEDGED #{index} {describe(record)}\n"
                         f"    a note, not a failure: a reviewer who has read its reason and its diff accepts it with "
                         f"`qts-assets acknowledge {index}` in a later commit (docs/asset-lock.md); until then verify lists it")
        elif record.get("kind") in ("tidy", "add"):
            notes.append(f"recorded #{index} {describe(record)}")
    if unlocked:
        notes.append(f"run with the assets but deliberately not locked ({config.section} unlocked): {', '.join(unlocked)}")
    return notes


def _replay(config: Config, lock: Lock, history: History) -> list[str]:
    """Every evidence record replayed. The runs are independent subprocesses in their own
    worktrees, so they run side by side, one per core; they report in the lock's order."""
    runs = [
        (str(record["test"]), str(record["locked_version"]),
         str(record.get("new_version") or history.introduced_at[index] or git(config.root, "rev-parse", "HEAD")))
        for index, record in enumerate(lock.history) if record.get("kind") == "evidence"
    ]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        found = list(pool.map(partial(_replay_one, config), *zip(*runs, strict=True)))
    for (test_id, base, new), problem in zip(runs, found, strict=True):
        if problem is None:
            print(f"replayed {test_id}: fails on {base[:12]}, passes on {new[:12]}")
    return [problem for problem in found if problem is not None]


def _replay_one(config: Config, test_id: str, base: str, new: str) -> str | None:
    """Why the evidence ``test_id`` does not fail on ``base`` and pass on ``new``, or None."""
    test_file = test_id.split("::")[0]
    content = blobs(config.root, [f"{new}:{test_file}"])[f"{new}:{test_file}"]
    if content is None:
        return f"replay of {test_id}: the test file is not committed at {new[:12]}"
    with worktree(config.root, base) as tree:
        (tree / test_file).parent.mkdir(parents=True, exist_ok=True)
        (tree / test_file).write_bytes(content)
        before = run_pytest(config, tree, [test_id])
    with worktree(config.root, new) as tree:
        after = run_pytest(config, tree, [test_id])
    if (before.outcome, after.outcome) == ("failed", "passed"):
        return None
    return (f"replay of {test_id}: {before.outcome} on the locked version {base[:12]} and {after.outcome} on "
            f"{new[:12]}; the recorded evidence does not hold")
