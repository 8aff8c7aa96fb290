"""What the assets really run (seed section 4: the assets are not modified, in effect as
well as in text). The assets are imported in a clean interpreter, as the project's
source roots and installed packages make them import (``sitecustomize``, ``.pth``
files, shadowing packages and import-time ``importlib`` calls included), then the
team's entry point (its binding) is imported the way production does; what that shows:

- the closure: every project module loaded with the assets, with how it came in, so
  each one is locked or declared ``unlocked`` (``scope.py``);
- the kit modules loaded with them (the reference runtime a team re-exports): the
  lock records their hashes and the kit's version, so a kit upgrade is seen;
- integrity: every function and class of each project or kit module the assets loaded
  is the one compiled from its file, after the entry point ran, so a monkeypatch
  from anywhere is named with the module that made it.

The observer (``probe_script.py``) runs from its source text, so it loads no module of
the kit itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import site
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TypedDict, cast

from enforcement.assets.config import Config, LockError, is_test_file

KIT_PACKAGES = ("spec", "reference_impl", "conformance_tests", "enforcement")
"""The kit's top-level packages (pyproject's wheel packages): a team's assets re-export the reference runtime."""
KIT_DISTRIBUTION = "qts-phase4-kit"
OBSERVE_TIMEOUT = 120
"""Seconds an import of the assets may take; importing them does no work of its own."""


@dataclass(frozen=True)
class Loaded:
    module: str
    how: str


@dataclass
class Observed:
    closure: dict[str, Loaded] = field(default_factory=dict[str, Loaded])
    """Project files (relative to the root) loaded with the assets or at start-up."""
    kit: dict[str, str] = field(default_factory=dict[str, str])
    """Kit module name -> sha256 of its installed file, for the kit modules loaded with the assets."""
    kit_version: str = ""
    problems: list[str] = field(default_factory=list[str])
    """Integrity breaches and failures to import, with the module and who patched it."""
    integrity: dict[str, list[str]] = field(default_factory=dict[str, list[str]])
    """Module name -> what differs from its file, for every project or kit module checked."""
    files: dict[str, str] = field(default_factory=dict[str, str])
    """Module name -> its project path (relative) or absolute kit file."""
    how: dict[str, str] = field(default_factory=dict[str, str])
    """Module name -> how it came in (who imported it, file and line)."""
    hooks: list[str] = field(default_factory=list[str])
    """Import hooks (meta-path finders) the assets or the entry point installed."""

    def patched(self, locked: set[str]) -> list[str]:
        """The integrity breaches of the modules that are locked (project paths) or kit modules."""
        return [problem for name, found in sorted(self.integrity.items())
                if self.files.get(name) in locked or name in self.kit for problem in found]

    def shadowed(self, config: Config, locked: set[str]) -> list[str]:
        """Locked modules Python loads from another file (a package ``loop/`` beside ``loop.py``, a copy earlier
        on the path): the locked file is not what runs."""
        found: list[str] = []
        for path in sorted(locked):
            if is_test_file(path) or not path.endswith(".py"):
                continue
            try:
                module = config.module_of(path)
            except LockError:
                continue
            loaded = self.files.get(module)
            if loaded is not None and loaded != path:
                found.append(f"{module} is loaded from {loaded}, not from the locked {path} "
                             f"({self.how.get(module, 'imported with the assets')}): something shadows it")
        return found

    def kit_record(self) -> dict[str, object]:
        """What the lock records of the installed kit: its version and each loaded kit module's hash."""
        return {"version": self.kit_version, "modules": dict(sorted(self.kit.items()))} if self.kit else {}


def observe(config: Config) -> Observed:
    """Import the assets and the entry point in a clean interpreter and report what ran."""
    assets = [config.module_of(a) for a in config.assets if not is_test_file(a)]
    if not assets:
        return Observed()
    return _classify(config, _run(config, assets, list(config.entry_modules())))


