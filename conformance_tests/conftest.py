"""The suite's own tests call the implementation under test ``implementation``: this
name stays here, in the suite's directory, so a team's own fixture of that name is
neither shadowed nor used by the suite (the plugin registers ``qts_implementation``)."""

from __future__ import annotations

from enum import StrEnum

import pytest

from spec.binding import Implementation


@pytest.fixture(scope="session")
def implementation(qts_implementation: Implementation[StrEnum]) -> Implementation[StrEnum]:
    return qts_implementation
