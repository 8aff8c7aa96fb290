"""The lock's history is its proof (seed section 4.3): every version of the lock that
git holds must extend its predecessor in each parent commit, and every change of a locked entry
must be backed by a record that git can confirm: the locked version named by an evidence
or tidy record really holds the locked content, the new version holds the new content,
the evidence test is committed, a tidy-up is really only a tidy-up, and each committed
lock matches the files committed with it. Earlier lock files (found by the marker every
lock carries) count too, so a deleted, recreated or redirected lock breaks the chain.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
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
    """Check every lock version against its predecessor in each parent commit (merges have two)."""
    graph = _LockGraph(config)
    history = History()
    if working is None:
        last = graph.version_at("HEAD") or graph.before_deletion("HEAD")
        history.earlier_lock = f"{last.path} at {last.label}" if last else None
        return history
    steps: list[tuple[Version, list[tuple[Version | None, bool]]]] = []
    committed: list[Version] = []
    for commit, parents in graph.commits:
        version = graph.version_at(commit)
        if version is not None:
            committed.append(version)
            steps.append((version, [graph.predecessor(parent, version) for parent in parents] or [(None, False)]))
    current = Version("the working tree", None, config.lock_name, working)
    befores = [graph.predecessor(parent, current) for parent in graph.working_parents]
    if any(previous is None or moved or previous.lock != working for previous, moved in befores):
        steps.append((current, befores))
    accepted = _behind_rebaselines(config, committed, working)
    steps = [(version, befores) for version, befores in steps if version.commit not in accepted]
    content = blobs(config.root, [spec for version, befores in steps for before, _ in befores
                                  for spec in _blobs_needed(before, version)])
    for version, befores in steps:
        if version.commit is not None:
            history.problems += _matches_its_commit(version, content)
        # A merge joins branches: what it keeps must be backed on at least one side.
        per_parent = [_extends(config, before, version, content, moved=was_moved) if before else {}
                      for before, was_moved in befores]
        # ... and it keeps every side's records.
        unbacked: set[str] = set(per_parent[0]).intersection(*(set(found) for found in per_parent[1:]))
        for found in per_parent:
            history.problems += found.get("history", [])
        for key in sorted(unbacked - {"history"}):
            history.problems += per_parent[0][key]
    history.introduced_at = [next((v.commit for v in committed if record in v.lock.history), None)
                             for record in working.history]
    return history


def root_of_trust_problems(config: Config, pinned: str) -> list[str]:
    """The lock's first commit must be the pinned one (a commit id, or ``tag:NAME`` for a signed tag),
    and HEAD must descend from it: a history rewritten or started afresh (an orphan branch locking a
    changed asset) has no earlier lock to contradict it, so only a value kept outside it can."""
    if pinned.startswith("tag:"):
        tag = pinned.removeprefix("tag:")
        if not _tag_verifies(config, tag):
            return [f"the root of trust {pinned} is not a tag with a good signature here (git verify-tag {tag} failed): "
                    "fetch the tag and the signer's key, or pin the first lock commit's id instead"]
        pinned = f"{tag}^{{commit}}"
    root = git(config.root, "rev-parse", "--verify", "--quiet", f"{pinned}^{{commit}}", check=False)
    if not root:
        return [f"the pinned root of trust {pinned} is not a commit of this repository: the history was rewritten, or "
                "the clone lacks it (fetch everything)"]
    first = first_lock_commit(config)
    if subprocess.run(["git", "merge-base", "--is-ancestor", root, "HEAD"], cwd=config.root, capture_output=True,
                      check=False).returncode != 0:
        return [f"HEAD does not descend from the pinned root of trust {root[:12]}: this history (its first lock at "
                f"{(first or 'none')[:12]}) was started afresh or rewritten, so its lock proves nothing"]
    if first != root:
        return [f"the lock's first commit is {(first or 'none')[:12]}, not the pinned root of trust {root[:12]}: the lock "
                "was recreated or its history rewritten"]
    return []


def first_lock_commit(config: Config) -> str | None:
    """The commit that holds the oldest lock of this history: what a team pins as its root of trust."""
    graph = _LockGraph(config)
    return next((commit for commit, _ in graph.commits if graph.version_at(commit) is not None), None)


def _tag_verifies(config: Config, tag: str) -> bool:
    return subprocess.run(["git", "verify-tag", tag], cwd=config.root, capture_output=True, check=False).returncode == 0


def _behind_rebaselines(config: Config, committed: list[Version], working: Lock) -> set[str | None]:
    """The commits some rebaseline accepted as they are: the ancestors of the commit that
    added each rebaseline record (all of HEAD's history for one not committed yet).

    A rebaseline accepts any change and is reported by every verify until a reviewer
    acknowledges it, so the chain behind it has nothing left to prove; lock versions on
    branches a rebaseline never saw are still checked in full.
    """
    accepted: set[str | None] = set()
    for record in working.history:
        if record.get("kind") != "rebaseline":
            continue
        added_in = next((v.commit for v in committed if record in v.lock.history), None)
        listing = git(config.root, "rev-list", added_in or "HEAD")
        accepted.update(line for line in listing.split() if line != added_in)
    return accepted


class _LockGraph:
    """The commits that touch a lock file (any lock file git has held), with their parents."""

    def __init__(self, config: Config) -> None:
        if not git(config.root, "rev-parse", "--verify", "--quiet", "HEAD"):
            raise LockError(f"{config.root} has no commit yet; the lock's history lives in git: commit the assets first")
        if git(config.root, "rev-parse", "--is-shallow-repository") == "true":
            raise LockError("this clone is shallow, and the lock is checked against its git history: fetch it all "
                            "(git fetch --unshallow; in GitHub Actions, actions/checkout with fetch-depth: 0)")
        self.root, self.lock_name = config.root, config.lock_name
        found = git(config.root, "log", "--format=", "--name-only", "--relative", "--no-renames", "-S", MARKER, "HEAD")
        # A lock of a project nested in this one (a directory with its own pyproject.toml) is not ours.
        self.paths = sorted({config.lock_name} | {p for p in found.splitlines() if p and not _nested(config.root, p)})
        listing = git(config.root, "rev-list", "--parents", "--full-history", "--topo-order", "--reverse", "HEAD",
                      "--", *self.paths)
        self.commits = [(line.split()[0], line.split()[1:]) for line in listing.splitlines() if line.strip()]
        wanted = {c for c, parents in self.commits for c in (c, *parents)} | {"HEAD"}
        self._texts = blobs(config.root, [f"{c}:{p}" for c in sorted(wanted) for p in self.paths])
        self._cache: dict[str, Version | None] = {}
        merging = git(config.root, "rev-parse", "--quiet", "--verify", "MERGE_HEAD", check=False)
        self.working_parents = ["HEAD", *([merging] if merging else [])]
        """The working tree's parents: HEAD, and MERGE_HEAD while a merge is being resolved."""

    def version_at(self, commit: str) -> Version | None:
        """The lock at ``commit``: the configured file, else any earlier lock file still there."""
        if commit not in self._cache:
            self._cache[commit] = None
            for path in [self.lock_name, *(p for p in self.paths if p != self.lock_name)]:
                spec = f"{commit}:{path}"
                text = self._texts[spec] if spec in self._texts else blobs(self.root, [spec])[spec]
                if text is not None and _is_lock(text):
                    label = "HEAD" if commit == "HEAD" else f"commit {commit[:12]}"
                    self._cache[commit] = Version(label, commit, path, Lock.parse(text.decode(), f"{path} at {label}"))
                    break
        return self._cache[commit]

    def before_deletion(self, commit: str) -> Version | None:
        """The last lock an ancestor of ``commit`` held, when ``commit`` holds none."""
        deleted = git(self.root, "log", "-1", "--format=%H", commit, "--", *self.paths)
        if not deleted:
            return None
        return self.version_at(f"{deleted}^") if git(self.root, "rev-list", "--parents", "-1", deleted).count(" ") else None

    def predecessor(self, parent: str | None, version: Version) -> tuple[Version | None, bool]:
        """The version ``version`` must extend, and whether the lock moved or was recreated since."""
        if parent is None:
            return None, False
        previous = self.version_at(parent)
        if previous is None:
            earlier = self.before_deletion(parent)
            return earlier, earlier is not None
        return previous, previous.path != version.path


def _nested(root: Path, path: str) -> bool:
    parent = PurePosixPath(path).parent
    return parent != PurePosixPath(".") and (root / parent / "pyproject.toml").is_file()


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


def _extends(config: Config, previous: Version, version: Version, content: dict[str, bytes | None], *,
             moved: bool) -> dict[str, list[str]]:
    """What ``version`` does to ``previous`` that no record backs, keyed by what it concerns."""
    old, new = previous.lock, version.lock
    where = f"{version.path} in {version.label}"
    added = _added(old.history, new.history)
    if added is None:
        if moved:
            return {"history": [f"{where} starts a new lock although git holds an earlier one ({previous.path} at "
                                f"{previous.label}); a lock is never recreated or redirected: restore {previous.path} "
                                f"(git checkout {previous.commit or 'HEAD'} -- {previous.path}) and change assets only "
                                "through qts-assets"]}
        return {"history": [f"{where} drops or edits records of {previous.label}: the lock's history is append-only; "
                            f"restore it with git checkout {previous.commit or 'HEAD'} -- {previous.path}"]}
    problems: dict[str, list[str]] = {}
    changed = sorted(p for p in old.entries.keys() | new.entries.keys()
                     if (old.entries.get(p) and old.entries[p].sha256) != (new.entries.get(p) and new.entries[p].sha256))
    for path in changed:
        covering = [r for r in added if _covers(r, path, path in old.entries)]
        if not covering:
            what = "drops" if path not in new.entries else "changes"
            problems[path] = [f"{where} {what} the lock entry of {path} with no evidence, tidy or rebaseline record: "
                              f"a hand edit of the lock; restore it (git checkout {previous.commit or 'HEAD'} -- "
                              f"{previous.path}) and use `qts-assets unlock --test <id>`"]
        for record in covering:
            if record.get("kind") in CHANGE_KINDS and path in old.entries and path in new.entries:
                found = _record_problems(config, record, path, old.entries[path].sha256, new.entries[path].sha256,
                                         version, content)
                if found:
                    problems.setdefault(path, []).extend(found)
    problems.update(_kit_backed(old, new, added, where, previous))
    for record in added:
        if record.get("kind") == "acknowledge":
            index = record.get("rebaseline")
            target = new.history[index] if isinstance(index, int) and 0 <= index < len(new.history) else None
            if target is None or target.get("kind") != "rebaseline" or target not in old.history:
                problems[f"acknowledge {index}"] = [
                    f"{where} acknowledges record {index!r}, which is not a rebaseline committed before it: "
                    "a rebaseline is acknowledged by a reviewer in a later commit"]
    return problems


def _kit_backed(old: Lock, new: Lock, added: list[Record], where: str, previous: Version) -> dict[str, list[str]]:
    """A kit module newly recorded needs an ``add`` record naming it; a changed hash or kit version, a rebaseline."""
    if any(r.get("kind") == "rebaseline" for r in added):
        return {}
    problems: dict[str, list[str]] = {}
    newly = {str(m) for r in added if r.get("kind") == "add" for m in r.get("kit_modules", [])}
    before, after = old.kit_modules, new.kit_modules
    for module in sorted(before.keys() | after.keys()):
        if module not in before and module in newly:
            continue
        if before.get(module) != after.get(module):
            problems[f"kit {module}"] = [f"{where} changes the recorded kit module {module} without an add or rebaseline "
                                         f"record: a hand edit of the lock; restore it (git checkout "
                                         f"{previous.commit or 'HEAD'} -- {previous.path}); a kit upgrade goes through "
                                         "`qts-assets lock --rebaseline --reason ...`"]
    if before and old.kit.get("version") != new.kit.get("version"):
        problems["kit version"] = [f"{where} changes the recorded kit version ({old.kit.get('version')} -> "
                                   f"{new.kit.get('version')}) without a rebaseline record"]
    return problems


def _added(old: list[Record], new: list[Record]) -> list[Record] | None:
    """The records ``new`` adds to ``old``, or None when ``new`` loses or reorders any of ``old``'s.

    Not a plain prefix: a merge joins two branches' records, each branch's in its order.
    """
    added: list[Record] = []
    position = 0
    for record in new:
        if position < len(old) and record == old[position]:
            position += 1
        else:
            added.append(record)
    return added if position == len(old) else None


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
