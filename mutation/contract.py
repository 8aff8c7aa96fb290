"""``./scripts/mutation --contract``: contract-aware mutants, judged by the conformance suite.

mutmut changes operators and constants; the mistakes that break this contract are
one-line changes it never makes: an ``except`` narrowed to one type, ``is True`` read as
truthiness or ``== True``, a collection bounded by a window, an id case-folded, an
argument rebuilt instead of passed on, state carried from one run to the next, a cache
keyed by something coarser. Each operator below is a regular expression over the
source; every place it matches is one mutant. A mutant is a copy of the target's
sources with that one change, run through the whole conformance suite in a fresh
process (stopping at the first failure, no shrinking): it is killed when a clause
fails, and survives otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "mutation" / "contract.json"
REVIEWED = ROOT / "mutation" / "contract_reviewed.json"
"""Survivors reviewed as equivalent: ``"target:file:line:operator"`` -> the reason."""

_HELPERS = '''

class _Windowed(set):  # type: ignore[type-arg]
    """A set that forgets all but its last 64 members."""

    def add(self, item: object) -> None:
        super().add(item)
        if len(self) > 64:
            self.clear()
            super().add(item)
'''
"""What a mutant's edit may refer to, appended to its module."""


@dataclass(frozen=True)
class Operator:
    name: str
    what: str
    pattern: str
    replacement: str
    whole: bool = False
    """One mutant changes every place at once (a key must change where it is written
    and where it is read, or the cache only misses)."""
    carried: tuple[int, int] | None = None
    """The edit refers to a module-level ``_carried_<name>`` it adds: the groups of the
    name and of the empty collection it starts as."""


OPERATORS = (
    Operator("narrow-except", "narrow an `except Exception` to RuntimeError", r"except Exception\b", "except RuntimeError"),
    Operator("is-true-truthy", "`x is True` read as truthiness", r"if (\w+) is True:", r"if \1:"),
    Operator("is-true-eq", "`is True` to `== True`", r"\b(\w+) is True\b", r"\1 == True"),
    Operator("is-not-true-ne", "`is not True` to `!= True`", r"\b(\w+) is not True\b", r"\1 != True"),
    Operator("is-true-not-false", "`x is True` to `x is not False`", r"\b(\w+) is True\b", r"\1 is not False"),
    Operator("window", "bound a set of what was seen by a window", r"\bset\(\)", "_Windowed()"),
    Operator("bound-report", "keep the last 100 records of a collection", r"\btuple\((\w+)\)", r"tuple(\1[-100:])"),
    Operator("casefold-id", "case-fold an id before comparing it", r"\b(\w*_id) in (\w+)", r"\1.casefold() in \2"),
    Operator("rebuild-argument", "pass a copy instead of the argument",
             r"\.(execute|before_intent)\((\w+)\)", r".\1(__import__('copy').copy(\2))"),
    Operator("carry-state", "keep a run's collection across runs (module level)",
             r"\n(\s+)(\w+)(?:: [^=\n]+)? = (set\(\)|dict\(\)|list\(\)|\{\}|\[\])", r"\n\1\2 = _carried_\2", carried=(2, 3)),
    Operator("share-state", "share an object's collection between all instances (module level)",
             r"self\.(\w+)(?:: [^=\n]+)? = (set\(\)|dict\(\)|list\(\)|\{\}|\[\])", r"self.\1 = _carried_\1", carried=(1, 2)),
    Operator("coarse-key", "key a cache by the length of its key", r"(\w+)\[events\]", r"\1[len(events)]", whole=True),
)


@dataclass(frozen=True)
class Target:
    name: str
    description: str
    root: Path
    """The directory put first on the import path (its packages shadow the installed ones)."""
    packages: tuple[str, ...]
    """The packages copied from ``root`` into each mutant's directory."""
    files: tuple[str, ...]
    """The sources mutated, relative to ``root``."""
    binding: str
    path: tuple[Path, ...] = ()
    """More directories on the import path, after the mutant's copy."""


EXAMPLE_SRC = ROOT / "examples" / "acme_desk" / "src"

