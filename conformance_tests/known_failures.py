"""Gradual adoption: a file of known, tracked failures (``--known-failures FILE``).

A team that adopts the suite with a failure it has tracked but not yet fixed lists it,
with why and where it is tracked; the clause is then reported as a *known failure*,
never as passed, and the command exits 0 if nothing else fails. An entry that no longer
fails is *stale* and fails the run, so the file cannot rot into a list of silent
exemptions. The file (TOML)::

    [[known]]
    clause = "LOOP-12"                      # or: test = "conformance_tests/...::test_name"
    reason = "an interrupt inside settle() leaves the order open"
    tracking = "https://tracker.example/QTS-123"
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from spec.clauses import CLAUSES

from conformance_tests.report import ClauseResult, Status

_KEYS = frozenset({"clause", "test", "reason", "tracking"})


class KnownFailuresError(Exception):
    """The file cannot be read as a list of known failures: the message says where."""


@dataclass(frozen=True)
class KnownFailure:
    """One tracked failure: a clause, or one test (its pytest node id), why, and where."""

    clause: str | None
    test: str | None
    reason: str
    tracking: str

    @property
    def names(self) -> str:
        return self.clause if self.clause is not None else f"test {self.test}"

    @property
    def cited(self) -> str:
        """Why, and where it is tracked, as every report says it."""
        return f"{self.reason} ({self.tracking})"


def load(path: Path) -> tuple[KnownFailure, ...]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))  # a BOM some editors write is no TOML error
    except OSError as error:
        raise KnownFailuresError(f"{path}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise KnownFailuresError(f"{path}: not UTF-8 text (byte {error.start}); save it as UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise KnownFailuresError(f"{path}: not TOML: {error}") from None
    except RecursionError:
        raise KnownFailuresError(f"{path}: nested deeper than TOML can be read; the file holds flat [[known]] entries") from None
    unknown = sorted(set(data) - {"known"})
    if unknown:
        raise KnownFailuresError(f"{path}: unknown table or key {unknown[0]!r}; the file holds [[known]] entries only")
    entries: object = data.get("known", [])
    if not isinstance(entries, list):
        raise KnownFailuresError(f"{path}: `known` must be an array of tables ([[known]])")
    found = tuple(_entry(path, n, entry) for n, entry in enumerate(entries, 1))  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]
    first_of: dict[str, int] = {}
    for n, entry in enumerate(found, 1):
        first = first_of.setdefault(entry.names, n)
        if first != n:
            raise KnownFailuresError(f"{path}: entry {n} names {entry.names} again (entry {first}); one entry each, "
                                     "so the reason and tracking link cited are the ones meant")
    return found


def _entry(path: Path, n: int, entry: object) -> KnownFailure:
    where = f"{path}: entry {n}"
    if not isinstance(entry, dict):
        raise KnownFailuresError(f"{where}: not a table")
    fields: dict[str, object] = {str(k): v for k, v in entry.items()}  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    unknown = sorted(set(fields) - _KEYS)
    if unknown:
        raise KnownFailuresError(f"{where}: unknown key {unknown[0]!r} (keys: clause or test, reason, tracking)")
    text = {k: v for k, v in fields.items() if isinstance(v, str) and v.strip()}
    if len(text) != len(fields):
        bad = next(k for k in fields if k not in text)
        raise KnownFailuresError(f"{where}: {bad!r} must be a non-empty string")
    if ("clause" in text) == ("test" in text):
        raise KnownFailuresError(f"{where}: name exactly one of `clause` or `test`")
    for required in ("reason", "tracking"):
        if required not in text:
            raise KnownFailuresError(f"{where}: `{required}` is required: a known failure says why, and where it is tracked")
    clause = text.get("clause")
    if clause is not None and clause not in CLAUSES:
        raise KnownFailuresError(f"{where}: no clause {clause!r} (the clauses: {', '.join(CLAUSES)})")
    return KnownFailure(clause, text.get("test"), text["reason"], text["tracking"])


@dataclass(frozen=True)
class Waived:
    """The clause results with the known failures marked, and what the file got wrong."""

    clauses: tuple[ClauseResult, ...]
    known: tuple[KnownFailure, ...]
    """The entries that waived a failure in this run."""
    stale: tuple[KnownFailure, ...]
    """The entries whose clause or test ran and did not fail."""


def waive(results: Sequence[ClauseResult], entries: Sequence[KnownFailure]) -> Waived:
    """A failed clause becomes KNOWN when an entry names it, or names every one of its
    failed tests; an entry whose clause or test ran without failing is stale. A clause
    left untested (a partial run) tells nothing either way."""
    by_clause = {e.clause: e for e in entries if e.clause is not None}
    by_test = {e.test: e for e in entries if e.test is not None}
    clauses: list[ClauseResult] = []
    used: dict[KnownFailure, None] = {}
    for result in results:
        failed = [t.nodeid for t in result.tests if t.outcome == "failed"]
        covering = [by_clause[result.id]] if result.id in by_clause else [by_test[t] for t in failed if t in by_test]
        if result.status is Status.FAIL and covering and (result.id in by_clause or len(covering) == len(failed)):
            used.update(dict.fromkeys(covering))
            clauses.append(replace(result, status=Status.KNOWN))
        else:
            clauses.append(result)
    ran = {t.nodeid: t.outcome for r in results for t in r.tests}
    status = {r.id: r.status for r in results}
    stale = tuple(
        e for e in entries if e not in used and (
            (e.clause is not None and status.get(e.clause) not in (Status.UNTESTED, Status.FAIL))
            or (e.test is not None and e.test in ran and ran[e.test] != "failed")
            or (e.test is not None and e.test not in ran and not any(s is Status.UNTESTED for s in status.values()))
        )
    )
    return Waived(tuple(clauses), tuple(used), stale)
