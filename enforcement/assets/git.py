"""The git plumbing the lock stands on: its history is read from git, and evidence runs
in clean, temporary worktrees of committed versions (never in the developer's tree)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from collections.abc import Generator, Iterable
from contextlib import contextmanager
from pathlib import Path

from enforcement.assets.config import LockError


def git(root: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0 and not check:
        return ""
    if done.returncode != 0:
        raise LockError(f"git {' '.join(args)} failed in {root}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout.strip()


def blobs(root: Path, specs: Iterable[str]) -> dict[str, bytes | None]:
    """The content of each ``<commit>:<path>`` (``None`` where it does not exist), in one git call."""
    wanted = list(dict.fromkeys(specs))
    if not wanted:
        return {}
    # ``<rev>:./<path>``: paths are relative to the project root, which may be a subdirectory of the repository.
    request = "".join(f"{rev}:./{path}\n" for rev, _, path in (s.partition(":") for s in wanted))
    done = subprocess.run(["git", "cat-file", "--batch"], cwd=root, input=request.encode(),
                          capture_output=True, check=False)
    if done.returncode != 0:
        raise LockError(f"git cat-file failed in {root}: {done.stderr.decode(errors='replace').strip()}")
    found: dict[str, bytes | None] = {}
    out, at = done.stdout, 0
    for spec in wanted:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        if header[-1] == b"missing" or len(header) != 3 or header[1] != b"blob":
            found[spec], at = None, end + 1
            continue
        size = int(header[2])
        found[spec], at = out[end + 1:end + 1 + size], end + 1 + size + 1
    return found


def who(root: Path) -> str:
    """``Name <email>`` from git config: records say who accepted a change."""
    done = [subprocess.run(["git", "config", key], cwd=root, capture_output=True, text=True, check=False).stdout.strip()
            for key in ("user.name", "user.email")]
    return f"{done[0] or 'unknown'} <{done[1] or 'unknown'}>"


def dirty(root: Path, paths: Iterable[str]) -> list[str]:
    """Paths among ``paths`` that differ from HEAD or are not tracked."""
    listed = list(paths)
    status = git(root, "status", "--porcelain", "--untracked-files=all", "--", *listed) if listed else ""
    return [line[3:] for line in status.splitlines()]


_WORKTREES = threading.Lock()
"""git reads every worktree's files when it adds or removes one, and fails on one that
another thread is still creating ("failed to read .git/worktrees/tree4/commondir"): the
replays that run side by side add and remove theirs one at a time."""


@contextmanager
def worktree(root: Path, revision: str) -> Generator[Path]:
    """A clean, detached, temporary worktree of ``revision`` (committed files only); yields the project root in it."""
    parent = Path(tempfile.mkdtemp(prefix="qts-assets-"))
    tree = parent / "tree"
    prefix = git(root, "rev-parse", "--show-prefix")
    with _WORKTREES:
        git(root, "worktree", "add", "--detach", "--quiet", str(tree), revision)
    try:
        yield tree / prefix  # the project's root inside the checkout
    finally:
        with _WORKTREES:
            git(root, "worktree", "remove", "--force", str(tree))
        shutil.rmtree(parent, ignore_errors=True)
