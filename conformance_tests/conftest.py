"""Loaded only when the conformance tests themselves are collected: selects the
hypothesis profile chosen with ``--qts-profile`` for them."""

from __future__ import annotations

import pytest
from hypothesis import settings

from conformance_tests.plugin import selected_profile


def pytest_configure(config: pytest.Config) -> None:
    settings.load_profile(selected_profile(config))