TARGETS = (
    Target("runtime", "`reference_impl/runtime/**`", ROOT, ("reference_impl",),
           tuple(str(p.relative_to(ROOT)) for p in sorted((ROOT / "reference_impl" / "runtime").rglob("*.py"))),
           "reference_impl.binding"),
    Target("acme_desk", "`examples/acme_desk/src/{desk,runtime}/**` (the example's Phase 5 binding)",
           ROOT / "examples" / "acme_desk" / "src", ("broker", "desk", "runtime", "strategy"),
           tuple(str(p.relative_to(ROOT / "examples" / "acme_desk" / "src"))
                 for d in ("desk", "runtime") for p in sorted((ROOT / "examples" / "acme_desk" / "src" / d).rglob("*.py"))),
           "desk.binding"),
    Target("runtime-via-acme", "`reference_impl/runtime/**` through the example's binding (its model, outcomes, production gate)",
           ROOT, ("reference_impl",),
           tuple(str(p.relative_to(ROOT)) for p in sorted((ROOT / "reference_impl" / "runtime").rglob("*.py"))),
           "desk.binding", (EXAMPLE_SRC,)),
)


@dataclass(frozen=True)
class Result:
    target: str
    operator: str
    file: str
    line: int
    before: str
    after: str
    killed: bool
    clause: str
    """The first clause that failed, or "" for a survivor."""


def mutants(source: str, operator: Operator) -> list[tuple[int, str]]:
    """``(line, mutated source)`` for every place ``operator`` matches ``source``."""
    found: list[tuple[int, str]] = []
    if operator.whole:
        mutated, count = re.subn(operator.pattern, operator.replacement, source)
        first = re.search(operator.pattern, source)
        return [(source.count("\n", 0, first.start()) + 1, mutated)] if count and first else []
    for match in re.finditer(operator.pattern, source):
        edited = match.expand(operator.replacement)
        mutated = source[: match.start()] + edited + source[match.end():]
        if operator.carried is not None:
            name, empty = match.group(operator.carried[0]), match.group(operator.carried[1])
            mutated += f"\n_carried_{name} = {empty}\n"
        if "_Windowed" in edited:
            mutated += _HELPERS
        found.append((source.count("\n", 0, match.start() + 1) + 1, mutated))
    return found


def judge(target: Target, file: str, mutated: str) -> str:
    """Run the conformance suite on ``target`` with ``file`` replaced by ``mutated``;
    the first failing clause, or "" if the suite passes."""
    with tempfile.TemporaryDirectory(prefix="qts-contract-mutant-") as work:
        copy = Path(work) / "src"
        for package in target.packages:
            shutil.copytree(target.root / package, copy / package, ignore=shutil.ignore_patterns("__pycache__"))
        (copy / file).write_text(mutated, encoding="utf-8")
        environment = {**{k: v for k, v in os.environ.items() if k != "QTS_IMPL"}, "PYTHONPATH": os.pathsep.join(map(str, (copy, *target.path))),
                       "PYTHONDONTWRITEBYTECODE": "1"}
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "--pyargs", "conformance_tests", "-x", "-q", "--tb=line", "--no-header",
             "--import-mode=append",  # the default puts this repository first, before the mutant
             "-o", "addopts=", "-p", "no:cacheprovider", "-p", "mutation.pytest_plugin", f"--qts-impl={target.binding}"],
            cwd=work, env=environment, capture_output=True, text=True, check=False, timeout=900,
        )
    if done.returncode == 0:
        return ""
    clause = re.search(r"^([A-Z]+-\d+) .* FAIL ", done.stdout, re.MULTILINE)
    return clause.group(1) if clause else f"exit {done.returncode}"


def run(targets: tuple[Target, ...]) -> list[Result]:
    results: list[Result] = []
    for target in targets:
        for file in target.files:
            source = (target.root / file).read_text(encoding="utf-8")
            for operator in OPERATORS:
                for line, mutated in mutants(source, operator):
                    before = source.splitlines()[line - 1].strip()
                    after = mutated.splitlines()[line - 1].strip()
                    clause = judge(target, file, mutated)
                    results.append(Result(target.name, operator.name, file, line, before, after, bool(clause), clause))
                    print(f"{target.name} {file}:{line} {operator.name}: {'killed by ' + clause if clause else 'SURVIVED'}",
                          flush=True)
    return results


