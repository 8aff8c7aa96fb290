"""The recorded ways a lock changes without a failing test: the first ``lock``, adding
files to it, a ``tidy`` (checked to be non-behavioural), a reasoned ``--rebaseline``
(reported by every verify until acknowledged), and the reviewer's ``acknowledge``."""

from __future__ import annotations

import sys

from enforcement.assets.config import Config, LockError
from enforcement.assets.git import blobs, dirty, git, who
from enforcement.assets.history import check_history
from enforcement.assets.lock import Lock
from enforcement.assets.observe import observe
from enforcement.assets.scope import current, scope
from enforcement.assets.tidy import tidy_problem
from enforcement.assets.unlock import locked_base, now, pending
from enforcement.assets.verify import kit_changes


def lock(config: Config, *, rebaseline: bool, reason: str | None) -> int:
    observed = observe(config)
    wanted = {p: w for p, w in scope(config, observed).items() if p not in config.unlocked}
    head = git(config.root, "rev-parse", "HEAD")
    changes_what_runs = observed.problems + observed.shadowed(config, set(wanted)) + observed.patched(set(wanted))
    if changes_what_runs:
        raise LockError("what the assets run is not what their files say, so locking it would accept a change without "
                        "evidence: " + "; ".join(changes_what_runs) + ". A change to what an asset runs needs "
                        "`qts-assets unlock --test <id>` or `qts-assets lock --rebaseline --reason ...` once it is in "
                        "the asset's own files")
    if not config.lock_path.exists():
        earlier = check_history(config, None).earlier_lock
        if earlier:
            raise LockError(f"git holds a lock ({earlier}); restore it with git checkout: a lock is never recreated")
        _committed(config, list(wanted))
        Lock(current(config, wanted), [{"kind": "lock", "commit": head, "by": who(config.root), "recorded": now()}],
             kit=observed.kit_record()).dump(config.lock_path)
        print(f"locked {len(wanted)} file(s) at {head[:12]} in {config.lock_name}; commit it")
        return 0
    existing = Lock.read(config.lock_path)
    if rebaseline:
        if not reason:
            raise LockError("--rebaseline needs --reason: the lock keeps why its baseline moved")
        _committed(config, list(wanted))
        existing.entries = current(config, wanted)
        existing.kit = observed.kit_record()
        existing.history.append({"kind": "rebaseline", "commit": head, "reason": reason, "by": who(config.root), "recorded": now()})
        existing.dump(config.lock_path)
        print(f"re-baselined {len(wanted)} file(s) at {head[:12]}; every verify reports it until a reviewer acknowledges it")
        return 0
    added = sorted(p for p in wanted if p not in existing.entries)
    kit_added = sorted(m for m in observed.kit if m not in existing.kit_modules)
    kit_changed = kit_changes(existing, observed, unrecorded=False)
    if kit_changed:
        raise LockError("; ".join(kit_changed))
    if not added and not kit_added:
        raise LockError(f"{config.lock_name} exists and locks everything in scope; a locked file changes only through "
                        "`qts-assets unlock --test ...`, `tidy --reason ...` or `lock --rebaseline --reason ...`")
    _committed(config, added)
    existing.entries.update(current(config, {p: wanted[p] for p in added}))
    record: dict[str, object] = {"kind": "add", "assets": added}
    if kit_added:
        existing.kit = {"version": observed.kit_version, "modules": dict(sorted({**existing.kit_modules,
                                                                                 **{m: observed.kit[m] for m in kit_added}}.items()))}
        record.update({"kit_modules": kit_added, "kit_version": observed.kit_version})
    existing.history.append({**record, "commit": head, "by": who(config.root), "recorded": now()})
    existing.dump(config.lock_path)
    print(f"added {len(added)} file(s) and {len(kit_added)} kit module(s) to {config.lock_name}: "
          f"{', '.join(added + kit_added)}")
    return 0


