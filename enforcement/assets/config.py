"""Which files are Phase 4 assets and how to check a change to them, read from
``[tool.qts-assets]`` in ``pyproject.toml`` (seed sections 2-4)::

    [tool.qts-assets]
    lock = "phase4.lock"                 # default
    pythonpath = ["src"]                 # the source roots the asset packages live under
    assets = ["src/runtime/...", "tests/runtime/..."]   # default: the seed's list, tests included
    unlocked = ["src/runtime/_log.py"]   # imported by the assets, deliberately not locked
    conformance = ["{python}", "-m", "conformance_tests.cli", "--impl", "mypkg.qts_binding"]
    entry = ["mypkg.qts_binding"]        # imported the way production does; default: the --impl above
"""

from __future__ import annotations

import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, cast

SEED_ASSETS = (
    "src/runtime/execution_loop/loop.py",
    "src/runtime/execution_loop/controller.py",
    "src/runtime/execution_loop/policies/stop_policy.py",
    "src/runtime/execution_state/order_state.py",
    "src/runtime/execution_state/transition.py",
    "src/runtime/risk/interfaces/risk_gate.py",
    "src/runtime/risk/noop_risk_gate.py",
    "tests/runtime/execution_state/test_phase4_order_state_transition.py",
    "tests/runtime/execution_loop/test_phase4_execution_loop_integration.py",
)
"""The seed's asset list (section 2) and its test assets (section 3: "assetized together
with their tests"), the default for a QTS repository."""


DEFAULT_BINDING = "reference_impl.binding"
"""What ``qts-conformance`` tests without ``--impl`` (conformance_tests.binding.DEFAULT_TARGET)."""


class LockError(Exception):
    """The lock cannot be read, written or honoured; the message says what to do."""


def is_test_file(path: str) -> bool:
    """Test assets are run, not imported: their companions are conftest files, not imports."""
    name = PurePosixPath(path).name
    return name == "conftest.py" or ((name.startswith("test_") or name.endswith("_test.py")) and name.endswith(".py"))


@dataclass(frozen=True)
class Config:
    root: Path
    lock_path: Path
    pythonpath: tuple[Path, ...]
    assets: tuple[str, ...]
    unlocked: tuple[str, ...]
    conformance: tuple[str, ...]
    entry: tuple[str, ...] | None = None
    """Modules production imports the assets through (its binding); None: the conformance command's ``--impl``."""

    @classmethod
    def load(cls, root: Path) -> Config:
        table = _table(root / "pyproject.toml")
        assets = tuple(_strings(table, "assets", SEED_ASSETS))
        pythonpath = tuple(root / p for p in _strings(table, "pythonpath", ("src",)))
        if not pythonpath:
            raise LockError('[tool.qts-assets] pythonpath names no directory; give at least one, e.g. ["src"]')
        config = cls(
            root, root / str(table.get("lock", "phase4.lock")), pythonpath, assets,
            tuple(_strings(table, "unlocked", ())), tuple(_strings(table, "conformance", ())),
            tuple(_strings(table, "entry", ())) if "entry" in table else None,
        )
        for asset in assets:
            if not is_test_file(asset):
                config.module_of(asset)  # an asset outside every source root is a configuration error
        return config

    @property
    def lock_name(self) -> str:
        return self.lock_path.relative_to(self.root).as_posix()

    @property
    def phase4_tests(self) -> tuple[str, ...]:
        """The test assets: the seed's Phase 4 tests, which always stay green (seed section 5)."""
        return tuple(a for a in self.assets if is_test_file(a))

    def module_of(self, path: str) -> str:
        """The dotted module name of ``path`` under the first source root that holds it."""
        for entry in self.pythonpath:
            try:
                relative = (self.root / path).relative_to(entry)
            except ValueError:
                continue
            parts = relative.with_suffix("").parts
            return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        roots = ", ".join(e.relative_to(self.root).as_posix() or "." for e in self.pythonpath)
        raise LockError(f"asset {path} is not under any [tool.qts-assets] pythonpath entry ({roots}); "
                        "add its source root to pythonpath")

    def entry_modules(self) -> tuple[str, ...]:
        """What production imports the assets through: ``entry``, else the binding the conformance command
        names (``--impl``, or the suite's default binding, the reference, when it names none)."""
        if self.entry is not None:
            return self.entry
        command = list(self.conformance)
        if "--impl" in command[:-1]:
            return (command[command.index("--impl") + 1].partition(":")[0],)
        if "conformance_tests.cli" in command:
            return (DEFAULT_BINDING,)
        return ()

    def conformance_command(self) -> list[str]:
        if not self.conformance:
            raise LockError("[tool.qts-assets] conformance is not set: name the command that runs the conformance "
                            'suite on your binding, e.g. ["{python}", "-m", "conformance_tests.cli", "--impl", '
                            '"your_pkg.qts_binding"]; evidence is accepted only when it passes (seed section 5)')
        return [sys.executable if part == "{python}" else part for part in self.conformance]


def _table(pyproject: Path) -> dict[str, Any]:
    if not pyproject.exists():
        return {}
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise LockError(f"{pyproject} is not valid TOML ({error}); fix it and rerun") from error
    return cast(dict[str, Any], data.get("tool", {}).get("qts-assets", {}))


def _strings(table: dict[str, Any], key: str, default: tuple[str, ...]) -> list[str]:
    value: object = table.get(key, list(default))
    if not isinstance(value, list) or not all(isinstance(v, str) for v in cast(list[object], value)):
        raise LockError(f"[tool.qts-assets] {key} must be a list of strings")
    return [str(v) for v in cast(list[str], value)]
