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
(``evolve.gitops`` writes objects and refs only). A branch that is checked out
in a worktree is never moved: its working tree and index would silently fall
behind it. The command refuses and says how to merge by hand instead.

The module is past the usual size because verification, the commit message
and both promotion steps share the run record (``promotion.json``); they stay
together so the record's shape lives in one place.
"""

from __future__ import annotations

import json
import math
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, TextIO

from evolve.config import Config
from evolve.errors import EvolveError
from evolve.evaluator import EvaluationContext, Job, run_job
from evolve.gitops import ZERO, Repo
from evolve.sandbox import Limits, hand_over, run_sandboxed
from evolve.store import RunStore
from evolve.target import Snapshot
from fitness.aggregate import Score, Scorer, Weights
from fitness.observation import TEST_ERROR, TEST_FAILED, TEST_PASSED, Observation, Status
from fitness.principles import check_principles
from fitness.registry import OBJECTIVES
from mutations._index import ModuleIndex
from populations.patch import Patch, apply_patch

__all__ = ["PromotionRefused", "RunInfo", "Verification", "conclude_run", "promote_into", "read_record",
           "run_full_suite", "verify"]

RECORD = "promotion.json"
BRANCH_PREFIX = "evolve/"
RUN_END_MARGIN = 1e-6
"""At the end of a run the survivor need only still beat its base (by more than rounding); the
threshold is the mainline's rule, applied by ``promote_into``."""
SIGNIFICANCE = 0.01
"""A speed-up that clears the threshold must have a one-sided sign-test p-value at most this."""
FULL_SUITE_FACTOR, FULL_SUITE_MIN_SECONDS = 10, 120.0
"""The whole suite may take longer than the search's subset: ``tests.timeout`` times this, at least that."""


class PromotionRefused(EvolveError):
    """A promotion rule did not hold, so nothing was changed. Exit code 1: not bad input."""

    exit_code = 1


# ---------------------------------------------------------------- what a run hands over


@dataclass(frozen=True)
class RunInfo:
    """What a commit message says about the run that found the change."""

    run_id: str
    experiment: str
    config_name: str
    mode: str
    seed: int
    files: tuple[str, ...]
    edits: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "files": list(self.files), "edits": list(self.edits)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunInfo:
        return cls(**{**data, "files": tuple(data["files"]), "edits": tuple(data["edits"])})


# ---------------------------------------------------------------- verification


@dataclass(frozen=True)
class Verification:
    """What re-verifying a variant on a clean checkout found; ``reason`` says why it failed."""

    ok: bool
    reason: str = ""
    baseline: Score | None = None
    variant: Score | None = None
    tests: int = 0
    rounds: int = 0
    faster_rounds: int = 0
    fixed: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "reason": self.reason, "tests": self.tests, "rounds": self.rounds,
                "faster_rounds": self.faster_rounds, "fixed": self.fixed,
                "baseline": self.baseline.to_json() if self.baseline else None,
                "variant": self.variant.to_json() if self.variant else None}


@dataclass(frozen=True)
class SuiteRun:
    """The whole suite in a fresh process: did it pass, how many passed, pytest's own summary."""

    ok: bool
    passed: int
    summary: str


def run_full_suite(project: Path, config: Config) -> SuiteRun:
    """The project's whole suite as a person runs it: a fresh ``python -m pytest`` at its root."""
    hand_over(project)
    seconds = max(FULL_SUITE_MIN_SECONDS, FULL_SUITE_FACTOR * config.tests.timeout)
    limits = Limits(wall_seconds=seconds, cpu_seconds=seconds, memory_bytes=config.memory_mb * 1024 * 1024)
    done = run_sandboxed([sys.executable, "-m", "pytest", "-q", "-rfE", "-p", "no:cacheprovider"],
                         cwd=project, limits=limits)
    lines = [line.strip() for line in done.stdout.strip().splitlines()]
    summary = lines[-1].strip("= ") if lines else ""
    passed = _count(summary, "passed")
    if done.timed_out:
        return SuiteRun(False, passed, f"it did not finish within {seconds:.0f} s")
    if done.returncode == 0:
        return SuiteRun(True, passed, summary)
    first = next((line for line in lines if line.startswith(("FAILED ", "ERROR "))), "")
    tail = (done.stderr.strip().splitlines() or [""])[-1]
    why = summary or f"pytest exit status {done.returncode} {tail}".strip()
    return SuiteRun(False, passed, f"{why}; first: {first}"[:300] if first else why[:300])


def _count(summary: str, word: str) -> int:
    """``3`` from pytest's ``1 failed, 3 passed in 0.1s`` for ``passed``."""
    words = summary.replace(",", " ").split()
    for number, following in zip(words, words[1:]):
        if following == word and number.isdigit():
            return int(number)
    return 0