def loaded_by_entry(config: Config) -> set[str]:
    """The project files importing the entry point alone loads: what a suite run through the binding exercises."""
    entry = list(config.entry_modules())
    return set(_classify(config, _run(config, entry, [])).closure) if entry else set()


def _run(config: Config, first: list[str], then: list[str]) -> _Report:
    root = os.path.realpath(config.root)
    with tempfile.TemporaryDirectory(prefix="qts-observe-") as scratch:
        out = Path(scratch) / "observed.json"
        request = {"assets": first, "entry": then, "root": root,
                   "exclude": _interpreter_dirs(), "kit": list(KIT_PACKAGES), "out": str(out)}
        script = (Path(__file__).parent / "probe_script.py").read_text(encoding="utf-8")
        # The declared source roots first, then whatever the environment adds, as production would see it.
        inherited = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        # No bytecode written into the team's tree: a __pycache__ committed by a later
        # `git add -A` would run in place of the source it was compiled from.
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([*(str(p) for p in config.pythonpath), *inherited]),
               "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("PYTHONSTARTUP", None)
        try:
            done = subprocess.run([sys.executable, "-P", "-c", script, json.dumps(request)], cwd=config.root, env=env,
                                  capture_output=True, text=True, check=False, timeout=OBSERVE_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise LockError(f"importing the assets ({', '.join(first)}) did not finish in {OBSERVE_TIMEOUT} s: an import "
                            "that waits (a connection, input, a loop) runs in every process that imports them") from None
        if not out.exists():
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-8:])
            raise LockError(f"importing the assets in a clean interpreter failed (exit code {done.returncode}):\n{tail}")
        return cast(_Report, json.loads(out.read_text(encoding="utf-8")))


class _Module(TypedDict):
    name: str
    file: str | None
    phase: str
    how: str


class _Report(TypedDict):
    """What ``probe_script.py`` writes."""

    modules: list[_Module]
    failures: list[str]
    problems: dict[str, list[str]]
    hooks: list[str]


def _classify(config: Config, data: _Report) -> Observed:
    root = os.path.realpath(config.root)
    observed = Observed(kit_version=_kit_version())
    observed.problems += data["failures"]
    excluded = tuple(p + os.sep for p in _interpreter_dirs())
    roots = [os.path.realpath(p) + os.sep for p in config.pythonpath]
    for loaded in data["modules"]:
        name, file, phase, how = loaded["name"], loaded["file"], loaded["phase"], loaded["how"].replace(root + os.sep, "")
        if not file or phase == "entry":
            continue
        real = os.path.realpath(file)
        observed.how[name] = how
        if real.startswith(root + os.sep) and not real.startswith(excluded):
            path = Path(real).relative_to(root).as_posix()
            observed.files[name] = path
            if not real.endswith(".py"):
                observed.problems.append(f"{name} runs with the assets ({how}) from {path}, which is not Python source: "
                                         "it cannot be locked; replace it with its source")
            elif not real.startswith(tuple(roots)):
                observed.problems.append(f"{name} runs with the assets ({how}) from {path}, outside every "
                                         "[tool.qts-assets] pythonpath entry: add its source root there so it is locked")
            observed.closure[path] = Loaded(name, how)
        elif name.split(".")[0] in KIT_PACKAGES and real.endswith(".py"):
            observed.files[name] = real
            observed.kit[name] = hashlib.sha256(Path(real).read_bytes()).hexdigest()
    observed.hooks = data["hooks"]
    observed.integrity = {name: [p.replace(root + os.sep, "") for p in found] for name, found in data["problems"].items()}
    return observed


def _interpreter_dirs() -> list[str]:
    """The interpreter's own directories (a virtualenv inside the project is not the project)."""
    found = {sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages(), site.getusersitepackages(),
             *(sysconfig.get_paths().get(k, "") for k in ("stdlib", "platstdlib", "purelib", "platlib"))}
    return sorted(os.path.realpath(p) for p in found if p)


def _kit_version() -> str:
    try:
        return metadata.version(KIT_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "(not installed)"