def tidy(config: Config, reason: str) -> int:
    existing = Lock.read(config.lock_path)
    observed = observe(config)
    entries, changed = pending(config, existing, observed)
    base = locked_base(config, existing, changed, None)
    old = blobs(config.root, [f"{base}:{p}" for p in changed])
    problems = [tidy_problem(p, old[f"{base}:{p}"] or b"", (config.root / p).read_bytes())
                if p in existing.entries and p in entries else f"{p} is added or deleted, so it is not a tidy-up"
                for p in changed]
    refused = [p for p in problems if p] or [
        f"what the assets run changes: {p}" for p in
        observed.problems + observed.shadowed(config, set(entries)) + observed.patched(set(entries))]
    if refused:
        print("not a tidy-up: " + "; ".join(refused) + ". A behavioural change needs `qts-assets unlock --test <id>`.",
              file=sys.stderr)
        return 1
    existing.entries.update({p: entries[p] for p in changed})
    existing.history.append({"kind": "tidy", "assets": changed, "reason": reason, "locked_version": base,
                             "by": who(config.root), "recorded": now()})
    existing.dump(config.lock_path)
    print(f"tidy-up recorded for {', '.join(changed)}; verify shows it. Commit it with {config.lock_name}.")
    return 0


def acknowledge(config: Config, index: int) -> int:
    existing = Lock.read(config.lock_path)
    introduced = check_history(config, existing).introduced_at
    if not 0 <= index < len(existing.history) or existing.history[index].get("kind") != "rebaseline":
        raise LockError(f"record #{index} is not a rebaseline; `qts-assets verify` lists the unacknowledged ones")
    if introduced[index] is None:
        raise LockError(f"rebaseline #{index} is not committed yet; a reviewer acknowledges it in a later commit")
    existing.history.append({"kind": "acknowledge", "rebaseline": index, "by": who(config.root), "recorded": now()})
    existing.dump(config.lock_path)
    print(f"rebaseline #{index} acknowledged by {who(config.root)}; commit {config.lock_name}")
    return 0


def _committed(config: Config, paths: list[str]) -> None:
    uncommitted = dirty(config.root, paths)
    if uncommitted:
        raise LockError(f"commit these files before locking them: {', '.join(uncommitted)}")


def merge_lock(config: Config) -> int:
    """Resolve a conflict in the lock during ``git merge``: both sides' records, each in its order,
    and the merged files' entries; files that came into scope are recorded as added."""
    sides: list[Lock] = []
    for revision in ("HEAD", "MERGE_HEAD"):
        text = blobs(config.root, [f"{revision}:{config.lock_name}"])[f"{revision}:{config.lock_name}"]
        if text is None:
            raise LockError(f"{revision} holds no {config.lock_name}; merge-lock resolves a lock conflict during git merge")
        sides.append(Lock.parse(text.decode(), f"{config.lock_name} at {revision}"))
    ours, theirs = sides
    history = ours.history + [r for r in theirs.history if r not in ours.history]
    wanted = {p: w for p, w in scope(config).items() if p not in config.unlocked}
    known = {p: w for p, w in wanted.items() if p in ours.entries or p in theirs.entries}
    kit = {**theirs.kit, **ours.kit, "modules": {**theirs.kit_modules, **ours.kit_modules}} if ours.kit or theirs.kit else {}
    merged = Lock(current(config, known), history, kit=kit)
    added = sorted(p for p in wanted if p not in known)
    if added:
        merged.entries.update(current(config, {p: wanted[p] for p in added}))
        merged.history.append({"kind": "add", "assets": added, "commit": git(config.root, "rev-parse", "HEAD"),
                               "by": who(config.root), "recorded": now()})
    merged.dump(config.lock_path)
    print(f"merged {config.lock_name}: {len(history)} record(s) from both sides"
          + (f", {len(added)} file(s) added: {', '.join(added)}" if added else "")
          + "; commit the merge, then run `qts-assets verify` (a locked file both sides changed needs an unlock)")
    return 0
