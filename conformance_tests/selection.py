"""Which clauses a partial run covers (``--clauses`` of the CLI, ``--qts-clauses`` of the
plugin): a diagnosis while working on a clause, never a verdict."""

from __future__ import annotations

from spec.clauses import CLAUSES


def parse_clauses(option: str) -> frozenset[str]:
    """The clause ids in a comma-separated ``option``; ValueError naming any unknown one."""
    wanted = frozenset(cid.strip() for cid in option.split(",") if cid.strip())
    unknown = sorted(wanted - set(CLAUSES))
    if not wanted or unknown:
        raise ValueError(f"unknown clause(s) {', '.join(unknown) or '(none given)'} in {option!r}; "
                         f"known: {', '.join(CLAUSES)}")
    return wanted
