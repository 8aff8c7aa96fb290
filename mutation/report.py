"""Reading mutmut's verdicts, classifying survivors and writing docs/mutation.md.

Pure functions over plain data, so that the classifier and the writer are tested on
fixture data (tests/test_mutation_report.py) without a mutation run. A survivor is
classified by the reviewed-survivors file (``mutation/reviewed.toml``), keyed by the
mutated function and the lines the mutant changes (not by mutmut's running number,
which shifts whenever a function gains or loses a mutant); one that file does not
know is *unclassified*, and the command fails on it.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Status(StrEnum):
    """mutmut's verdict on one mutant (``mutmut results --all true``)."""

    KILLED = "killed"
    SURVIVED = "survived"
    NO_TESTS = "no tests"
    TIMEOUT = "timeout"
    TYPE_CHECK = "caught by type check"
    SKIPPED = "skipped"
    SUSPICIOUS = "suspicious"
    SEGFAULT = "segfault"
    NOT_CHECKED = "not checked"

    @property
    def detected(self) -> bool:
        """The tests noticed the mutant: it failed them, hung or crashed them."""
        return self in (Status.KILLED, Status.TIMEOUT, Status.SEGFAULT, Status.TYPE_CHECK)


class Class(StrEnum):
    """What a surviving mutant means for the suite (docs/mutation.md)."""

    EQUIVALENT = "equivalent"
    """No input can tell it from the original; ``why`` says why."""
    MESSAGE_ONLY = "message-only"
    """It changes only a text the specification leaves free (a message, a detail)."""
    BEHAVIOUR = "behaviour"
    """It changes what the specification fixes (in spec: it weakens the oracle)."""


@dataclass(frozen=True)
class Mutant:
    target: str
    name: str
    """mutmut's name: ``module.function__mutmut_N``."""
    status: Status
    diff: str = ""
    """``mutmut show``'s unified diff (only fetched for mutants that were not detected)."""

    @property
    def function(self) -> str:
        return self.name.rsplit("__mutmut_", 1)[0]

    @property
    def key(self) -> tuple[str, str]:
        return self.function, changed_lines(self.diff)


@dataclass(frozen=True)
class Review:
    function: str
    change: str
    """The changed lines (see :func:`changed_lines`)."""
    klass: Class
    why: str

    @property
    def key(self) -> tuple[str, str]:
        return self.function, self.change


