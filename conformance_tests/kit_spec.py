"""The kit's contracts live in a top-level package named ``spec``: a generic name that a
team's own ``spec/`` package (first on ``sys.path`` through the current directory or
``PYTHONPATH``) can shadow. Detect that before anything imports ``spec.binding``, and
say which package shadows it and what to do, in one sentence."""

from __future__ import annotations

import importlib.util
from pathlib import Path

KIT_SPEC = Path(__file__).resolve().parents[1] / "spec"
"""Where the kit installs ``spec``: beside ``conformance_tests``, from a wheel or a clone."""


class ShadowedSpecError(SystemExit):
    """Another package named ``spec`` is imported instead of the kit's.

    A ``SystemExit``: the kit cannot run at all then, and its commands and the pytest
    plugin should stop with this one sentence rather than a traceback.
    """


def shadowing_spec() -> Path | None:
    """The location of the ``spec`` package Python would import, if it is not the kit's."""
    found = importlib.util.find_spec("spec")
    if found is None:
        return None
    locations = list(found.submodule_search_locations or ())
    where = Path(locations[0] if locations else found.origin or "spec")
    return None if where.resolve() == KIT_SPEC else where


def ensure_kit_spec() -> None:
    shadow = shadowing_spec()
    if shadow is not None:
        raise ShadowedSpecError(
            f"qts-phase4-kit: the package 'spec' imported here is {shadow}, not the kit's ({KIT_SPEC}); "
            "a local package named 'spec' shadows it: run from a directory where yours is not on "
            "sys.path (the current directory or PYTHONPATH), or rename your package."
        )
