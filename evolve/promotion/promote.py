"""Promotion: a run's survivor becomes a verified, minimal commit, and may move a mainline.

Users must be able to trust a commit evolve makes as much as one a careful
colleague makes, so every step re-checks rather than trusts the search:

- At the end of a run that improved (``conclude_run``), the minimised patch
  is written as a tree over the base commit, exported to a clean folder and
  re-verified there (``verify``): the project's *whole* test suite in a fresh
  ``python -m pytest`` process (not the search's fast path, not only
  ``tests.paths``), then the fitness re-measured against the base with
  ``promotion.verify_repeats`` interleaved benchmark rounds. Only then is it
  committed to ``evolve/<run-id>``, with the measured figures in the message.
  Outside git the verified patch is the run folder's ``best.diff``, and the run
  says how to apply it.
- ``promote_into`` (``python -m evolve promote <run-id> --into <branch>``)
  measures again *now*, on the branch's tip: the change is applied onto the
  tip if the branch moved since the base, re-verified there, and must beat the
  tip's fitness by ``fitness.threshold``; when the speed-up is what clears the
  threshold, a sign test over the interleaved rounds must say it is no noise.
  The branch then moves by a compare-and-swap of its ref: a fast-forward to
  the run's commit, or one new commit on top of a moved tip.

The user's working tree, index, ``HEAD`` and stash are never touched
(``evolve.promotion.gitops`` writes objects and refs only). A branch that is checked out
in a worktree is never moved: its working tree and index would silently fall
behind it. The command refuses and says how to merge by hand instead.

Verification lives in ``verify``, the commit message in ``message``; this
module owns the run record (``promotion.json``) and both promotion steps.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from evolve import sourcefile
from evolve.config import Config
from evolve.errors import EvolveError
from evolve.promotion.gitops import ZERO, Repo
from evolve.promotion.message import RunInfo, commit_message
from evolve.promotion.verify import Verification, verify
from evolve.records.store import RunStore
from evolve.target import Snapshot
from mutations._index import ModuleIndex
from populations.patch import Patch, apply_patch

__all__ = ["PromotionRefused", "conclude_run", "promote_into", "read_record"]

RECORD = "promotion.json"
BRANCH_PREFIX = "evolve/"


class PromotionRefused(EvolveError):
    """A promotion rule did not hold, so nothing was changed. Exit code 1: not bad input."""

    exit_code = 1


# ---------------------------------------------------------------- what a run hands over

def conclude_run(config: Config, snapshot: Snapshot, indexes: Mapping[str, ModuleIndex], patch: Patch,
                 store: RunStore, scratch: Path, out: TextIO) -> str | None:
    """After a run whose best clears the threshold: re-verify the (minimised) ``patch`` on a clean checkout
    under the same rules as ``promote_into`` (whole suite, ``fitness.threshold`` measured now, a deciding
    speed-up significant), then commit it to ``evolve/<run-id>`` (in git; returns the branch) or say how
    to apply ``best.diff``. A variant that fails any rule is never committed."""
    applied = apply_patch(patch, indexes)
    info = RunInfo(run_id=store.run_id, experiment=config.experiment,
                   config_name=config.source.name if config.source else "(in-memory config)", mode=config.mode,
                   seed=config.search.seed, files=tuple(sorted(applied.sources)),
                   edits=tuple(e.describe(indexes[e.file]) for e in applied.applied))
    folder = Path(tempfile.mkdtemp(prefix="verify-", dir=scratch))
    try:
        if snapshot.base_commit is None:
            _conclude_outside_git(config, snapshot, dict(applied.sources), info, store, folder, out)
            return None
        return _conclude_in_git(config, snapshot, dict(applied.sources), info, store, folder, out)
    except EvolveError as exc:
        print(f"evolve: not committed: {exc}", file=out)
        return None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _conclude_in_git(config: Config, snapshot: Snapshot, sources: dict[str, str], info: RunInfo,
                     store: RunStore, folder: Path, out: TextIO) -> str | None:
    repo, prefix = _repo(snapshot.root)
    base = str(snapshot.base_commit)
    tree = repo.tree_with(base, {prefix + f: sourcefile.encode(text, (snapshot.path / f).read_bytes())
                                 for f, text in sources.items()})
    where = f"the base commit {base[:10]}"
    found = _verify_trees(config, repo, prefix, base, tree, folder, config.threshold, where)
    record: dict[str, Any] = {"run": info.to_json(), "base_commit": base, "prefix": prefix, "branch": None,
                              "commit": None, "verification": found.to_json(), "promotions": []}
    if not found.ok:
        store.write_json(RECORD, record)
        print(f"evolve: not committed: {found.reason}", file=out)
        return None
    branch = BRANCH_PREFIX + store.run_id
    commit = repo.commit(tree, [base], commit_message(info, found, config.weights, where))
    repo.set_branch(branch, commit, ZERO, f"evolve: verified survivor of run {store.run_id}")
    store.write_json(RECORD, {**record, "branch": branch, "commit": commit})
    _history(store, branch, commit, merged=False, note=f"verified survivor on {base[:10]}", out=out)
    _announce_branch(repo, store, found, branch, commit, out)
    if config.promotion.auto_into:
        _auto_promote(config, store, config.promotion.auto_into, out)
    return branch


def _announce_branch(repo: Repo, store: RunStore, found: Verification, branch: str, commit: str,
                     out: TextIO) -> None:
    into = repo.current_branch() or "main"
    print(f"evolve: re-verified on a clean checkout: {_verified_words(found)}", file=out)
    print(f"evolve: committed {commit[:10]} to branch {branch}; review it with: git show {branch}", file=out)
    print(f"evolve: promote it with: python -m evolve promote {store.run_id} --into {into}{_run_dir_flag(store)}"
          f"  (a checked-out branch is never moved; there, use: git merge {branch})", file=out)


def _conclude_outside_git(config: Config, snapshot: Snapshot, sources: dict[str, str], info: RunInfo,
                          store: RunStore, folder: Path, out: TextIO) -> None:
    ignore = shutil.ignore_patterns(".home", ".tmp")
    base_dir = Path(shutil.copytree(snapshot.path, folder / "base", ignore=ignore, symlinks=True))
    variant_dir = Path(shutil.copytree(snapshot.path, folder / "variant", ignore=ignore, symlinks=True))
    for file, text in sources.items():
        sourcefile.write(variant_dir / file, text)  # stored as the original is (encoding, BOM, line endings)
    found = verify(config, base_dir, variant_dir, folder, config.threshold, "the unmodified project")
    diff = store.path / "best.diff"
    store.write_json(RECORD, {"run": info.to_json(), "base_commit": None, "branch": None, "commit": None,
                              "diff": str(diff), "verification": found.to_json(), "promotions": []})
    if not found.ok:
        print(f"evolve: the patch did not re-verify: {found.reason}; {diff} is kept to inspect", file=out)
        return
    print(f"evolve: re-verified on a clean copy: {_verified_words(found)}", file=out)
    print(f"evolve: {snapshot.root} is not a git repository, so nothing was committed; apply the patch there "
          f"with: git apply {diff}   (or: patch -p1 < {diff})", file=out)


def _verify_trees(config: Config, repo: Repo, prefix: str, base: str, tree: str, folder: Path,
                  threshold: float, where: str) -> Verification:
    base_dir = repo.export(base, prefix, folder / "base")
    variant_dir = repo.export(tree, prefix, folder / "variant")
    return verify(config, base_dir, variant_dir, folder, threshold, where)


def _verified_words(found: Verification) -> str:
    assert found.baseline is not None and found.variant is not None
    return (f"full test suite passed ({found.tests} tests, fresh python -m pytest); fitness "
            f"{found.baseline.value:.4f} -> {found.variant.value:.4f}")


def _run_dir_flag(store: RunStore) -> str:
    default = (Path.cwd() / ".evolve" / "runs").resolve()
    return "" if store.path.parent.resolve() == default else f" --run-dir {store.path.parent}"


def _auto_promote(config: Config, store: RunStore, into: str, out: TextIO) -> None:
    """An unattended run promotes by itself; a refusal is reported, never fatal to the run."""
    try:
        promote_into(config, store, into, out)
    except EvolveError as exc:
        print(f"evolve: {exc}", file=out)


# ---------------------------------------------------------------- promote into a mainline


def read_record(store: RunStore) -> dict[str, Any]:
    """The run's promotion record; a clear line when the run has nothing to promote."""
    path = store.path / RECORD
    if not path.is_file():
        raise EvolveError(f"run {store.run_id} left nothing to promote: it found no improvement that passed "
                          f"every test (see {store.path / 'summary.json'})")
    record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if record.get("base_commit") is None:
        raise EvolveError(f"run {store.run_id} evolved a folder that is not a git repository; apply its patch "
                          f"by hand: git apply {store.path / 'best.diff'}")
    if not record.get("branch"):
        why = record.get("verification", {}).get("reason") or "it did not re-verify"
        raise EvolveError(f"run {store.run_id} made no commit to promote: {why}")
    return record


