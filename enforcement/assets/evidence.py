"""Evidence for changing a locked file (seed section 4.3): a committed test whose CALL
phase fails on the locked version and which passes on the new one, each run in a clean
worktree of a commit (no untracked helper or conftest can help it). A setup error, a
collection error or an import error is not evidence: it shows the test cannot run, not
that the locked code is wrong. After it, the Phase 4 tests and the conformance suite
must pass on the new version (seed section 5: "the Phase 4 tests always stay passing").
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from enforcement.assets.config import Config

NOT_EVIDENCE = ("ModuleNotFoundError", "ImportError")


@dataclass(frozen=True)
class TestRun:
    outcome: str
    """``passed``, ``failed`` (the call phase failed), or why the run is neither."""
    tail: str


def run_pytest(config: Config, tree: Path, args: list[str]) -> TestRun:
    """Run pytest in ``tree`` as the project configures it, with that tree's source roots first on the path.

    In one process where the project runs pytest-xdist: its addopts may start worker
    interpreters, two or more extra per run, for the one test id an evidence run names.
    ``-n 0`` comes last, so it wins over addopts; where xdist is not installed or not
    loaded, pytest would refuse the option, and the project is run as configured.
    """
    if find_spec("xdist") is None or os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return _run_pytest(config, tree, args)
    run = _run_pytest(config, tree, [*args, "-n", "0"])
    if run.outcome.startswith("error") and "unrecognized arguments: -n" in run.tail:  # e.g. -p no:xdist
        run = _run_pytest(config, tree, args)
    return run


def _run_pytest(config: Config, tree: Path, args: list[str]) -> TestRun:
    with tempfile.TemporaryDirectory(prefix="qts-junit-") as scratch:
        report = Path(scratch) / "report.xml"
        done = subprocess.run(
            [sys.executable, "-m", "pytest", *args, "-q", "-p", "no:cacheprovider", "--no-header",
             f"--junitxml={report}"],
            cwd=tree, env=environment(config, tree), capture_output=True, text=True, check=False,
        )
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        if not report.exists():
            return TestRun(f"error (pytest exit code {done.returncode}, no report)", tail)
        return TestRun(_outcome(ElementTree.parse(report).getroot(), done.returncode), tail)


def run_command(config: Config, tree: Path, command: list[str]) -> TestRun:
    done = subprocess.run(command, cwd=tree, env=environment(config, tree), capture_output=True, text=True, check=False)
    tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
    return TestRun("passed" if done.returncode == 0 else f"failed (exit code {done.returncode})", tail)


def environment(config: Config, tree: Path) -> dict[str, str]:
    """The team's environment with the tree's source roots first, and no bytecode
    written: the same tree is checked out at one version, then at another, within a
    second, and a cached ``.pyc`` (keyed by mtime and size) would run the first again."""
    roots = [str(tree / p.relative_to(config.root)) for p in config.pythonpath]
    return {**os.environ, "PYTHONPATH": os.pathsep.join([*roots, str(tree)]), "PYTHONDONTWRITEBYTECODE": "1"}


def _outcome(root: ElementTree.Element, exit_code: int) -> str:
    cases = list(root.iter("testcase"))
    if not cases:
        return f"error (no test ran: the id selects nothing; pytest exit code {exit_code})"
    for case in cases:
        error = case.find("error")
        if error is not None:
            return f"error ({error.get('message', 'setup or collection error')}): a setup or collection error is not evidence"
        if case.find("skipped") is not None:
            return "skipped"
    failures = [case.find("failure") for case in cases]
    messages = [f.get("message", "") for f in failures if f is not None]
    if not messages:
        return "passed"
    if any(m.startswith(NOT_EVIDENCE) for m in messages):
        return f"error ({messages[0]}): an import error is not evidence"
    return "failed"