def verify(config: Config, base_dir: Path, variant_dir: Path, scratch: Path, threshold: float,
           where: str) -> Verification:
    """Re-verify the variant in ``variant_dir`` against ``base_dir`` (clean checkouts of the same project).

    The whole suite runs first (cheapest way to fail); then both sides are
    evaluated in fresh processes and the variant benchmarked interleaved with
    the base, and the promotion rules are checked against ``threshold``.
    """
    hand_over(base_dir)  # the sandbox user may write where a benchmark command runs
    suite = run_full_suite(variant_dir, config)
    if not suite.ok:
        return Verification(False, f"the full test suite (python -m pytest) fails on the variant: {suite.summary}")
    base, variant = _measure(config, base_dir, variant_dir, scratch)
    scorer = Scorer(base, config.weights, mode=config.mode, soft_principles=config.principles.soft)
    score = scorer.score(variant)
    pairs = list(zip(variant.cpu_times, variant.baseline_cpu_times))
    found = Verification(True, "", scorer.baseline_score, score, suite.passed, len(pairs),
                         sum(v < b for v, b in pairs), _fixed(base, variant))
    problem = _broken_rule(config, scorer, base, variant, found, threshold, where)
    return replace(found, ok=problem is None, reason=problem or "")


def _measure(config: Config, base_dir: Path, variant_dir: Path, scratch: Path) -> tuple[Observation, Observation]:
    """Both sides through the same worker code as the search, but each in a fresh interpreter."""
    files = config.target.files
    before, after = _read(base_dir, files), _read(variant_dir, files)
    timeout = config.tests.timeout
    limits = Limits(wall_seconds=timeout, cpu_seconds=timeout, memory_bytes=config.memory_mb * 1024 * 1024)
    ctx = EvaluationContext(snapshot=base_dir, files=files, test_args=(*config.tests.paths, *config.tests.args),
                            coverage=config.tests.coverage, limits=limits, benchmark=None, scratch=scratch,
                            fresh_process=True, isolation=config.sandbox)
    base = run_job(ctx, Job(key="baseline", sources={}))
    bench = None if config.benchmark is None else replace(config.benchmark, repeats=config.promotion.verify_repeats)
    ctx = replace(ctx, benchmark=bench, expected_tests=tuple(sorted(base.tests)))
    variant = run_job(ctx, Job(key="variant", sources={f: t for f, t in after.items() if t != before[f]}))
    kept_before = check_principles(before, before, config.principles).kept
    base = replace(base, sources=before, principles=dict(kept_before), cpu_times=variant.baseline_cpu_times,
                   baseline_cpu_times=variant.baseline_cpu_times)
    report = check_principles(after, before, config.principles)
    variant = replace(variant, sources=after, principles=dict(report.kept))
    if report.hard_violation and variant.status == Status.PASSED:
        variant = replace(variant, status=Status.REJECTED, gate="principles", reason=report.hard_violation)
    return base, variant


def _read(folder: Path, files: Sequence[str]) -> dict[str, str]:
    return {f: (folder / f).read_text(encoding="utf-8") if (folder / f).is_file() else "" for f in files}


def _fixed(base: Observation, variant: Observation) -> int:
    failing = {t for t, o in base.tests.items() if o in (TEST_FAILED, TEST_ERROR)}
    return sum(1 for t in failing if variant.tests.get(t) == TEST_PASSED)


def _broken_rule(config: Config, scorer: Scorer, base: Observation, variant: Observation, found: Verification,
                 threshold: float, where: str) -> str | None:
    assert found.variant is not None and found.baseline is not None
    if config.mode == "improve" and base.status != Status.PASSED:
        return f"the configured tests fail on {where} itself ({base.reason}); fix them first"
    if variant.status != Status.PASSED:
        return f"the variant fails re-verification at the {variant.gate} gate: {variant.reason}"
    if not scorer.clears(found.variant, threshold):
        return (f"fitness {found.variant.value:.4f} does not beat {where}'s {found.baseline.value:.4f} "
                f"by the threshold {threshold:g} (measured now)")
    if _speed_decides(scorer, found.variant, threshold) and _sign_test(found) > SIGNIFICANCE:
        return (f"the speed-up decides the promotion but is not distinguishable from noise (faster in "
                f"{found.faster_rounds} of {found.rounds} interleaved rounds); raise promotion.verify_repeats")
    return None


def _speed_decides(scorer: Scorer, score: Score, threshold: float) -> bool:
    """Whether the variant would fail the threshold without its performance gain."""
    weight, gain = scorer.weights["performance"], score.components.get("performance", 1.0) - 1.0
    if scorer.mode == "repair" or weight == 0 or gain <= 0:
        return False
    return not scorer.clears(replace(score, value=score.value - weight * gain), threshold)


def _sign_test(found: Verification) -> float:
    """One-sided p-value that the variant is faster in this many interleaved rounds by chance."""
    n, wins = found.rounds, found.faster_rounds
    if n == 0:
        return 1.0
    return sum(math.comb(n, k) for k in range(wins, n + 1)) / 2 ** n


