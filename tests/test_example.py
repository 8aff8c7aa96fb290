"""The downstream example (examples/acme_desk), checked as its own CI would check it,
with the kit installed from the built wheel into a fresh environment: the conformance
suite passes its Phase 5 binding, mypy --strict, pyright strict, lint-imports and
qts-assets verify pass, its tests pass, and each planted Phase 5 defect fails on its
clause."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from conftest import ROOT, run

EXAMPLE = ROOT / "examples" / "acme_desk"


def planted_defects() -> dict[str, str]:
    """The example's ``DEFECTS`` table, read from its source: importing it would put the
    example's packages on this process's path."""
    tree = ast.parse((EXAMPLE / "tests" / "planted_defects.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "DEFECTS":
            assert node.value is not None
            table: dict[str, str] = ast.literal_eval(node.value)
            return table
    raise AssertionError("examples/acme_desk/tests/planted_defects.py defines no DEFECTS table")


@pytest.fixture(scope="module")
def example_env(installed_kit: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment the example's CI has: the kit's venv first on PATH, src and tests
    importable, and every cache outside the source tree."""
    cache = tmp_path_factory.mktemp("example-cache")
    return {
        **os.environ,
        "PATH": f"{installed_kit / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "VIRTUAL_ENV": str(installed_kit),
        "PYTHONPATH": f"{EXAMPLE / 'src'}{os.pathsep}{EXAMPLE / 'tests'}",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MYPY_CACHE_DIR": str(cache / "mypy"),
    }


@pytest.mark.slow
def test_the_example_passes_its_ci(installed_kit: Path, example_env: dict[str, str]) -> None:
    bin_ = installed_kit / "bin"
    checks = {
        "conformance": [str(bin_ / "qts-conformance"), "--impl", "desk.binding"],
        "mypy": [str(bin_ / "mypy")],
        "pyright": [str(bin_ / "pyright"), "--pythonpath", str(bin_ / "python")],
        "lint-imports": [str(bin_ / "lint-imports"), "--no-cache"],
        "asset lock": [str(bin_ / "qts-assets"), "verify"],
        "tests": [str(bin_ / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
    }
    failed: dict[str, str] = {}
    for name, command in checks.items():
        done = run(command, cwd=EXAMPLE, env=example_env)
        if done.returncode != 0:
            failed[name] = (done.stdout + done.stderr)[-2000:]
    assert not failed, "\n\n".join(f"== {name}\n{output}" for name, output in failed.items())


@pytest.mark.slow
@pytest.mark.parametrize(("defect", "clause"), sorted(planted_defects().items()))
def test_each_planted_phase5_defect_fails_on_its_clause(
    installed_kit: Path, example_env: dict[str, str], defect: str, clause: str
) -> None:
    """Through the command the example's CI uses, on the clause the defect breaks."""
    done = run(
        [str(installed_kit / "bin" / "qts-conformance"), "--impl", f"planted_defects:{defect}", "--clauses", clause],
        cwd=EXAMPLE, env=example_env,
    )
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    verdict = next(line for line in done.stdout.splitlines() if line.startswith(f"{clause} "))
    assert " FAIL " in verdict, done.stdout[-2000:]
    assert f"-> {clause}:" in done.stdout, done.stdout[-2000:]
