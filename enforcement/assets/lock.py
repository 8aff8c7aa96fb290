"""The Phase 4 asset lock: which files are assets, what they were when locked (content
hash and API surface), and the evidence behind every change since (seed section 4).

Configuration lives in ``pyproject.toml``::

    [tool.qts-assets]
    lock = "phase4.lock"          # default
    pythonpath = ["src"]          # where the asset packages are importable from
    assets = ["src/runtime/execution_loop/loop.py", ...]   # default: the seed's list
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from enforcement.assets.surface import Surface, api_surface

SEED_ASSETS = (
    "src/runtime/execution_loop/loop.py",
    "src/runtime/execution_loop/controller.py",
    "src/runtime/execution_loop/policies/stop_policy.py",
    "src/runtime/execution_state/order_state.py",
    "src/runtime/execution_state/transition.py",
    "src/runtime/risk/interfaces/risk_gate.py",
    "src/runtime/risk/noop_risk_gate.py",
)
"""The seed's asset list (section 2), the default for a QTS repository."""

FORMAT = 1


class LockError(Exception):
    """The lock cannot be read, written or honoured; the message says what to do."""


@dataclass(frozen=True)
class Config:
    root: Path
    lock_path: Path
    pythonpath: Path
    assets: tuple[str, ...]

    @classmethod
    def load(cls, root: Path) -> Config:
        pyproject = root / "pyproject.toml"
        table: dict[str, Any] = {}
        if pyproject.exists():
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            table = cast(dict[str, Any], data.get("tool", {}).get("qts-assets", {}))
        assets = tuple(str(a) for a in table.get("assets", SEED_ASSETS))
        pythonpath = table.get("pythonpath", ["src"])
        if not isinstance(pythonpath, list) or len(cast(list[object], pythonpath)) != 1:
            raise LockError("[tool.qts-assets] pythonpath must be a list with one directory, e.g. [\"src\"]")
        return cls(root, root / str(table.get("lock", "phase4.lock")), root / str(cast(list[object], pythonpath)[0]), assets)


@dataclass
class AssetRecord:
    sha256: str
    api: Surface


@dataclass
class Lock:
    base_commit: str
    assets: dict[str, AssetRecord]
    evidence: list[dict[str, str]] = field(default_factory=list[dict[str, str]])

    def dump(self, path: Path) -> None:
        data = {
            "format": FORMAT,
            "about": "Phase 4 asset lock (seed section 4). Change an asset only with "
            "`qts-assets unlock --test <test id>`; `qts-assets verify` fails otherwise.",
            "base_commit": self.base_commit,
            "assets": {name: {"sha256": r.sha256, "api": r.api} for name, r in sorted(self.assets.items())},
            "evidence": self.evidence,
        }
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> Lock:
        if not path.exists():
            raise LockError(f"no lock at {path}; create it once with `qts-assets lock`")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise LockError(f"{path}: unknown lock format {data.get('format')!r} (this kit reads {FORMAT})")
            assets = {n: AssetRecord(r["sha256"], dict(r["api"])) for n, r in data["assets"].items()}
            return cls(str(data["base_commit"]), assets, list(data.get("evidence", [])))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise LockError(f"{path} is not a valid asset lock ({type(error).__name__}: {error})") from error


def record(config: Config, asset: str, root: Path | None = None) -> AssetRecord:
    """Hash and API surface of one asset, read under ``root`` (default: the project)."""
    base = root or config.root
    path = base / asset
    if not path.is_file():
        raise LockError(f"asset {asset} does not exist under {base}")
    pythonpath = base / config.pythonpath.relative_to(config.root)
    return AssetRecord(hashlib.sha256(path.read_bytes()).hexdigest(), api_surface(path, pythonpath))


def differences(asset: str, locked: AssetRecord, current: AssetRecord | None) -> list[str]:
    """What changed in ``asset`` since it was locked, symbol by symbol."""
    if current is None:
        return [f"{asset}: the asset was deleted"]
    if current.sha256 == locked.sha256:
        return []
    found: list[str] = []
    for symbol in sorted(locked.api.keys() | current.api.keys()):
        old, new = locked.api.get(symbol), current.api.get(symbol)
        if old == new:
            continue
        if new is None:
            found.append(f"{asset}: {symbol} removed (was `{old}`)")
        elif old is None:
            found.append(f"{asset}: {symbol} added (`{new}`)")
        else:
            found.append(f"{asset}: {symbol} changed\n      old: {old}\n      new: {new}")
    return found or [f"{asset}: the implementation changed (public API unchanged)"]