def promote_into(config: Config, store: RunStore, into: str, out: TextIO) -> str:
    """Bring the run's verified commit into branch ``into`` when every rule holds; return the new tip.

    Refusals raise ``PromotionRefused`` (recorded in ``promotion.json``), bad
    input ``EvolveError``; either way nothing was changed.
    """
    record = read_record(store)
    repo, prefix = _repo(config.target.root)
    branch = record["branch"]
    commit, tip = _commit_of(repo, branch), _tip_of(repo, into)
    if repo.is_ancestor(commit, tip):
        print(f"evolve: {into} already contains {branch} ({commit[:10]}); nothing to do", file=out)
        return tip
    try:
        new, found = _promote(config, repo, prefix, record, commit, into, tip)
    except PromotionRefused as exc:
        _note(store, record, {"into": into, "tip": tip, "promoted": False, "reason": str(exc)})
        raise
    _note(store, record, {"into": into, "tip": tip, "promoted": True, "commit": new,
                          "verification": found.to_json()})
    _history(store, into, new, merged=True, note=f"{branch} promoted onto {tip[:10]}", out=out)
    print(f"evolve: re-verified on {into} at {tip[:10]}: {_verified_words(found)} (threshold {config.threshold:g})",
          file=out)
    print(f"evolve: promoted {branch} into {into}: {tip[:10]} -> {new[:10]}", file=out)
    return new


