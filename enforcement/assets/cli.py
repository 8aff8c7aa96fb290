"""``qts-assets``: the seed's enforcement rules as commands (docs/asset-lock.md).

    qts-assets lock                    lock the Phase 4 assets (first time), or add newly in-scope files
    qts-assets lock --rebaseline --reason WHY   a deliberate new baseline, reported until acknowledged
    qts-assets verify [--replay] [--root-of-trust COMMIT|tag:NAME]
                                       fail on any change without a record that checks out against git
    qts-assets unlock --test ID        accept a committed change, given a committed failing-then-passing test
    qts-assets tidy --reason WHY       accept a change of comments, docstrings or annotations only
    qts-assets acknowledge N           a reviewer accepts rebaseline record N
    qts-assets merge-lock              during git merge: both sides' records, the merged files' entries
    qts-assets check-extension --impl MODULE   check a Phase 5 implementation keeps Phase 4 (seed 5)

The settings come from ``[tool.qts]`` in the root's pyproject.toml (conformance_tests.config).

Exit codes: see ``EXIT_CODES`` (also in ``--help`` and docs/asset-lock.md).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from conformance_tests.config import version_line

from enforcement.assets.config import Config, LockError

EXIT_CODES = {
    0: "fine",
    1: "a check failed or evidence was refused",
    2: "bad command line or [tool.qts] configuration",
}

ROOT_OF_TRUST_VARIABLE = "QTS_ASSETS_ROOT_OF_TRUST"
"""Set in CI from a value kept outside the repository (a CI variable), so a rewritten history cannot change it."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        root = Path(args.root).resolve()
        if not root.is_dir():
            parser.error(f"--root {args.root}: not a directory (give the project root, which holds pyproject.toml)")
        if args.command == "check-extension":
            return _check_extension(root, args.impl)
        config = Config.load(root)
        from enforcement.assets import baseline, unlock, verify  # griffe (the [assets] extra) loads here

        if args.command == "lock":
            return baseline.lock(config, rebaseline=args.rebaseline, reason=args.reason)
        if args.command == "verify":
            return verify.verify(config, replay=args.replay, root_of_trust=args.root_of_trust or None)
        if args.command == "tidy":
            return baseline.tidy(config, args.reason)
        if args.command == "merge-lock":
            return baseline.merge_lock(config)
        if args.command == "acknowledge":
            return baseline.acknowledge(config, args.record)
        return unlock.unlock(config, args.test, args.base)
    except LockError as error:
        print(f"qts-assets: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qts-assets", description="Phase 4 asset lock (seed sections 4 and 5), configured by [tool.qts].",
        epilog="exit codes:\n" + "\n".join(f"  {code}  {meaning}" for code, meaning in EXIT_CODES.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=version_line("qts-assets"))
    parser.add_argument("--root", default=".", help="the project root (holds pyproject.toml); default: .")
    commands = parser.add_subparsers(dest="command", required=True)
    lock = commands.add_parser("lock", help="lock the assets once; later, add newly in-scope files")
    lock.add_argument("--rebaseline", action="store_true", help="re-record every file (needs --reason)")
    lock.add_argument("--reason", help="why the assets are re-baselined; kept in the lock")
    verify = commands.add_parser("verify", help="fail on any change without a record that checks out against git")
    verify.add_argument("--replay", action="store_true", help="also rerun each evidence test on its two versions")
    verify.add_argument("--root-of-trust", default=os.environ.get(ROOT_OF_TRUST_VARIABLE), metavar="COMMIT|tag:NAME",
                        help=f"the lock's first commit as pinned outside the repository (default: ${ROOT_OF_TRUST_VARIABLE})")
    unlock = commands.add_parser("unlock", help="accept a committed change with a committed test as evidence")
    unlock.add_argument("--test", required=True, help="pytest id that fails on the locked version, passes on HEAD")
    unlock.add_argument("--base", help="the commit holding the locked version (default: the lock's last commit)")
    tidy = commands.add_parser("tidy", help="accept a change of comments, docstrings or annotations only")
    tidy.add_argument("--reason", required=True, help="what was tidied and why; kept in the lock and shown by verify")
    ack = commands.add_parser("acknowledge", help="a reviewer accepts a committed rebaseline")
    ack.add_argument("record", type=int, help="the rebaseline's record number, as verify prints it")
    commands.add_parser("merge-lock", help="during git merge: resolve a conflict in the lock from both sides")
    check = commands.add_parser("check-extension", help="check a Phase 5 implementation against Phase 4")
    check.add_argument("--impl", required=True, metavar="MODULE[:ATTR]", help="the binding, as for qts-conformance")
    return parser


def _check_extension(root: Path, target: str) -> int:
    from spec.interface import implementation_breaches

    from conformance_tests.binding import BindingError, load_implementation

    for entry in reversed(Config.load(root).pythonpath):
        sys.path.insert(0, str(entry))
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


if __name__ == "__main__":
    sys.exit(main())
