"""``qts-conformance``: run the suite against an implementation, print the verdict per
clause, optionally write it as JSON, JUnit XML and Markdown, and exit non-zero on any
failure.

The implementation runs only in a child test process (conformance_tests.child); this
process decides the verdict from what the child reported, so an implementation that
exits, aborts, hangs or floods its process still gets a full clause table.

Exit codes: 0 every clause passed; 1 a clause failed or went untested; 2 bad command
line; 3 the run could not complete (time budget, Ctrl-C, the test process failed
outside any test); 4 the implementation could not be bound.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from pathlib import Path

from conformance_tests.binding import REFERENCE_NOTICE, TargetError, resolve_target
from conformance_tests.report import Status, render_table, to_json, to_junit, to_markdown
from conformance_tests.selection import parse_clauses
from conformance_tests.supervisor import Limits, supervise

EXIT_PASS, EXIT_FAILED, EXIT_USAGE, EXIT_INCOMPLETE, EXIT_BINDING = 0, 1, 2, 3, 4

BUDGETS = {"ci": (120.0, 280.0), "thorough": (900.0, 3600.0)}
"""Per-test and whole-run time budgets in seconds, by profile (docs/implementers-guide.md)."""
MEMORY_LIMIT = 1 << 30
"""Address space of the test process: 1 GiB."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qts-conformance",
        description="Check an implementation against the QTS Phase 4 specification, clause by clause.",
    )
    parser.add_argument("--impl", metavar="MODULE[:ATTR]",
                        help="the binding: a module exposing QTS_IMPLEMENTATION (default: $QTS_IMPL; no other default); "
                             "`reference` checks the kit's own reference implementation")
    parser.add_argument("--profile", choices=("ci", "thorough"), default="ci", help="hypothesis effort (default: ci)")
    parser.add_argument("--seed", type=int, help="hypothesis seed; thorough profile only (ci is derandomised)")
    parser.add_argument("--report", type=Path, metavar="FILE", help="also write the verdict as JSON to FILE")
    parser.add_argument("--junit", type=Path, metavar="FILE", help="also write the verdict as JUnit XML to FILE")
    parser.add_argument("--markdown", type=Path, metavar="FILE",
                        help="also write the clause table as Markdown to FILE (e.g. $GITHUB_STEP_SUMMARY)")
    parser.add_argument("--clauses", metavar="ID[,ID...]",
                        help="run only the tests of these clauses (e.g. LOOP-2,RISK-3); the others are "
                             "reported untested, so a partial run never passes")
    parser.add_argument("--test-budget", type=float, metavar="SECONDS",
                        help="kill a test that runs longer (default: 120 for ci, 900 for thorough)")
    parser.add_argument("--total-budget", type=float, metavar="SECONDS",
                        help="stop the whole run after this long (default: 280 for ci, 3600 for thorough)")
    parser.add_argument("-v", "--verbose", action="store_true", help="show pytest's own output too")
    return parser


def _writable(path: Path) -> str | None:
    """Why ``path`` cannot take a report, or None; checked before the suite runs."""
    if path.is_dir():
        return f"{path} is a directory"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as error:
        return f"cannot write {path}: {error.strerror or error}"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        target = resolve_target(args.impl)
    except TargetError as error:
        parser.error(str(error))
    if args.seed is not None and args.profile == "ci":
        parser.error("--seed needs --profile thorough: the ci profile is derandomised (a fixed seed per test)")
    outputs = [p for p in (args.report, args.junit, args.markdown) if p is not None]
    for path in outputs:
        if (problem := _writable(path)) is not None:
            parser.error(f"report file: {problem}")
    if args.clauses is not None:
        try:
            parse_clauses(args.clauses)
        except ValueError as error:
            parser.error(f"--clauses: {error}")
    test_budget, total_budget = BUDGETS[args.profile]
    limits = Limits(args.test_budget or test_budget, args.total_budget or total_budget, MEMORY_LIMIT)

    if args.profile == "ci":
        seed, seed_note = None, "derandomised (fixed per test)"
    else:
        seed = args.seed if args.seed is not None else random.randrange(2**32)
        seed_note = f"{seed} (rerun with --seed {seed})"
    outcome = supervise(target=target, profile=args.profile, seed=seed, limits=limits, verbose=args.verbose,
                        clauses=args.clauses)

    results = outcome.collector.verdict()
    name = outcome.name or "(not bound)"
    untested = [r.id for r in results if r.status is Status.UNTESTED]
    failed = [r.id for r in results if not r.status.holds and r.status is not Status.UNTESTED]
    summary = (f"{len(results) - len(failed) - len(untested)} passed, {len(failed)} failed"
               + (f": {', '.join(failed)}" if failed else "")
               + (f"; {len(untested)} untested: {', '.join(untested)}" if untested else ""))
    print(f"implementation: {name} ({target})")
    if outcome.reference:
        print(REFERENCE_NOTICE)
    print(f"profile: {args.profile}; hypothesis seed: {seed_note}")
    if args.clauses is not None:
        print(f"clauses: only {args.clauses} (a partial run: every other clause is untested)")
    print(f"test processes: {outcome.processes}; peak memory of a test process: {outcome.peak_rss_bytes // 2**20} MiB")
    print(render_table(results))
    print(f"\n{summary}")
    if outcome.reference:
        print(REFERENCE_NOTICE)
    if args.report is not None:
        args.report.write_text(
            to_json(results, implementation=name, target=target, profile=args.profile, seed=seed_note,
                    binding_error=outcome.binding_error, incomplete=outcome.incomplete,
                    test_processes=outcome.processes, peak_memory_mib=outcome.peak_rss_bytes // 2**20) + "\n",
            encoding="utf-8",
        )
    if args.junit is not None:
        args.junit.write_text(to_junit(results, implementation=name) + "\n", encoding="utf-8")
    if args.markdown is not None:
        with args.markdown.open("a", encoding="utf-8") as markdown:
            markdown.write(to_markdown(results, implementation=f"{name} ({target})", summary=summary))
    if outcome.binding_error is not None:
        print(f"qts-conformance: {outcome.binding_error}", file=sys.stderr)
        return EXIT_BINDING
    if outcome.incomplete is not None:
        print(f"qts-conformance: the run could not complete: {outcome.incomplete}", file=sys.stderr)
        return EXIT_INCOMPLETE
    return EXIT_FAILED if failed or untested else EXIT_PASS


if __name__ == "__main__":
    sys.exit(main())
