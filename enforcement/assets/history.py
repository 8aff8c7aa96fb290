"""The lock's history is its proof (seed section 4.3): every version of the lock that
git holds, in order, must extend the one before it, and every change of a locked entry
must be backed by a record that git can confirm: the locked version named by an evidence
or tidy record really holds the locked content, the new version holds the new content,
the evidence test is committed, a tidy-up is really only a tidy-up, and each committed
lock matches the files committed with it. Earlier lock files (found by the marker every
lock carries) count too, so a deleted, recreated or redirected lock breaks the chain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import cast

from enforcement.assets.config import Config, LockError
from enforcement.assets.git import blobs, git
from enforcement.assets.lock import CHANGE_KINDS, MARKER, Lock, Record, assets_of
from enforcement.assets.scope import sha256_of
from enforcement.assets.tidy import tidy_problem


@dataclass(frozen=True)
class Version:
    label: str
    """``commit <sha>`` or ``the working tree``."""
    commit: str | None
    path: str
    lock: Lock


@dataclass
class History:
    problems: list[str] = field(default_factory=list[str])
    introduced_at: list[str | None] = field(default_factory=list[str | None])
    """For each record of the newest lock: the commit that added it (None: not committed yet)."""
    earlier_lock: str | None = None
    """Where git last held a lock, when the working tree has none."""


def check_history(config: Config, working: Lock | None) -> History:
    versions, deleted = _versions(config, working)
    history = History()
    if working is None:
        history.earlier_lock = f"{versions[-1].path} at {versions[-1].label}" if versions else None
        return history
    needed: list[str] = []
    for previous, version in zip([None, *versions], versions):
        needed += _blobs_needed(previous, version)
    content = blobs(config.root, needed)
    for previous, version in zip([None, *versions], versions):
        if version.commit is not None:
            history.problems += _matches_its_commit(version, content)
        if previous is not None:
            history.problems += _extends(config, previous, version, content, moved=previous.path != version.path
                                         or (previous.commit or "") in deleted.get(previous.path, set()))
    for version in versions:
        while len(history.introduced_at) < len(version.lock.history):
            history.introduced_at.append(version.commit)
    return history


def _versions(config: Config, working: Lock | None) -> tuple[list[Version], dict[str, set[str]]]:
    """Every committed version of every lock file git has seen, oldest first, then the working tree's."""
    if not git(config.root, "rev-parse", "--verify", "--quiet", "HEAD"):
        raise LockError(f"{config.root} has no commit yet; the lock's history lives in git: commit the assets first")
    paths = {config.lock_name} | {p for p in git(config.root, "log", "--format=", "--name-only", "--no-renames",
                                                  "-S", MARKER, "HEAD").splitlines() if p}
    log = git(config.root, "log", "--reverse", "--format=@%H", "--name-status", "--no-renames", "HEAD", "--", *sorted(paths))
    events: list[tuple[str, str, str]] = []
    commit = ""
    for line in log.splitlines():
        if line.startswith("@"):
            commit = line[1:]
        elif line.strip():
            status, path = line.split("\t", 1)
            events.append((commit, status[0], path))
    texts = blobs(config.root, [f"{c}:{p}" for c, s, p in events if s != "D"])
    versions: list[Version] = []
    deleted: dict[str, set[str]] = {}
    last_status: dict[str, str] = {}
    for commit, status, path in events:
        last_status[path] = status
        if status == "D":
            if versions and versions[-1].path == path:
                deleted.setdefault(path, set()).add(versions[-1].commit or "")
            continue
        text = texts[f"{commit}:{path}"]
        if text is None or not _is_lock(text):
            continue
        versions.append(Version(f"commit {commit[:12]}", commit, path, Lock.parse(text.decode(), f"{path} at {commit[:12]}")))
    if working is not None and (not versions or versions[-1].path != config.lock_name
                                or last_status.get(config.lock_name) == "D" or versions[-1].lock != working):
        versions.append(Version("the working tree", None, config.lock_name, working))
    return versions, deleted


def _is_lock(text: bytes) -> bool:
    """A lock is JSON whose ``about`` carries the marker (source files that mention it are not)."""
    try:
        data: object = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and MARKER in str(cast(dict[str, object], data).get("about", ""))


def _blobs_needed(previous: Version | None, version: Version) -> list[str]:
    needed = [f"{version.commit}:{p}" for p in version.lock.entries] if version.commit else []
    if previous is not None:
        for record in version.lock.history[len(previous.lock.history):]:
            if record.get("kind") in CHANGE_KINDS:
                needed += [f"{record.get('locked_version')}:{p}" for p in assets_of(record)]
                new = record.get("new_version") or version.commit
                if new and record.get("kind") == "evidence":
                    needed += [f"{new}:{p}" for p in assets_of(record)] + [f"{new}:{str(record.get('test')).split('::')[0]}"]
    return needed


