"""Evidence for changing a locked asset (seed section 4.3): a test that FAILS on the
locked version and PASSES on the changed one. The locked version is checked out in a
temporary git worktree, so the developer's tree is never touched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from enforcement.assets.lock import Config, LockError


@dataclass(frozen=True)
class TestRun:
    exit_code: int
    tail: str

    @property
    def outcome(self) -> str:
        return {0: "passed", 1: "failed"}.get(self.exit_code, f"error (pytest exit code {self.exit_code})")


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise LockError(f"git {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout.strip()


@contextmanager
def worktree(root: Path, revision: str) -> Generator[Path]:
    """A detached, temporary worktree of ``revision``, removed afterwards."""
    parent = Path(tempfile.mkdtemp(prefix="qts-locked-"))
    tree = parent / "tree"
    git(root, "worktree", "add", "--detach", "--quiet", str(tree), revision)
    try:
        yield tree
    finally:
        git(root, "worktree", "remove", "--force", str(tree))
        shutil.rmtree(parent, ignore_errors=True)


def run_test(config: Config, tree: Path, test_id: str) -> TestRun:
    """Run one pytest id in ``tree`` with that tree's packages first on the path."""
    pythonpath = tree / config.pythonpath.relative_to(config.root)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(pythonpath), str(tree)])}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", test_id, "-q", "-p", "no:cacheprovider", "-o", "addopts=", "--no-header"],
        cwd=tree, env=env, capture_output=True, text=True, check=False,
    )
    lines = (done.stdout + done.stderr).strip().splitlines()
    return TestRun(done.returncode, "\n".join(lines[-15:]))


def test_file_of(test_id: str) -> str:
    return test_id.split("::", 1)[0]