def render(results: list[Result], equivalent: dict[str, str]) -> str:
    """The section of docs/mutation.md on the contract-aware operators."""
    lines = ["## Contract-aware operators (`./scripts/mutation --contract`)", "",
             "Generated by `mutation/contract.py` from `mutation/contract.json`. " + (__doc__ or "").split("\n\n")[1]
             .replace("\n", " "), "",
             "| target | operator | mutants | killed | survived | score |", "|---|---|---|---|---|---|"]
    for target in dict.fromkeys(r.target for r in results):
        for operator in OPERATORS:
            mine = [r for r in results if r.target == target and r.operator == operator.name]
            if mine:
                killed = sum(r.killed for r in mine)
                lines.append(f"| {target} | {operator.what} | {len(mine)} | {killed} | {len(mine) - killed} | "
                             f"{100 * killed / len(mine):.0f}% |")
    lines.append("")
    for target in dict.fromkeys(r.target for r in results):
        mine = [r for r in results if r.target == target]
        killed = sum(r.killed for r in mine)
        reviewed = sum(not r.killed and f"{r.target}:{r.file}:{r.line}:{r.operator}" in equivalent for r in mine)
        lines.append(f"- **{target}**: {killed} of {len(mine)} killed ({100 * killed / len(mine):.0f}%), "
                     f"{reviewed} survivor(s) reviewed below, {len(mine) - killed - reviewed} unreviewed "
                     "(beside mutmut's syntactic score in the table at the top)")
    lines += ["", "Each mutant, the clause that killed it, or why it survives:", ""]
    for r in results:
        key = f"{r.target}:{r.file}:{r.line}:{r.operator}"
        verdict = f"killed by {r.clause}" if r.killed else f"SURVIVED: {equivalent.get(key, 'not reviewed')}"
        lines.append(f"- `{r.file}:{r.line}` {r.operator}: `{r.after[:110]}`: {verdict}")
    return "\n".join(lines) + "\n"


MARKER = "## Contract-aware operators"


def recorded_section() -> str:
    """The section rendered from the recorded results, or "" before the first run (for
    mutation.run, which rewrites the rest of docs/mutation.md)."""
    if not RESULTS.exists():
        return ""
    results = [Result(**r) for r in json.loads(RESULTS.read_text(encoding="utf-8"))["results"]]
    return render(results, json.loads(REVIEWED.read_text(encoding="utf-8")) if REVIEWED.exists() else {})


def write_doc(doc: Path, section: str) -> None:
    text = doc.read_text(encoding="utf-8")
    kept = text[: text.index(MARKER)].rstrip("\n") + "\n\n" if MARKER in text else text.rstrip("\n") + "\n\n"
    doc.write_text(kept + section, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mutation.contract", description=__doc__)
    parser.add_argument("--target", choices=[t.name for t in TARGETS], action="append")
    parser.add_argument("--report-only", action="store_true", help="rewrite the doc section from mutation/contract.json")
    options = parser.parse_args(argv)
    if options.report_only:
        results = [Result(**r) for r in json.loads(RESULTS.read_text(encoding="utf-8"))["results"]]
    else:
        chosen = tuple(t for t in TARGETS if not options.target or t.name in options.target)
        results = run(chosen)
        RESULTS.write_text(json.dumps({"results": [asdict(r) for r in results]}, indent=1), encoding="utf-8")
    equivalent: dict[str, str] = json.loads(REVIEWED.read_text(encoding="utf-8")) if REVIEWED.exists() else {}
    write_doc(ROOT / "docs" / "mutation.md", render(results, equivalent))
    survivors = [r for r in results if not r.killed and f"{r.target}:{r.file}:{r.line}:{r.operator}" not in equivalent]
    print(f"contract mutants: {len(results)}, killed {sum(r.killed for r in results)}, unreviewed survivors {len(survivors)}")
    return 1 if survivors else 0


if __name__ == "__main__":
    raise SystemExit(main())