def _matches_its_commit(version: Version, content: dict[str, bytes | None]) -> list[str]:
    problems: list[str] = []
    for path, entry in sorted(version.lock.entries.items()):
        blob = content.get(f"{version.commit}:{path}")
        if blob is None or sha256_of(blob) != entry.sha256:
            problems.append(f"{version.path} at {version.label} records a hash for {path} that {path} in that commit "
                            "does not have: the lock was edited by hand; restore it and change assets only through qts-assets")
    return problems


def _extends(config: Config, previous: Version, version: Version, content: dict[str, bytes | None], *, moved: bool) -> list[str]:
    old, new = previous.lock, version.lock
    where = f"{version.path} in {version.label}"
    if new.history[: len(old.history)] != old.history:
        if moved:
            return [f"{where} starts a new lock although git holds an earlier one ({previous.path} at {previous.label}); "
                    f"a lock is never recreated or redirected: restore {previous.path} (git checkout "
                    f"{previous.commit or 'HEAD'} -- {previous.path}) and change assets only through qts-assets"]
        return [f"{where} drops or edits records of {previous.label}: the lock's history is append-only; "
                f"restore it with git checkout {previous.commit or 'HEAD'} -- {previous.path}"]
    added = new.history[len(old.history):]
    problems: list[str] = []
    changed = sorted(p for p in old.entries.keys() | new.entries.keys()
                     if (old.entries.get(p) and old.entries[p].sha256) != (new.entries.get(p) and new.entries[p].sha256))
    for path in changed:
        covering = [r for r in added if _covers(r, path, path in old.entries)]
        if not covering:
            what = "drops" if path not in new.entries else "changes"
            problems.append(f"{where} {what} the lock entry of {path} with no evidence, tidy or rebaseline record: "
                            f"a hand edit of the lock; restore it (git checkout {previous.commit or 'HEAD'} -- {previous.path}) "
                            "and use `qts-assets unlock --test <id>`")
        for record in covering:
            if record.get("kind") in CHANGE_KINDS and path in old.entries and path in new.entries:
                problems += _record_problems(config, record, path, old.entries[path].sha256, new.entries[path].sha256,
                                             version, content)
    for record in added:
        if record.get("kind") == "acknowledge":
            index = record.get("rebaseline")
            if not isinstance(index, int) or index >= len(old.history) or old.history[index].get("kind") != "rebaseline":
                problems.append(f"{where} acknowledges record {index!r}, which is not a rebaseline committed before it: "
                                "a rebaseline is acknowledged by a reviewer in a later commit")
    return problems


def _covers(record: Record, path: str, was_locked: bool) -> bool:
    kind = record.get("kind")
    if kind == "rebaseline":
        return True
    if kind == "add":
        return path in assets_of(record) and not was_locked
    return kind in CHANGE_KINDS and path in assets_of(record)


def _record_problems(config: Config, record: Record, path: str, old_sha: str, new_sha: str, version: Version,
                     content: dict[str, bytes | None]) -> list[str]:
    kind, base = str(record.get("kind")), str(record.get("locked_version"))
    label = f"the {kind} record for {path} in {version.label}"
    locked = content.get(f"{base}:{path}")
    if locked is None or sha256_of(locked) != old_sha:
        return [f"{label} names {base[:12]} as the locked version, but {path} there is not the locked content: "
                "the record does not match git history"]
    if version.commit is None:
        present = config.root / path
        new_content: bytes | None = present.read_bytes() if present.is_file() else None
    else:
        new_content = content.get(f"{version.commit}:{path}")
    if kind == "tidy":
        problem = tidy_problem(path, locked, new_content or b"")
        return [f"{label}: {problem}; a behavioural change needs `qts-assets unlock --test <id>`"] if problem else []
    new = str(record.get("new_version") or version.commit or "")
    if new:
        at_new = content.get(f"{new}:{path}")
        if at_new is None or sha256_of(at_new) != new_sha:
            return [f"{label} names {new[:12]} as the new version, but {path} there is not the locked content"]
        test_file = str(record.get("test")).split("::")[0]
        if content.get(f"{new}:{test_file}") is None:
            return [f"{label}: its test file {test_file} is not committed at {new[:12]}; evidence is a committed test"]
    return []
