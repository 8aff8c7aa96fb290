"""A run says how far it got while it runs (on stderr: stdout is the verdict): a line per
test module in a CI log, one line rewritten in place on a terminal."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from conformance_tests.progress import Progress

CLI = Path(sys.executable).parent / "qts-conformance"


def test_a_run_not_on_a_terminal_prints_a_plain_line_per_test_module(tmp_path: Path) -> None:
    done = subprocess.run([str(CLI), "--impl", "reference", "--clauses", "STATE-1"], capture_output=True, text=True,
                          cwd=tmp_path, check=False, timeout=300)
    lines = [line for line in done.stderr.splitlines() if line.startswith("qts-conformance: ")]
    assert lines and lines[-1].startswith("qts-conformance: 1/1 tests, 1/1 clauses done, "), done.stderr
    assert lines[-1].endswith("(test_state_model.py done)")
    assert "\r" not in done.stderr and "\033" not in done.stderr
    assert "qts-conformance: 1/1" not in done.stdout


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("no_color", [False, True])
def test_on_a_terminal_one_line_is_rewritten_unless_no_color(no_color: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    stream = Terminal()
    progress = Progress(stream)
    progress.clauses_of = {"m.py::a": ("STATE-1",), "m.py::b": ("STATE-1", "STATE-2")}
    progress.tests_left = {"STATE-1": 2, "STATE-2": 1}
    progress.module_left = {"m.py": 2}
    progress.total = 2
    progress.pytest_runtest_logfinish("m.py::a")
    progress.pytest_runtest_logfinish("m.py::b")
    progress.pytest_sessionfinish()
    text = stream.getvalue()
    if no_color:
        assert text.splitlines() == [text.rstrip("\n")] and "\r" not in text and "\033" not in text
        assert text.startswith("qts-conformance: 2/2 tests, 2/2 clauses done, ")
    else:
        assert "\rqts-conformance: 1/2 tests, 0/2 clauses done, " in text
        assert "\rqts-conformance: 2/2 tests, 2/2 clauses done, " in text
        assert text.endswith("\r\033[K") and "\n" not in text
