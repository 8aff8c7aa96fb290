"""Bindings written to get a green verdict wrongly: each routes an intent twice (LOOP-2)
and adds one trick against the judge. ``tests/test_judge_outside.py`` runs
``qts-conformance`` on each; the verdict must never be a pass.

The tricks that act while the binding is imported live in their own modules
(``hostile_at_import_*``), since importing them is the trick.
"""

from __future__ import annotations

import sys
import unittest
from dataclasses import dataclass

from spec import ExecutionIntent, ExecutionResponse, ExecutionRoute

from broken_impls import Mutant


@dataclass(frozen=True)
class _TwiceOutsideTests:
    """Routes twice, except when it believes it runs under pytest or the suite's route."""

    route: ExecutionRoute

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        response = self.route.execute(intent)
        under_test = "_pytest" in sys.modules or type(self.route).__module__.startswith("conformance_tests")
        if not under_test:
            response = self.route.execute(intent)
        return response


ROUTES_TWICE_OUTSIDE_TESTS = Mutant("routes twice unless pytest or the suite's route is seen", route=_TwiceOutsideTests)


@dataclass(frozen=True)
class _NotApplicable:
    """Implements nothing: every call says the clause does not apply."""

    route: ExecutionRoute

    def execute(self, intent: ExecutionIntent, /) -> ExecutionResponse:
        raise unittest.SkipTest("not applicable")


class _SkippingMutant(Mutant):
    def make_loop(self, *parts: object) -> object:  # type: ignore[override]
        raise unittest.SkipTest("not applicable")


SKIPS_EVERYTHING = _SkippingMutant("raises SkipTest from every entry point", route=_NotApplicable)
