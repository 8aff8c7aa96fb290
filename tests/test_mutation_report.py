"""./scripts/mutation's pieces on fixture data (no mutation run here): mutmut's output
is read, survivors are classified by the reviewed file whatever their running number,
and an unclassified survivor is reported, never silently counted."""

from __future__ import annotations

from pathlib import Path

from mutation.report import Class, Mutant, Run, Status, changed_lines, classify, load_reviews, parse_results, render, review_entry, unclassified
from mutation.run import TARGETS, forget_changed, setup_cfg

RESULTS = """\
    reference_impl.runtime.loop.x_run__mutmut_1: killed
    reference_impl.runtime.loop.x_run__mutmut_2: survived
    reference_impl.runtime.loop.x_run__mutmut_3: no tests
    reference_impl.runtime.loop.x_run__mutmut_4: timeout
    reference_impl.runtime.loop.x_run__mutmut_5: survived
"""
DIFF_MESSAGE = """\
--- reference_impl/runtime/loop.py
+++ reference_impl/runtime/loop.py
@@ -1,3 +1,3 @@
     if verdict is False:
-        return Fault(site, "refused")
+        return Fault(site, "XXrefusedXX")
"""
DIFF_BEHAVIOUR = """\
@@ -1,2 +1,2 @@
-    if run.executions >= self.limit:
+    if run.executions > self.limit:
"""


def _mutants() -> list[Mutant]:
    parsed = parse_results("runtime", RESULTS)
    diffs = {2: DIFF_MESSAGE, 5: DIFF_BEHAVIOUR}
    return [Mutant(m.target, m.name, m.status, diffs.get(int(m.name.rsplit("_", 1)[1]), "")) for m in parsed]


def _reviewed(tmp_path: Path) -> Path:
    # Reviewed under another running number: the key is the function and the change.
    entry = review_entry(Mutant("runtime", "reference_impl.runtime.loop.x_run__mutmut_17", Status.SURVIVED, DIFF_MESSAGE),
                         Class.MESSAGE_ONLY, 'the spec leaves the "refused" text free')
    path = tmp_path / "reviewed.toml"
    path.write_text(entry, encoding="utf-8")
    return path


def test_results_are_parsed_with_their_status() -> None:
    statuses = [m.status for m in parse_results("runtime", RESULTS + "\nnoise line\n")]
    assert statuses == [Status.KILLED, Status.SURVIVED, Status.NO_TESTS, Status.TIMEOUT, Status.SURVIVED]


def test_a_change_is_identified_by_its_lines_not_its_position() -> None:
    assert changed_lines(DIFF_MESSAGE) == '-return Fault(site, "refused")\n+return Fault(site, "XXrefusedXX")'


def test_survivors_are_classified_by_function_and_change_and_the_rest_is_unclassified(tmp_path: Path) -> None:
    reviews = load_reviews(_reviewed(tmp_path))
    classified = classify(_mutants(), reviews)
    assert [(c.mutant.name.rsplit("_", 1)[1], c.klass) for c in classified] == [("2", Class.MESSAGE_ONLY), ("5", None)]
    run = Run("runtime", "the runtime", tuple(_mutants()), 90.0)
    assert [m.name for m in unclassified([run], reviews)] == ["reference_impl.runtime.loop.x_run__mutmut_5"]


def test_the_report_shows_counts_score_survivors_and_untested_mutants(tmp_path: Path) -> None:
    reviews = load_reviews(_reviewed(tmp_path))
    run = Run("runtime", "the runtime", tuple(_mutants()), 90.0)
    text = render([run], reviews, {"total time": "1.5 min"})
    assert "| runtime | the runtime | 5 | 1 | 1 | 2 | 1 | 0 | 40.0% |" in text
    assert "| runtime | 1 | 0 | 1 | 0 |" in text
    assert "### Unclassified" in text and "-if run.executions >= self.limit:" in text
    assert 'the spec leaves the "refused" text free' in text
    assert "`reference_impl.runtime.loop.x_run__mutmut_3` (runtime)" in text
    assert "- total time: 1.5 min" in text


def test_every_target_gets_a_mutmut_configuration_with_its_own_tests() -> None:
    runtime, spec = (setup_cfg(t) for t in TARGETS)
    assert "source_paths = reference_impl" in runtime and "\n    conformance_tests\n" in runtime
    assert "tests/test_oracle_checks.py" in spec and "only_mutate =\n    spec/extension.py" in spec
    assert "-o\n    addopts=" in runtime


def test_a_kept_run_forgets_the_mutants_of_a_changed_source_and_keeps_the_rest(tmp_path: Path) -> None:
    """mutmut does not notice a changed file in a kept mutants/ copy: --keep must drop it,
    or the old code's results would be reported as the new code's."""
    root, work = tmp_path / "repo", tmp_path / "work"
    for name, old, new in (("loop.py", "old = 1\n", "new = 2\n"), ("gate.py", "same = 1\n", "same = 1\n")):
        for where, text in ((work, old), (root, new)):
            (where / "pkg").mkdir(parents=True, exist_ok=True)
            (where / "pkg" / name).write_text(text, encoding="utf-8")
        for suffix in ("", ".meta", ".spans"):
            (work / "mutants" / "pkg").mkdir(parents=True, exist_ok=True)
            (work / "mutants" / "pkg" / f"{name}{suffix}").write_text("kept", encoding="utf-8")
    (work / "mutants" / "pkg" / "test_copied.py").write_text("copied, not mutated", encoding="utf-8")
    forget_changed(work, root)
    assert sorted(p.name for p in (work / "mutants" / "pkg").iterdir()) == [
        "gate.py", "gate.py.meta", "gate.py.spans", "test_copied.py",
    ]
