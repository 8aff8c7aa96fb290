"""``qts-conformance``: run the suite against an implementation, print the verdict per
clause, optionally write it as JSON, JUnit XML and Markdown, and exit non-zero on any
failure.

This process is the judge (conformance_tests.judge): it re-runs itself isolated from the
environment (``python -I``: no ``PYTHONPATH``, no user site, no ``sitecustomize`` of the
team's tree), never imports the implementation, and runs the tests here against the
implementation's host process (conformance_tests.remote), so an implementation that
exits, aborts, hangs or floods its process still gets a full clause table, and nothing
it does reaches the verdict.

The binding, the profile and the source roots come from the command line, else
``$QTS_IMPL``, else ``[tool.qts]`` in ./pyproject.toml (conformance_tests.config).

Exit codes: see ``EXIT_CODES`` (also in ``--help`` and docs/ci.md).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from conformance_tests.binding import ENV_VAR, REFERENCE_NOTICE, TargetError, resolve_target
from conformance_tests.config import SCHEMA, ConfigError, load_config, version_line
from conformance_tests.known_failures import KnownFailure, KnownFailuresError, waive
from conformance_tests.known_failures import load as load_known_failures
from conformance_tests.replay import Replay, ReplayError
from conformance_tests.replay import parse as parse_replay
from conformance_tests.verdict import Isolation, Verdict, render_table, to_json, to_junit, to_markdown
from conformance_tests.selection import parse_clauses
from conformance_tests.judge import Limits, judge
from conformance_tests.protocol import EXIT_BINDING, EXIT_FAILED, EXIT_INCOMPLETE, EXIT_PASS, EXIT_USAGE
from conformance_tests.remote import containment

EXIT_CODES = {
    EXIT_PASS: "every clause passed, or failed only as the --known-failures file says",
    EXIT_FAILED: "a clause failed or went untested, or a known-failures entry no longer fails",
    EXIT_USAGE: "bad command line or [tool.qts] configuration",
    EXIT_INCOMPLETE: "the run could not complete (time budget, Ctrl-C)",
    EXIT_BINDING: "the implementation could not be bound",
}

BUDGETS = {"ci": (120.0, 280.0), "thorough": (900.0, 3600.0)}
"""Per-test and whole-run time budgets in seconds, by profile (docs/implementers-guide.md)."""
MIN_BUDGET = 1.0
"""The smallest budget accepted: below it a test process cannot even start its suite."""
MEMORY_LIMIT = 1 << 30
"""Address space of the test process: 1 GiB."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qts-conformance",
        description="Check an implementation against the QTS Phase 4 specification, clause by clause. "
                    "Settings not given here come from [tool.qts] in ./pyproject.toml.",
        epilog="exit codes:\n" + "\n".join(f"  {code}  {meaning}" for code, meaning in EXIT_CODES.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=version_line("qts-conformance"))
    parser.add_argument("--impl", metavar="MODULE[:ATTR]",
                        help="the binding: a module exposing QTS_IMPLEMENTATION (default: $QTS_IMPL, else "
                             "[tool.qts] implementation; no other default); `reference` checks the kit's own reference")
    parser.add_argument("--profile", choices=("ci", "thorough"),
                        help="hypothesis effort (default: [tool.qts] profile, else ci)")
    parser.add_argument("--seed", type=int, help="hypothesis seed; thorough profile only (ci is derandomised)")
    parser.add_argument("--report", type=Path, metavar="FILE", help="also write the verdict as JSON to FILE")
    parser.add_argument("--junit", type=Path, metavar="FILE", help="also write the verdict as JUnit XML to FILE")
    parser.add_argument("--markdown", type=Path, metavar="FILE",
                        help="also write the clause table as Markdown to FILE (e.g. $GITHUB_STEP_SUMMARY)")
    parser.add_argument("--spec-url", type=_spec_url, metavar="URL",
                        help="the specification page as your team publishes it: each clause id in the Markdown report "
                             "links to URL#CLAUSE-ID (default: [tool.qts] spec-url, else no links)")
    parser.add_argument("--clauses", metavar="ID[,ID...]",
                        help="run only the tests of these clauses (e.g. LOOP-2,RISK-3); the others are "
                             "reported untested, so a partial run never passes")
    parser.add_argument("--test-budget", type=_seconds, metavar="SECONDS",
                        help="kill a test that runs longer (default: 120 for ci, 900 for thorough)")
    parser.add_argument("--total-budget", type=_seconds, metavar="SECONDS",
                        help="stop the whole run after this long (default: 280 for ci, 3600 for thorough)")
    parser.add_argument("--known-failures", type=Path, metavar="FILE",
                        help="a TOML file of known, tracked failures ([[known]] clause or test, reason, tracking): "
                             "each is reported as a known failure, never as passed; an entry that no longer fails fails the run")
    parser.add_argument("--replay", metavar="TOKEN",
                        help="run exactly one failing call again, as a verdict printed it under `replay:` (seconds, not a verdict)")
    parser.add_argument("-v", "--verbose", action="store_true", help="show pytest's own output too")
    return parser


