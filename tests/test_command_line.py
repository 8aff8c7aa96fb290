"""The kit's commands as a newcomer meets them: ``--version`` names the release tag,
``--help`` lists the exit codes, and a mistake on the command line is one line on
stderr with exit 2, never a traceback and never blamed on the binding."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conformance_tests.cli import EXIT_CODES as CONFORMANCE_EXIT_CODES
from conformance_tests.protocol import EXIT_BINDING
from enforcement.assets.cli import EXIT_CODES as ASSETS_EXIT_CODES

BIN = Path(sys.executable).parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / command[0]), *command[1:]], capture_output=True, text=True, check=False,
                          timeout=120)


@pytest.mark.parametrize(("command", "codes"), [("qts-conformance", CONFORMANCE_EXIT_CODES),
                                                ("qts-assets", ASSETS_EXIT_CODES)])
def test_help_lists_every_exit_code(command: str, codes: dict[int, str]) -> None:
    text = run(command, "--help").stdout
    epilog = text[text.index("exit codes:"):]
    assert all(f"  {code}  {meaning}" in epilog for code, meaning in codes.items()), epilog


def test_a_missing_root_is_one_line_and_exit_2() -> None:
    done = run("qts-assets", "--root", "/nonexistent/qts-project", "verify")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1].startswith("qts-assets: error: --root /nonexistent/qts-project: not a directory")


def test_a_bad_budget_is_the_callers_mistake_not_the_bindings() -> None:
    done = run("qts-conformance", "--test-budget", "0")
    assert done.returncode == 2, done.stdout[-2000:]
    assert "--test-budget" in done.stderr and "Traceback" not in done.stderr


def test_a_spec_url_that_clause_ids_cannot_link_to_is_refused_before_any_run() -> None:
    done = run("qts-conformance", "--impl", "reference", "--spec-url", "specification.md")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--spec-url: 'specification.md': give an http(s) URL of the specification page" in done.stderr


def test_the_implementers_guide_lists_every_exit_code() -> None:
    guide = (Path(__file__).resolve().parent.parent / "docs" / "implementers-guide.md").read_text(encoding="utf-8")
    assert all(f"- `{code}`: {meaning}" in guide for code, meaning in CONFORMANCE_EXIT_CODES.items())


def test_the_verdicts_exit_code_survives_a_reader_that_went_away() -> None:
    """``qts-conformance ... | head`` ends the reader early: the judge, which ends with
    ``os._exit`` once the verdict is out, still exits with the verdict's code (here: the
    binding cannot be bound) rather than the interpreter's 120 for an unflushable stream."""
    process = subprocess.Popen([str(BIN / "qts-conformance"), "--impl", "no_such_binding_of_the_kit"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    process.stdout.close()
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == EXIT_BINDING, stderr
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr
