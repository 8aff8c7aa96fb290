"""``./scripts/mutation``: run mutmut over each target and write docs/mutation.md.

Each target runs in its own copy of the repository under ``build/mutation/<target>``
(mutmut works on a ``mutants/`` copy of the current directory and reads its settings
from ``setup.cfg`` there), so the two targets can use different tests: the reference
runtime is judged by the conformance suite alone, spec's checks by the oracle tests.
mutmut runs, for each mutant, only the tests that reach the mutated function, in
process (its trampolines, no subprocess per test), in ``workers`` forked children.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from mutation.contract import recorded_section
from mutation.report import Mutant, Run, Status, load_reviews, load_untested, parse_results, render, review_entry, unclassified

ROOT = Path(__file__).resolve().parent.parent
REVIEWED = ROOT / "mutation" / "reviewed.toml"
DOC = ROOT / "docs" / "mutation.md"
COPIED = ("spec", "reference_impl", "conformance_tests", "tests", "pyproject.toml")
"""What a target's work directory holds: the packages the tests import, and the tests."""


@dataclass(frozen=True)
class Target:
    name: str
    description: str
    source: str
    mutate: tuple[str, ...]
    tests: tuple[str, ...]


TARGETS = (
    Target(
        "runtime",
        "`reference_impl/runtime/**` by the conformance suite",
        "reference_impl",
        ("reference_impl/runtime/*",),
        ("conformance_tests",),
    ),
    Target(
        "spec",
        "`spec/{extension,interface,state_machine,values}.py` by the oracle tests",
        "spec",
        ("spec/extension.py", "spec/interface.py", "spec/state_machine.py", "spec/values.py"),
        (
            "conformance_tests/test_state_model.py",
            "conformance_tests/test_interfaces.py",
            "tests/test_oracle_checks.py",
            "tests/test_values.py",
            "tests/test_values_untrusted.py",
            "tests/runtime/execution_state/test_phase4_order_state_transition.py",
        ),
    ),
)

PYTEST_ARGS = (
    "-o", "addopts=", "-p", "no:cacheprovider", "-p", "no:xdist", "-p", "mutation.pytest_plugin",
    "-W", "ignore::pytest.PytestAssertRewriteWarning", "--qts-impl=reference",
)
"""The repository's addopts run tests in xdist workers, where mutmut's in-process
trampolines cannot see which functions a test reached; mutation.pytest_plugin skips
shrinking and runs example tests first."""


def setup_cfg(target: Target) -> str:
    def listing(items: tuple[str, ...]) -> str:
        return "".join(f"\n    {item}" for item in items)

    also = tuple(item for item in COPIED if item != target.source)
    return (
        "[mutmut]\n"
        f"source_paths = {target.source}\n"
        f"only_mutate ={listing(target.mutate)}\n"
        f"also_copy ={listing(also)}\n"
        f"pytest_add_cli_args_test_selection ={listing(target.tests)}\n"
        f"pytest_add_cli_args ={listing(PYTEST_ARGS)}\n"
    )


def _prepare(target: Target, fresh: bool) -> Path:
    work = ROOT / "build" / "mutation" / target.name
    if fresh and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    if not fresh:
        forget_changed(work, ROOT)
    ignore = shutil.ignore_patterns("__pycache__", ".hypothesis")
    for item in COPIED:
        source, copy = ROOT / item, work / item
        if source.is_dir():
            shutil.copytree(source, copy, ignore=ignore, dirs_exist_ok=True)
        else:
            shutil.copy2(source, copy)
    (work / "setup.cfg").write_text(setup_cfg(target), encoding="utf-8")
    return work


def forget_changed(work: Path, root: Path) -> None:
    """Drop mutmut's mutants and results of every copied file whose source changed since
    the kept run: mutmut does not notice a changed file in a kept ``mutants/`` and would
    report the old code's results as the new code's. (A changed test is not noticed
    either: after one, run without --keep.)"""
    mutants = work / "mutants"
    for meta in mutants.rglob("*.py.meta"):  # the mutated files (the tests are only copied)
        kept = meta.with_suffix("")
        relative = kept.relative_to(mutants)
        source, copy = root / relative, work / relative
        if not copy.exists() or not source.exists() or source.read_bytes() != copy.read_bytes():
            for stale in (kept, meta, kept.with_name(kept.name + ".spans")):
                stale.unlink(missing_ok=True)