# ---------------------------------------------------------------- the commit message


_UNITS = {name: objective.unit for name, objective in OBJECTIVES.items()}


def commit_message(info: RunInfo, found: Verification, weights: Weights, where: str, note: str = "") -> str:
    """Summary line (what improved, by how much), the edits, the figures, the run's identity."""
    assert found.baseline is not None and found.variant is not None
    lines = [_subject(info, found, weights), ""]
    if note:
        lines += [note, ""]
    lines += ["Edits:", *(f"- {edit}" for edit in info.edits), ""]
    lines += [f"Measured on a clean checkout of {where} (baseline -> variant):", *_figure_lines(found), ""]
    lines += [f"Evolve-Run: {info.run_id}", f"Evolve-Seed: {info.seed}",
              f"Evolve-Config: {info.config_name} (experiment {info.experiment}, mode {info.mode})"]
    return "\n".join(lines) + "\n"


def _subject(info: RunInfo, found: Verification, weights: Weights) -> str:
    assert found.baseline is not None and found.variant is not None
    place = info.files[0] if len(info.files) == 1 else f"{len(info.files)} files"
    fitness = f"fitness {found.baseline.value:.3f} -> {found.variant.value:.3f}"
    if info.mode == "repair":
        return f"evolve: repair {place}: {found.fixed} failing test(s) pass now ({fitness})"
    return f"evolve: {_headline(found.baseline, found.variant, weights)} in {place} ({fitness})"


def _headline(baseline: Score, variant: Score, weights: Weights) -> str:
    """The component that gained the most fitness, in words."""
    gains = {n: weights[n] * (c - 1.0) for n, c in variant.components.items()}
    name = max(gains, key=gains.__getitem__, default="")
    before, after = baseline.figures.get(name), variant.figures.get(name)
    if not name or gains[name] <= 0 or before is None or after is None:
        return "smaller change"
    if name == "performance":
        return f"{(1.0 - after) * 100:.0f}% less CPU"
    if name == "tokens" and before:
        return f"{(1.0 - after / before) * 100:.0f}% fewer tokens"
    return f"{name} {before:.3g} -> {after:.3g}"


def _figure_lines(found: Verification) -> list[str]:
    assert found.baseline is not None and found.variant is not None
    lines = []
    for name, score in found.variant.components.items():
        before, after = found.baseline.figures.get(name), found.variant.figures.get(name)
        if before is None and after is None:
            continue  # not measured (no benchmark configured)
        text = f"  {name:<16} {_fmt(before)} -> {_fmt(after)} {_UNITS.get(name, '')}".rstrip()
        lines.append(f"{text}  (score {score:.3f})")
    timing = found.variant.details.get("performance", {})
    if "median_s" in timing and "baseline_median_s" in timing:
        lines.append(f"  benchmark CPU    {_ms(timing['baseline_median_s'])} -> {_ms(timing['median_s'])} per run, "
                     f"median of {found.rounds} interleaved rounds; the variant was faster in {found.faster_rounds} of them")
    lines.append(f"  fitness          {found.baseline.value:.4f} -> {found.variant.value:.4f}")
    lines.append(f"  full test suite  {found.tests} passed in a fresh python -m pytest")
    return lines


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.3g} ms"


# ---------------------------------------------------------------- end of a run


def conclude_run(config: Config, snapshot: Snapshot, indexes: Mapping[str, ModuleIndex], patch: Patch,
                 store: RunStore, scratch: Path, out: TextIO) -> str | None:
    """After a run that improved: re-verify the (minimised) ``patch`` on a clean checkout, then commit
    it to ``evolve/<run-id>`` (in git; returns the branch) or say how to apply ``best.diff``."""
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
    tree = repo.tree_with(base, {prefix + f: text for f, text in sources.items()})
    where = f"the base commit {base[:10]}"
    found = _verify_trees(config, repo, prefix, base, tree, folder, RUN_END_MARGIN, where)
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
    base_dir = Path(shutil.copytree(snapshot.path, folder / "base", ignore=ignore))
    variant_dir = Path(shutil.copytree(snapshot.path, folder / "variant", ignore=ignore))
    for file, text in sources.items():
        (variant_dir / file).write_text(text, encoding="utf-8")
    found = verify(config, base_dir, variant_dir, folder, RUN_END_MARGIN, "the unmodified project")
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
    from evolve.history import FILENAME, HistoryWriter

    try:
        writer = HistoryWriter(store.path.parent.parent / FILENAME, store.run_id)
        try:
            writer.promotion(branch, commit, merged, note)
        finally:
            writer.close()
    except (EvolveError, sqlite3.Error) as exc:
        print(f"evolve: warning: the promotion is not in the run history ({exc})", file=out)
