"""Which files are Phase 4 assets and how to check a change to them, read from the kit's
one configuration, ``[tool.qts]`` in ``pyproject.toml`` (conformance_tests.config; seed
sections 2-4)::

    [tool.qts]
    lock = "phase4.lock"                 # default
    pythonpath = ["src"]                 # the source roots the asset packages live under
    assets = ["src/runtime/...", "tests/runtime/..."]   # default: the seed's list, tests included
    unlocked = ["src/runtime/_log.py"]   # imported by the assets, deliberately not locked
    conformance = ["{python}", "-m", "conformance_tests.cli", "--impl", "mypkg.qts_binding"]
    entry = ["mypkg.qts_binding"]        # imported the way production does; default: the --impl above
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from conformance_tests.config import ConfigError, load_config

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
    section: str = "[tool.qts]"
    """The pyproject table the settings came from, as messages name it."""
    entry: tuple[str, ...] | None = None
    """Modules production imports the assets through (its binding); None: the conformance command's ``--impl``,
    else ``implementation``."""
    implementation: str | None = None
    """The ``implementation`` setting: the team's binding."""

    @classmethod
    def load(cls, root: Path) -> Config:
        try:
            project = load_config(root)
        except ConfigError as error:
            raise LockError(str(error)) from None
        assets = project.strings("assets") if "assets" in project.settings else SEED_ASSETS
        config = cls(
            root, root / str(project.settings["lock"]), project.pythonpath, assets,
            project.strings("unlocked"), project.strings("conformance"), project.section,
            project.strings("entry") if "entry" in project.settings else None,
            project.implementation,
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
        raise LockError(f"asset {path} is not under any {self.section} pythonpath entry ({roots}); "
                        "add its source root to pythonpath")

    def entry_modules(self) -> tuple[str, ...]:
        """What production imports the assets through: ``entry``, else the binding the conformance command
        names (``--impl``, or the suite's default binding, the reference, when it names none)."""
        if self.entry is not None:
            return self.entry
        command = list(self.conformance)
        if "--impl" in command[:-1]:
            return (command[command.index("--impl") + 1].partition(":")[0],)
        if self.implementation is not None:
            return (self.implementation.partition(":")[0],)
        if "conformance_tests.cli" in command:
            return (DEFAULT_BINDING,)
        return ()

    def conformance_command(self) -> list[str]:
        if not self.conformance:
            raise LockError(f"{self.section} conformance is not set: name the command that runs the conformance "
                            'suite on your binding, e.g. ["{python}", "-m", "conformance_tests.cli", "--impl", '
                            '"your_pkg.qts_binding"]; evidence is accepted only when it passes (seed section 5)')
        return [sys.executable if part == "{python}" else part for part in self.conformance]

