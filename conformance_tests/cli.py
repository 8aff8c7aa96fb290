"""``qts-conformance``: run the suite against an implementation, print the verdict per
clause, optionally write it as JSON, and exit non-zero on any failure.

Exit codes: 0 every clause passed; 1 a clause failed (or went untested); 2 bad command
line; 4 the implementation could not be bound.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from conformance_tests.binding import BindingError, load_implementation, resolve_target
from conformance_tests.report import ClauseCollector, render_table, to_json


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qts-conformance",
        description="Check an implementation against the QTS Phase 4 specification, clause by clause.",
    )
    parser.add_argument("--impl", metavar="MODULE[:ATTR]", help="the binding (default: $QTS_IMPL, else the reference)")
    parser.add_argument("--profile", choices=("ci", "thorough"), default="ci", help="hypothesis effort (default: ci)")
    parser.add_argument("--seed", type=int, help="hypothesis seed for the thorough profile (default: random, printed)")
    parser.add_argument("--report", type=Path, metavar="FILE", help="also write the verdict as JSON to FILE")
    parser.add_argument("-v", "--verbose", action="store_true", help="show pytest's own output too")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    target = resolve_target(args.impl)
    try:
        implementation = load_implementation(target)
    except BindingError as error:
        print(f"qts-conformance: {error}", file=sys.stderr)
        return 4

    # `-o addopts=`: the host project's own pytest options must not change the suite.
    pytest_args = ["--pyargs", "conformance_tests", "-o", "addopts=", "-p", "no:cacheprovider",
                   "-W", "ignore::pytest.PytestAssertRewriteWarning",
                   f"--qts-impl={target}", f"--qts-profile={args.profile}"]
    if args.profile == "ci":
        seed_note = "derandomised (fixed per test)"
    else:
        seed = args.seed if args.seed is not None else random.randrange(2**32)
        pytest_args.append(f"--hypothesis-seed={seed}")
        seed_note = f"{seed} (rerun with --seed {seed})"
    pytest_args += ["-q", "--tb=short"] if args.verbose else ["-qq", "--tb=no", "--no-header", "-rN"]

    collector = ClauseCollector()
    code = pytest.main(pytest_args, plugins=[collector])
    results = collector.verdict()

    print(f"implementation: {implementation.name} ({target})")
    print(f"profile: {args.profile}; hypothesis seed: {seed_note}")
    print(render_table(results))
    failed = [r.id for r in results if not r.status.holds]
    print(f"\n{len(results) - len(failed)} passed, {len(failed)} failed" + (f": {', '.join(failed)}" if failed else ""))
    if args.report is not None:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(
            to_json(results, implementation=implementation.name, target=target, profile=args.profile, seed=seed_note) + "\n",
            encoding="utf-8",
        )
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        print(f"qts-conformance: pytest stopped with exit code {int(code)}", file=sys.stderr)
        return int(code) or 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
