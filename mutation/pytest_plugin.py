"""Loaded into mutmut's test runs (``-p mutation.pytest_plugin``): a mutant needs only
a verdict, so the conformance tests skip hypothesis' shrink phase (as the teeth tests
do), and example tests run before property tests, so the cheap checks kill first."""

from __future__ import annotations

import pytest
from hypothesis import Phase, settings

from conformance_tests.plugin import SETTINGS_KEY


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    if SETTINGS_KEY in config.stash:
        profile = config.stash[SETTINGS_KEY]
        config.stash[SETTINGS_KEY] = settings(profile, phases=[p for p in profile.phases if p is not Phase.shrink])


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: hasattr(getattr(item, "obj", None), "hypothesis"))