def changed_lines(diff: str) -> str:
    """The ``-``/``+`` lines of a unified diff, stripped, one per line: what identifies a
    mutation whatever its running number and the line it sits on."""
    lines = [
        line[0] + line[1:].strip()
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    return "\n".join(lines)


def parse_results(target: str, text: str) -> list[Mutant]:
    """Parse ``mutmut results --all true``: lines ``    name: status``."""
    found: list[Mutant] = []
    for line in text.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            found.append(Mutant(target, name, Status(status)))
    return found


def load_reviews(path: Path) -> list[Review]:
    """The reviewed survivors: ``[[survivor]]`` tables with function, change, class, why."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    reviews: list[Review] = []
    for entry in data.get("survivor", []):
        reviews.append(Review(entry["function"], entry["change"].strip(), Class(entry["class"]), entry["why"].strip()))
    return reviews


def load_untested(path: Path) -> dict[str, str]:
    """Why no test reaches a function: ``[[untested]]`` tables with function and why."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {entry["function"]: entry["why"].strip() for entry in data.get("untested", [])}


def review_entry(mutant: Mutant, klass: Class = Class.BEHAVIOUR, why: str = "TODO: review") -> str:
    """A ``[[survivor]]`` table for ``mutant``, to paste into the reviewed file."""
    # A literal string: diffs hold backslashes that must stay as they are.
    return (
        f"[[survivor]]\n# {mutant.name}\nfunction = {_toml_str(mutant.function)}\n"
        f"change = '''\n{mutant.key[1]}\n'''\nclass = \"{klass.value}\"\nwhy = {_toml_str(why)}\n"
    )


def _toml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class Classified:
    mutant: Mutant
    review: Review | None

    @property
    def klass(self) -> Class | None:
        return self.review.klass if self.review is not None else None


def classify(mutants: Iterable[Mutant], reviews: Sequence[Review]) -> list[Classified]:
    """Every surviving mutant with its review, or None when it has none."""
    by_key = {review.key: review for review in reviews}
    return [Classified(m, by_key.get(m.key)) for m in mutants if m.status is Status.SURVIVED]


@dataclass(frozen=True)
class Run:
    """One mutation run of one target, as the report shows it."""

    target: str
    description: str
    mutants: tuple[Mutant, ...]
    seconds: float


def _score(mutants: Sequence[Mutant]) -> str:
    if not mutants:
        return "n/a"
    detected = sum(m.status.detected for m in mutants)
    return f"{100 * detected / len(mutants):.1f}%"


def render(
    runs: Sequence[Run], reviews: Sequence[Review], header: Mapping[str, str], untested_why: Mapping[str, str] | None = None
) -> str:
    """docs/mutation.md: the totals, then every mutant that was not detected, by class."""
    out = [
        "# Mutation testing",
        "",
        "<!-- Generated by ./scripts/mutation; do not edit by hand. Classify survivors in mutation/reviewed.toml. -->",
        "",
        "Mutation testing measures what the checks catch of defects nobody planted: mutmut",
        "changes one operator, constant or call at a time and runs the tests that reach the",
        "changed function; a mutant the tests do not fail *survives*. The reference runtime is",
        "judged by the conformance suite alone (the checks implementers get); spec's checking",
        "code by the oracle tests. Every survivor is classified in `mutation/reviewed.toml`:",
        "**equivalent** (no input tells it apart: the reason is given), **message-only** (it",
        "changes only a text the specification leaves free), or **behaviour** (it changes what",
        "the specification fixes; in spec, it weakens the oracle). `./scripts/mutation` fails",
        "on an unclassified survivor, and the aim is no behaviour survivor and no mutant",
        "without tests.",
        "",
        "## The run",
        "",
        *(f"- {key}: {value}" for key, value in header.items()),
        "",
        "| target | what | mutants | killed | timeout | survived | no tests | other | score |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    all_classified: list[Classified] = []
    for run in runs:
        counts = Counter(m.status for m in run.mutants)
        other = len(run.mutants) - sum(counts[s] for s in (Status.KILLED, Status.TIMEOUT, Status.SURVIVED, Status.NO_TESTS))
        out.append(
            f"| {run.target} | {run.description} | {len(run.mutants)} | {counts[Status.KILLED]} | "
            f"{counts[Status.TIMEOUT]} | {counts[Status.SURVIVED]} | {counts[Status.NO_TESTS]} | {other} | "
            f"{_score(run.mutants)} |"
        )
        all_classified.extend(classify(run.mutants, reviews))
    out += ["", "Run times: " + ", ".join(f"{r.target} {r.seconds / 60:.1f} min" for r in runs) + ".", ""]

    by_class = Counter(c.klass for c in all_classified)
    out += [
        "## Survivors",
        "",
        "| target | unclassified | behaviour | message-only | equivalent |",
        "|---|---|---|---|---|",
    ]
    for run in runs:
        mine = Counter(c.klass for c in all_classified if c.mutant.target == run.target)
        out.append(
            f"| {run.target} | {mine[None]} | {mine[Class.BEHAVIOUR]} | {mine[Class.MESSAGE_ONLY]} | {mine[Class.EQUIVALENT]} |"
        )
    out.append("")
    sections: list[tuple[str, Class | None]] = [
        ("Unclassified (review these: add them to mutation/reviewed.toml)", None),
        ("Behaviour", Class.BEHAVIOUR),
        ("Message-only", Class.MESSAGE_ONLY),
        ("Equivalent", Class.EQUIVALENT),
    ]
    for title, klass in sections:
        if not by_class[klass]:
            continue
        out += [f"### {title}", ""]
        for item in sorted((c for c in all_classified if c.klass is klass), key=lambda c: c.mutant.name):
            out.append(f"- `{item.mutant.name}` ({item.mutant.target})" + (f": {item.review.why}" if item.review else ""))
            out += ["", "  ```text", *(f"  {line}" for line in item.mutant.key[1].splitlines()), "  ```", ""]
    untested = [m for run in runs for m in run.mutants if m.status is Status.NO_TESTS]
    if untested:
        out += ["### Without tests (no test reaches the mutated function)", ""]
        why = untested_why or {}
        out += [
            f"- `{m.name}` ({m.target})" + (f": {why[m.function]}" if m.function in why else "")
            for m in sorted(untested, key=lambda m: m.name)
        ]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def unclassified(runs: Sequence[Run], reviews: Sequence[Review]) -> list[Mutant]:
    return [c.mutant for run in runs for c in classify(run.mutants, reviews) if c.review is None]