def _mutmut(work: Path, *arguments: str, capture: bool = False) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in ("QTS_IMPL", "PYTHONPATH")}
    # mutmut's progress spinner goes to the log; the verdicts are read from its results.
    with (work / "mutmut.log").open("a", encoding="utf-8") as log:
        done = subprocess.run(
            [str(Path(sys.executable).parent / "mutmut"), *arguments],
            cwd=work, env=environment, check=False, text=True,
            stdout=subprocess.PIPE if capture else log, stderr=log,
        )
    if done.returncode != 0:
        raise SystemExit(f"mutation: `mutmut {' '.join(arguments)}` failed in {work} (exit {done.returncode}); see {work / 'mutmut.log'}")
    return done.stdout or ""


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def run_target(target: Target, workers: int, names: tuple[str, ...], fresh: bool) -> None:
    """Run mutmut on ``target`` and record how long it took, on what, under what load
    (``run.json``). A run over kept results (limited to ``names``, or to the mutants of
    sources changed since) is recorded as a re-test beside the full run it completes."""
    work = _prepare(target, fresh)
    record = work / "run.json"
    runs: dict[str, Any] = json.loads(record.read_text(encoding="utf-8")) if record.exists() and not fresh else {}
    entry = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "workers": workers,
             "cores": os.cpu_count(), "load_before": _load(), "mutants": list(names)}
    start = time.monotonic()
    _mutmut(work, "run", "--max-children", str(workers), *names)
    entry |= {"seconds": round(time.monotonic() - start, 1), "load_after": _load()}
    if runs:  # kept results: this run re-tested the named mutants, or those of changed sources
        runs.setdefault("retests", []).append(entry)
    else:
        runs = {"full": entry, "retests": []}
    record.write_text(json.dumps(runs, indent=2), encoding="utf-8")


def read_target(target: Target) -> tuple[Run, dict[str, Any]]:
    """mutmut's verdicts in ``target``'s work directory, with diffs of the survivors."""
    work = ROOT / "build" / "mutation" / target.name
    record = work / "run.json"
    if not record.exists():
        raise SystemExit(f"mutation: no run of {target.name} in {work}; run ./scripts/mutation --target {target.name}")
    runs: dict[str, Any] = json.loads(record.read_text(encoding="utf-8"))
    mutants = parse_results(target.name, _mutmut(work, "results", "--all", "true", capture=True))
    shown = [
        Mutant(m.target, m.name, m.status, _mutmut(work, "show", m.name, capture=True))
        if m.status is Status.SURVIVED else m
        for m in mutants
        if m.status is not Status.NOT_CHECKED  # outside the names a trial run asked for
    ]
    seconds = runs["full"]["seconds"] + sum(r["seconds"] for r in runs["retests"])
    return Run(target.name, target.description, tuple(shown), seconds), runs


def _describe(target: str, runs: dict[str, Any]) -> str:
    full = runs["full"]
    text = (f"{full['seconds'] / 60:.1f} min on {full['workers']} worker(s) ({full['cores']} cores), {full['date']}; "
            f"load average (1/5/15 min) {full['load_before']} before, {full['load_after']} after")
    for retest in runs["retests"]:
        what = (f"{len(retest['mutants'])} mutant(s) re-tested after a suite change" if retest["mutants"]
                else "the mutants of the sources changed since re-tested")
        text += f"; then {what} in {retest['seconds'] / 60:.1f} min ({retest['date']})"
    return text + (f". {runs['note']}" if runs.get("note") else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/mutation", description=__doc__)
    parser.add_argument("--workers", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("--target", choices=[t.name for t in TARGETS], action="append",
                        help="only this target (repeatable; default: all)")
    parser.add_argument("--keep", action="store_true", help="reuse mutmut's earlier results in build/mutation")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/mutation.md (trial runs)")
    parser.add_argument("--report-only", action="store_true",
                        help="run nothing: rewrite docs/mutation.md from the results in build/mutation")
    parser.add_argument("names", nargs="*", help="only mutants matching these mutmut names/globs")
    options = parser.parse_args(argv)
    chosen = [t for t in TARGETS if not options.target or t.name in options.target]
    if not options.report_only:
        for target in chosen:
            run_target(target, options.workers, tuple(options.names), not options.keep)
    read = [read_target(t) for t in chosen]
    runs = [run for run, _ in read]
    reviews = load_reviews(REVIEWED)
    total = sum(r.seconds for r in runs)
    header = {
        "tool": f"mutmut {version('mutmut')} (`./scripts/mutation`)",
        "total time (the runs below, summed)": f"{total / 60:.1f} min",
        **{run.target: _describe(run.target, record) for run, record in read},
    }
    if not options.no_doc:
        contract = recorded_section()
        DOC.write_text(render(runs, reviews, header, load_untested(REVIEWED)) + (f"\n{contract}" if contract else ""), encoding="utf-8")
        print(f"mutation: wrote {DOC.relative_to(ROOT)} ({total / 60:.1f} min of runs)")
    missing = unclassified(runs, reviews)
    if missing:
        print(f"\nmutation: {len(missing)} UNCLASSIFIED survivor(s); review each and add it to "
              f"{REVIEWED.relative_to(ROOT)}:\n", file=sys.stderr)
        for mutant in missing:
            print(review_entry(mutant), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
