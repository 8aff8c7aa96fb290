"""The one configuration of every tool of the kit: ``[tool.qts]`` in the project's
``pyproject.toml``, read by ``qts-conformance``, the pytest plugin, ``qts-assets`` and the
pre-commit hooks (docs/configuration.md)::

    [tool.qts]
    implementation = "your_pkg.qts_binding"   # the binding to check
    pythonpath = ["src"]                      # source roots; no PYTHONPATH export needed
    profile = "ci"                            # or "thorough"
    lock = "phase4.lock"                      # and assets, unlocked, conformance: qts-assets

The table is validated against ``qts.schema.json`` (shipped beside this module) before
any tool acts on it, so a typo or a wrong type is an error naming the key, never a setting
silently ignored. The older ``[tool.qts-assets]`` table is still read, by every tool,
when ``[tool.qts]`` is absent: the same keys, the same schema.
"""

from __future__ import annotations

import copy
import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files
from pathlib import Path
from typing import Any, cast

import fastjsonschema

SECTION = "[tool.qts]"
LEGACY_SECTION = "[tool.qts-assets]"
SCHEMA: dict[str, Any] = json.loads(files(__package__ or "conformance_tests").joinpath("qts.schema.json").read_text("utf-8"))
"""The JSON Schema of the table (draft 7), also usable by editors that validate TOML."""
_VALIDATE = fastjsonschema.compile(SCHEMA)


def kit_version() -> str:
    """The installed kit's version; the templates in docs/ci pin the release tag ``v<version>``."""
    try:
        return version("qts-phase4-kit")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def version_line(prog: str) -> str:
    """What ``--version`` prints: the kit's version and the release tag templates pin."""
    found = kit_version()
    return f"{prog} (qts-phase4-kit) {found}; release tag v{found}" if found[0].isdigit() else f"{prog} {found}"


class ConfigError(Exception):
    """``pyproject.toml`` cannot be read, or its ``[tool.qts]`` table breaks the schema;
    the message names the file, the key and what it must be."""


@dataclass(frozen=True)
class ProjectConfig:
    """The validated table of one project, with the schema's defaults filled in."""

    root: Path
    section: str
    """The table the settings came from, as messages should name it."""
    settings: Mapping[str, object]

    @property
    def implementation(self) -> str | None:
        value = self.settings.get("implementation")
        return value if isinstance(value, str) else None

    @property
    def profile(self) -> str:
        return str(self.settings["profile"])

    @property
    def spec_url(self) -> str | None:
        """The published specification page clause ids link to, or None."""
        value = self.settings.get("spec-url")
        return value if isinstance(value, str) else None

    @property
    def pythonpath(self) -> tuple[Path, ...]:
        """The source roots, absolute, in the configured order."""
        return tuple(self.root / entry for entry in self.strings("pythonpath"))

    def environment(self, env: Mapping[str, str]) -> dict[str, str]:
        """``env`` with the source roots first on ``PYTHONPATH``: what a process that
        imports the team's code (the test or host process) is started with."""
        roots = [str(root) for root in self.pythonpath] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
        return {**env, "PYTHONPATH": os.pathsep.join(roots)}

    def strings(self, key: str) -> tuple[str, ...]:
        """A list-of-strings setting (the schema guarantees the type), () when unset."""
        value = cast(list[str], self.settings.get(key, []))
        return tuple(value)


def load_config(root: Path) -> ProjectConfig:
    """The configuration in ``root/pyproject.toml``; the defaults when there is none."""
    pyproject = root / "pyproject.toml"
    tool: dict[str, Any] = {}
    if pyproject.is_file():
        try:
            tool = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{pyproject} is not valid TOML ({error}); fix it and rerun") from error
        except RecursionError:
            raise ConfigError(f"{pyproject} nests values deeper than TOML can be read; fix it and rerun") from None
    if "qts" in tool and "qts-assets" in tool:
        raise ConfigError(f"{pyproject} has both {SECTION} and {LEGACY_SECTION}; move the keys of "
                          f"{LEGACY_SECTION} into {SECTION} and delete it")
    section, table = (LEGACY_SECTION, tool["qts-assets"]) if "qts-assets" in tool else (SECTION, tool.get("qts", {}))
    return ProjectConfig(root, section, validate(table, f"{pyproject} {section}"))


def validate(table: object, where: str) -> dict[str, Any]:
    """``table`` checked against the schema, with its defaults filled in, or a
    :class:`ConfigError` naming the offending key under ``where``."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table of settings, not {type(table).__name__}")
    try:
        return cast(dict[str, Any], _VALIDATE(copy.deepcopy(cast(dict[str, object], table))))  # it fills the defaults in
    except fastjsonschema.JsonSchemaValueException as error:
        raise ConfigError(_explain(error, where)) from None


def _explain(error: fastjsonschema.JsonSchemaValueException, where: str) -> str:
    value: object = error.value
    if error.rule == "additionalProperties" and isinstance(value, dict):
        known = cast(dict[str, Any], SCHEMA["properties"])
        unknown = sorted(set(cast(dict[str, object], value)) - set(known))
        return (f"{where}: unknown key {', '.join(map(repr, unknown))}; the known keys are "
                f"{', '.join(known)} (docs/configuration.md)")
    path = [str(p) for p in error.path[1:]]
    key = path[0] + "".join(f"[{p}]" for p in path[1:]) if path else "the table"
    definition: object = error.definition
    expected = cast(dict[str, object], definition).get("x-expected") if isinstance(definition, dict) else None
    rule = f"must be {expected}" if expected else (error.message or "").removeprefix(error.name or "").strip()
    return f"{where}: {key} {rule}, got {error.value!r}"
