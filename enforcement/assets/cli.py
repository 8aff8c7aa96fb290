"""``qts-assets``: the seed's enforcement rules as commands.

    qts-assets lock                  record the Phase 4 assets (once; --rebaseline --reason to redo)
    qts-assets verify                fail on any change to an asset that has no evidence
    qts-assets unlock --test ID      accept a change, given a test that fails before and passes after
    qts-assets check-extension --impl MODULE   check a Phase 5 implementation keeps Phase 4 (seed 5)

Exit codes: 0 fine; 1 a check failed or evidence was refused; 2 bad command line or
configuration.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from spec.interface import implementation_breaches

from enforcement.assets.evidence import git, run_test, test_file_of, worktree
from enforcement.assets.lock import Config, Lock, LockError, differences, record
from conformance_tests.binding import BindingError, load_implementation


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "check-extension":
            return _check_extension(args.impl)
        config = Config.load(Path(args.root).resolve())
        if args.command == "lock":
            return _lock(config, rebaseline=args.rebaseline, reason=args.reason)
        if args.command == "verify":
            return _verify(config)
        return _unlock(config, args.test, args.base)
    except LockError as error:
        print(f"qts-assets: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qts-assets", description="Phase 4 asset lock (seed sections 4 and 5).")
    parser.add_argument("--root", default=".", help="the project root (holds pyproject.toml); default: .")
    commands = parser.add_subparsers(dest="command", required=True)
    lock = commands.add_parser("lock", help="record every asset's hash and API surface")
    lock.add_argument("--rebaseline", action="store_true", help="replace an existing lock (needs --reason)")
    lock.add_argument("--reason", help="why the assets are re-baselined; kept in the lock")
    commands.add_parser("verify", help="fail on any asset change without evidence")
    unlock = commands.add_parser("unlock", help="accept the working tree's asset changes with a test as evidence")
    unlock.add_argument("--test", required=True, help="pytest id that fails on the locked version, passes now")
    unlock.add_argument("--base", default="HEAD", help="the commit holding the locked version (default: HEAD)")
    check = commands.add_parser("check-extension", help="check a Phase 5 implementation against Phase 4")
    check.add_argument("--impl", required=True, metavar="MODULE[:ATTR]", help="the binding, as for qts-conformance")
    return parser


def _lock(config: Config, *, rebaseline: bool, reason: str | None) -> int:
    if config.lock_path.exists() and not rebaseline:
        raise LockError(f"{config.lock_path.name} exists; assets change only through `qts-assets unlock --test ...` "
                        "(or `lock --rebaseline --reason ...` for a deliberate new baseline)")
    if rebaseline and not reason:
        raise LockError("--rebaseline needs --reason: the lock keeps why its baseline moved")
    dirty = git(config.root, "status", "--porcelain", "--", *config.assets)
    if dirty:
        raise LockError(f"commit the assets before locking them:\n{dirty}")
    head = git(config.root, "rev-parse", "HEAD")
    evidence = Lock.read(config.lock_path).evidence if rebaseline else []
    if rebaseline:
        evidence.append({"rebaselined_at": head, "reason": str(reason), "recorded": _now()})
    Lock(head, {asset: record(config, asset) for asset in config.assets}, evidence).dump(config.lock_path)
    print(f"locked {len(config.assets)} asset(s) at {head[:12]} in {config.lock_path.name}")
    return 0


def _verify(config: Config) -> int:
    lock = Lock.read(config.lock_path)
    problems = [f"{a}: listed in pyproject but not in the lock" for a in config.assets if a not in lock.assets]
    for asset, locked in sorted(lock.assets.items()):
        current = record(config, asset) if (config.root / asset).is_file() else None
        problems += differences(asset, locked, current)
    if not problems:
        print(f"{len(lock.assets)} Phase 4 asset(s) match {config.lock_path.name}")
        return 0
    print("Phase 4 assets changed without evidence (seed section 4):", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    print("A change needs a test that fails on the locked version and passes on yours:\n"
          "  qts-assets unlock --test tests/path/test_x.py::test_name", file=sys.stderr)
    return 1


def _unlock(config: Config, test_id: str, base: str) -> int:
    lock = Lock.read(config.lock_path)
    records = {a: record(config, a) for a in lock.assets if (config.root / a).is_file()}
    changed = {a: r for a, r in records.items() if r.sha256 != lock.assets[a].sha256}
    if not changed:
        raise LockError("no locked asset differs from the lock; there is nothing to unlock")
    test_file = test_file_of(test_id)
    if not (config.root / test_file).is_file():
        raise LockError(f"test file {test_file} does not exist")
    with worktree(config.root, base) as tree:
        stale = [a for a in changed if record(config, a, tree).sha256 != lock.assets[a].sha256]
        if stale:
            raise LockError(f"{base} does not hold the locked version of {', '.join(stale)}; pass --base <commit>")
        (tree / test_file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(config.root / test_file, tree / test_file)
        before = run_test(config, tree, test_id)
        base_commit = git(tree, "rev-parse", "HEAD")
    after = run_test(config, config.root, test_id)
    if (before.outcome, after.outcome) != ("failed", "passed"):
        print(f"evidence refused: {test_id} {before.outcome} on the locked version and {after.outcome} on yours; "
              "it must fail before the change and pass after it (seed section 4.3)", file=sys.stderr)
        for label, run in (("locked version", before), ("your version", after)):
            print(f"--- {label}:\n{run.tail}", file=sys.stderr)
        return 1
    for asset, current in changed.items():
        lock.assets[asset] = current
    lock.evidence.append({
        "test": test_id, "assets": ", ".join(sorted(changed)), "locked_version": base_commit,
        "on_locked_version": before.outcome, "on_new_version": after.outcome, "recorded": _now(),
    })
    lock.dump(config.lock_path)
    print(f"evidence accepted: {test_id} fails on {base_commit[:12]} and passes now; "
          f"lock updated for {', '.join(sorted(changed))}. Commit the change, the test and {config.lock_path.name} together.")
    return 0


def _check_extension(target: str) -> int:
    try:
        implementation = load_implementation(target)
    except BindingError as error:
        print(f"qts-assets: {error}", file=sys.stderr)
        return 2
    breaches = implementation_breaches(implementation)
    if not breaches:
        print(f"{implementation.name}: keeps every Phase 4 state, transition and interface")
        return 0
    print(f"{implementation.name} breaks Phase 4 (seed section 5):", file=sys.stderr)
    for breach in breaches:
        print(f"  - {breach}", file=sys.stderr)
    return 1


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


if __name__ == "__main__":
    sys.exit(main())
