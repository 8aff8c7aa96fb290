"""Noticing an implementation that rewrites the suite in its own process.

The binding runs in the same process as the tests that judge it, so it could replace the
suite's doubles, oracle, guards or reporting (``conformance_tests.doubles.CallLog.add =
...``) and turn a broken loop green. A fingerprint of every function and class the suite
and ``spec`` expose, taken before the binding is imported and compared after the import
and after every test, makes such a rewrite a failure that names what was replaced.
"""

from __future__ import annotations

import sys
from types import ModuleType

WATCHED_PACKAGES = ("conformance_tests", "spec", "hypothesis", "_pytest.runner", "_pytest.reports", "_pytest.python")

Fingerprint = dict[str, int]
_DESCRIPTORS: tuple[type, ...] = (staticmethod, classmethod, property)


def _watched(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in WATCHED_PACKAGES)


def fingerprint() -> Fingerprint:
    """``qualified name -> id`` of every function, class and class attribute that the
    watched packages' modules define (data is left out: it legitimately changes)."""
    seen: Fingerprint = {}
    for name, module in list(sys.modules.items()):
        if _watched(name):
            _module_prints(name, module, seen)
    return seen


def _module_prints(name: str, module: ModuleType, seen: Fingerprint) -> None:
    for attr, value in list(vars(module).items()):
        if isinstance(value, type):
            seen[f"{name}.{attr}"] = id(value)
            if value.__module__ == name:
                members: dict[str, object] = dict(vars(value))
                for member, inner in members.items():
                    if callable(inner) or isinstance(inner, _DESCRIPTORS):
                        seen[f"{name}.{attr}.{member}"] = id(inner)
        elif callable(value) and getattr(value, "__module__", None) == name:
            seen[f"{name}.{attr}"] = id(value)


def changes(before: Fingerprint, after: Fingerprint) -> list[str]:
    """Names present before whose object was replaced or removed since."""
    return sorted(name for name, ident in before.items() if after.get(name) != ident)
