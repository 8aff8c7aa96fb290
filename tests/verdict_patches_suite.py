"""A binding that "fixes flaky conformance tests" by patching the suite at import: its
loop keeps only the last 16 orders, and it silences the check that would say so."""

import conformance_tests.facts

from broken_impls_verdict import REPORT_KEEPS_LAST_16

QTS_IMPLEMENTATION = REPORT_KEEPS_LAST_16

conformance_tests.facts.table_walk_problem = lambda machine, history: None
