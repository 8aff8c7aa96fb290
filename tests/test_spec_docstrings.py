"""Implementers read the contracts with ``help()`` and the API reference site: every
Protocol in ``spec`` carries its own docstring, not the generic ``typing.Protocol`` one."""

from __future__ import annotations

import pkgutil
import pydoc
from pathlib import Path
from typing import Protocol

import pytest

import spec

PROTOCOLS = sorted(
    name for name in spec.__all__
    if isinstance(obj := getattr(spec, name), type) and Protocol in obj.__mro__ and obj is not Protocol
)


@pytest.mark.parametrize("name", PROTOCOLS)
def test_help_shows_each_protocols_own_docstring(name: str) -> None:
    protocol = getattr(spec, name)
    own = protocol.__dict__.get("__doc__")
    assert own, f"spec.{name} has no docstring of its own; help() shows typing.Protocol's"
    assert own.strip().splitlines()[0] in pydoc.render_doc(protocol)


def test_the_api_reference_documents_every_spec_module() -> None:
    api = (Path(__file__).resolve().parents[1] / "docs" / "api.md").read_text(encoding="utf-8")
    missing = [m.name for m in pkgutil.iter_modules(spec.__path__) if f"::: spec.{m.name}\n" not in api]
    assert not missing, f"docs/api.md has no '::: spec.<module>' for {missing}"