def _promote(config: Config, repo: Repo, prefix: str, record: Mapping[str, Any], commit: str, into: str,
             tip: str) -> tuple[str, Verification]:
    branch, base = record["branch"], record["base_commit"]
    checkout = repo.checked_out(into)
    if checkout is not None:
        raise PromotionRefused(
            f"not promoted: {into} is checked out in {checkout}, and moving it would leave that working tree "
            f"behind; switch it to another branch and promote again, or merge there yourself: git merge {branch}")
    tree = _tree_onto(repo, base, commit, into, tip)
    where = f"{into} at {tip[:10]}"
    with tempfile.TemporaryDirectory(prefix="evolve-promote-") as tmp:
        found = _verify_trees(config, repo, prefix, tip, tree, Path(tmp), config.threshold, where)
    if not found.ok:
        raise PromotionRefused(f"not promoted into {into}: {found.reason}; nothing was changed")
    new = commit
    if tip != base:
        note = f"Applied onto {where}; the run evolved {base[:10]} (branch {branch})."
        new = repo.commit(tree, [tip], commit_message(RunInfo.from_json(record["run"]), found, config.weights,
                                                      where, note))
    try:
        repo.set_branch(into, new, tip, f"evolve: promote {branch}")
    except EvolveError as exc:
        raise PromotionRefused(f"not promoted: {exc}") from None
    return new, found


def _tree_onto(repo: Repo, base: str, commit: str, into: str, tip: str) -> str:
    """The run's change on ``into``'s tip: its own tree when the tip is still the base."""
    if tip == base:
        return repo.git("rev-parse", f"{commit}^{{tree}}")
    tree, why = repo.apply_onto(base, commit, tip)
    if tree is None:
        raise PromotionRefused(f"not promoted: {into} moved since {base[:10]} and the patch does not apply on its "
                               f"tip {tip[:10]} ({why}); nothing was changed")
    return tree


def _repo(root: Path) -> tuple[Repo, str]:
    found = Repo.at(root)
    if found is None:
        raise EvolveError(f"{root} is not in a git repository (any more); nothing can be committed there")
    return found


def _commit_of(repo: Repo, branch: str) -> str:
    commit = repo.branch_tip(branch)
    if commit is None:
        raise EvolveError(f"branch {branch} is gone from {repo.top}; run the experiment again to recreate it")
    return commit


def _tip_of(repo: Repo, into: str) -> str:
    if not repo.valid_branch(into):
        raise EvolveError(f"--into {into!r} is not a valid branch name; name a branch such as main")
    tip = repo.branch_tip(into)
    if tip is None:
        raise EvolveError(f"branch {into} does not exist in {repo.top}; name an existing branch with --into")
    return tip


def _note(store: RunStore, record: Mapping[str, Any], attempt: dict[str, Any]) -> None:
    attempts = [*record.get("promotions", []), {**attempt, "at": time.time()}]
    store.write_json(RECORD, {**record, "promotions": attempts})


def _history(store: RunStore, branch: str, commit: str, merged: bool, note: str, out: TextIO) -> None:
    """Also record in the run history database; a failure there never undoes a promotion."""
    from evolve.records.history import FILENAME, HistoryWriter

    try:
        writer = HistoryWriter(store.path.parent.parent / FILENAME, store.run_id)
        try:
            writer.promotion(branch, commit, merged, note)
        finally:
            writer.close()
        if writer.problem:
            print(f"evolve: warning: the promotion is not in the run history: {writer.problem}", file=out)
    except (EvolveError, sqlite3.Error) as exc:
        print(f"evolve: warning: the promotion is not in the run history ({exc})", file=out)