def _seconds(text: str) -> float:
    """A budget: a finite number of seconds, at least one (a test process needs that to
    start). A bad one is the caller's mistake, exit 2, never a test process killed while
    it imports the binding, which would look like the binding's fault."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not (math.isfinite(value) and value >= MIN_BUDGET):
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of seconds, at least {MIN_BUDGET:g}")
    return value


SPEC_URL: str = SCHEMA["properties"]["spec-url"]["pattern"]
"""As ``[tool.qts] spec-url`` must be (qts.schema.json): a URL a Markdown link holds whole."""


def _spec_url(text: str) -> str:
    """As ``[tool.qts] spec-url``: an http(s) URL, to which ``#CLAUSE-ID`` is appended."""
    if re.fullmatch(SPEC_URL, text) is None:
        raise argparse.ArgumentTypeError(f"{text!r}: give an http(s) URL of the specification page, without a #fragment, "
                                         "spaces or any of ()<>|`\"[] (it becomes a Markdown link)")
    return text


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
    if argv is None and not sys.flags.isolated:
        _become_isolated(sys.argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        config = load_config(Path.cwd())
    except ConfigError as error:
        parser.error(str(error))
    try:
        target = resolve_target(args.impl if args.impl is not None or ENV_VAR in os.environ else config.implementation)
    except TargetError as error:
        parser.error(str(error))
    args.profile = args.profile or config.profile
    args.spec_url = args.spec_url or config.spec_url
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
    known: tuple[KnownFailure, ...] = ()
    if args.known_failures is not None:
        try:
            known = load_known_failures(args.known_failures)
        except KnownFailuresError as error:
            parser.error(f"--known-failures: {error}")
    replay: Replay | None = None
    if args.replay is not None:
        try:
            replay = parse_replay(args.replay)
        except ReplayError as error:
            parser.error(f"--replay: {error}")
    test_budget, total_budget = BUDGETS[args.profile]
    limits = Limits(args.test_budget or test_budget, args.total_budget or total_budget, MEMORY_LIMIT)

    if args.profile == "ci":
        seed, seed_note = None, "derandomised (fixed per test)"
    else:
        seed = args.seed if args.seed is not None else random.randrange(2**32)
        seed_note = f"{seed} (rerun with --seed {seed})"
    outcome = judge(target=target, profile=args.profile, seed=seed, limits=limits, verbose=args.verbose,
                    clauses=args.clauses, containment=containment(), env=config.environment(os.environ), replay=args.replay,
                    cwd=os.getcwd())

    waived = waive(outcome.collector.verdict(), known)
    verdict = Verdict(
        implementation=outcome.name or "(not bound)", target=target, profile=args.profile, seed=seed_note,
        clauses=waived.clauses, binding_error=outcome.binding_error, incomplete=outcome.incomplete,
        known_failures=waived.known, stale=waived.stale,
        host_processes=outcome.processes, containment=outcome.containment, peak_memory_mib=outcome.peak_rss_bytes // 2**20,
        isolation=Isolation(bool(sys.flags.isolated), outcome.host_judging_modules, outcome.judge_team_modules),
        coverage=outcome.coverage,
    )
    print(f"implementation: {verdict.implementation} ({target})")
    if outcome.binding_error is not None:
        # The cause alone, first: a table of untested clauses would bury it.
        _write_reports(args, verdict)
        print(f"qts-conformance: the implementation could not be bound (nothing was tested): {outcome.binding_error}",
              file=sys.stderr)
        return EXIT_BINDING
    if outcome.reference:
        print(REFERENCE_NOTICE)
    print(f"profile: {args.profile}; hypothesis seed: {seed_note}")
    if args.clauses is not None:
        print(f"clauses: only {args.clauses} (a partial run: every other clause is untested)")
    if replay is not None:
        print(f"replay: {replay.test}, its one failing call (a diagnosis, never a verdict)")
    print(f"host processes: {outcome.processes}; peak memory of a host process: {verdict.peak_memory_mib} MiB")
    print(f"containment: {outcome.containment}; isolated judge: {'yes' if sys.flags.isolated else 'no'}")
    # A replay ran one test: its clauses are what it says anything about.
    print(render_table(replace(verdict, clauses=tuple(r for r in verdict.clauses if r.tests)) if replay else verdict))
    print(f"\n{verdict.summary}")
    if outcome.reference:
        print(REFERENCE_NOTICE)
    _write_reports(args, verdict)
    if outcome.incomplete is not None:
        print(f"qts-conformance: the run could not complete: {outcome.incomplete}", file=sys.stderr)
        return EXIT_INCOMPLETE
    return exit_code(verdict)


def exit_code(verdict: Verdict) -> int:
    """Of a run that completed and bound the implementation: a known failure does not fail
    the run, a stale known-failure entry does."""
    return EXIT_FAILED if verdict.failed or verdict.untested or verdict.stale else EXIT_PASS


def _write_reports(args: argparse.Namespace, verdict: Verdict) -> None:
    if args.report is not None:
        args.report.write_text(to_json(verdict) + "\n", encoding="utf-8")
    if args.junit is not None:
        args.junit.write_text(to_junit(verdict) + "\n", encoding="utf-8")
    if args.markdown is not None:
        with args.markdown.open("a", encoding="utf-8") as markdown:
            markdown.write(to_markdown(verdict, args.spec_url))


def _become_isolated(argv: list[str]) -> None:
    """Run again as ``python -I -m conformance_tests.cli``: whatever the environment put
    in this interpreter (a ``sitecustomize`` on ``PYTHONPATH``, a ``.pth`` of the user
    site) is gone before the judge imports anything."""
    executable = sys.executable
    os.execv(executable, [executable, "-I", "-m", "conformance_tests.cli", *argv])


def _exit_now(code: int) -> None:
    """End the judge once its verdict is printed and written, without tearing down its
    heap: the channel kept every value a run sent, and the interpreter's final collection
    and deallocation of them took 6 to 7 s of a ci run (docs/benchmarks.md). The host
    has exited and every report file is closed by now; only the streams need a flush
    (a reader that went away, as ``| head`` does, does not change the exit code)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:
            pass
    os._exit(code)


if __name__ == "__main__":
    _exit_now(main())
