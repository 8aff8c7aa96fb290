"""The lock file: what each locked file was (content hash and API surface) and the
append-only history of records that accepted every change since the first lock
(seed section 4). ``history.py`` checks that history against git.

Record kinds (each with ``by``, ``recorded``):
    lock         the first lock (``commit``)
    add          files newly locked (``assets``), or kit modules newly recorded (``kit_modules``); adding a
                 lock restricts, so no evidence is needed, unless what it adds changes what an asset runs
    evidence     a test failing on ``locked_version`` and passing on ``new_version`` (``test``, ``assets``)
    tidy         a non-behavioural change of ``assets`` (same API, same code but docs/annotations), ``reason``
    rebaseline   a deliberate new baseline (``reason``, ``commit``), reported until acknowledged
    acknowledge  a reviewer accepted rebaseline number ``rebaseline`` (its index in the history)

Format 1 (the kit before this history existed) is read too: its ``evidence`` list becomes
``evidence`` and ``rebaseline`` records.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from enforcement.assets.config import LockError
from enforcement.assets.surface import Surface

FORMAT = 2
MARKER = "Phase 4 asset lock (seed section 4)"
"""In every lock format's ``about``: how earlier locks are found in git history."""

Record = dict[str, Any]
CHANGE_KINDS = frozenset({"evidence", "tidy"})


@dataclass(frozen=True)
class Entry:
    sha256: str
    api: Surface
    locked_because: str | None = None
    """For a file locked with the assets without being listed: why (e.g. ``imported by ...``)."""


@dataclass
class Lock:
    entries: dict[str, Entry]
    history: list[Record] = field(default_factory=list[Record])
    format: int = FORMAT
    kit: dict[str, Any] = field(default_factory=dict[str, Any])
    """The installed kit the assets ran with: ``{"version": ..., "modules": {module: sha256}}`` (empty where
    the assets load no kit module from outside the project, as in the kit's own repository)."""

    @property
    def kit_modules(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in cast(dict[str, Any], self.kit.get("modules", {})).items()}

    def dump(self, path: Path) -> None:
        data = {
            "format": FORMAT,
            "about": f"{MARKER}. Change a locked file only with `qts-assets unlock --test <test id>` "
            "(or `tidy`, or a reasoned `lock --rebaseline`); `qts-assets verify` checks every record against git history.",
            "assets": {name: _entry_json(e) for name, e in sorted(self.entries.items())},
            "history": self.history,
            **({"kit": self.kit} if self.kit else {}),
        }
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> Lock:
        if not path.exists():
            raise LockError(f"no lock at {path}; create it once with `qts-assets lock`")
        return cls.parse(path.read_text(encoding="utf-8"), str(path))

    @classmethod
    def parse(cls, text: str, where: str) -> Lock:
        try:
            data = cast(dict[str, Any], json.loads(text))
            version = data.get("format")
            if version not in (1, FORMAT):
                raise LockError(f"{where}: unknown lock format {version!r} (this kit reads 1 and {FORMAT})")
            entries = {
                str(n): Entry(str(r["sha256"]), {str(k): str(v) for k, v in dict(r["api"]).items()}, r.get("locked_because"))
                for n, r in cast(dict[str, Any], data["assets"]).items()
            }
            if version == 1:
                return cls(entries, [_from_format_1(r) for r in data.get("evidence", [])], 1)
            return cls(entries, [cast(Record, r) for r in data["history"]], kit=cast(dict[str, Any], data.get("kit") or {}))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise LockError(f"{where} is not a valid asset lock ({type(error).__name__}: {error}); restore it from "
                            "git, or, during a merge, resolve it with `qts-assets merge-lock`") from error


def assets_of(record: Record) -> list[str]:
    return [str(a) for a in record.get("assets", [])]


def describe(record: Record) -> str:
    """One line for verify's report."""
    kind = record.get("kind")
    if kind == "evidence":
        return f"evidence: {record['test']} fails on {str(record['locked_version'])[:12]}, passes after ({', '.join(assets_of(record))})"
    if kind == "tidy":
        return f"tidy-up of {', '.join(assets_of(record))} by {record.get('by')}: {record.get('reason')}"
    if kind == "add":
        kit = [str(m) for m in record.get("kit_modules", [])]
        return (f"files added to the lock at {str(record.get('commit'))[:12]} by {record.get('by')}: "
                f"{', '.join(assets_of(record) + [f'kit module {m}' for m in kit])}")
    if kind == "rebaseline":
        return f"rebaseline at {str(record.get('commit'))[:12]} by {record.get('by')} ({record.get('recorded')}): {record.get('reason')}"
    return f"{kind} by {record.get('by')}"


def _entry_json(entry: Entry) -> dict[str, object]:
    data: dict[str, object] = {"sha256": entry.sha256, "api": entry.api}
    if entry.locked_because:
        data["locked_because"] = entry.locked_because
    return data


def _from_format_1(old: dict[str, Any]) -> Record:
    if "rebaselined_at" in old:
        return {"kind": "rebaseline", "commit": old["rebaselined_at"], "reason": old.get("reason", ""),
                "by": "(not recorded in lock format 1)", "recorded": old.get("recorded", "")}
    return {"kind": "evidence", "test": old["test"], "assets": [a.strip() for a in str(old["assets"]).split(",")],
            "locked_version": old["locked_version"], "on_locked_version": old.get("on_locked_version"),
            "on_new_version": old.get("on_new_version"), "by": "(not recorded in lock format 1)",
            "recorded": old.get("recorded", "")}
