"""The benchmark target and a reproducible sample of variants of it, shared by the benchmarks.

The target (``benchmarks/target``: five helpers in ``ledger/core.py``, thirty
tests) is copied out of the repository first, so its snapshot is a plain
folder rather than a commit of this repository. The sample is every distinct
single-edit patch the site pool draws from a seeded generator until it has
``size`` of them that pass the static gates: what a first generation would
send to the workers, killed and surviving variants alike.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from evolve.evaluation.backends import Backend
from evolve.evaluation.evaluator import EvaluationContext, Evaluator
from evolve.evaluation.sandbox import Limits
from evolve.target import take_snapshot
from fitness.observation import Observation, Status
from fitness.principles import PrincipleSettings
from mutations._index import ModuleIndex
from mutations.pool import SitePool
from populations.patch import Patch

TARGET = Path(__file__).with_name("target")
FILES = ("ledger/core.py",)
LIMITS = Limits(wall_seconds=60, cpu_seconds=60)


@dataclass
class Bench:
    """A snapshot of the target, its indexes, and a context to evaluate it with."""

    root: Path
    ctx: EvaluationContext
    indexes: dict[str, ModuleIndex]

    def evaluator(self, backend: Backend, **changes: object) -> tuple[Evaluator, Observation]:
        """A fresh evaluator (empty cache) on ``backend`` and the baseline it measured."""
        evaluator = Evaluator(replace(self.ctx, **changes), self.indexes, PrincipleSettings(), backend)
        baseline = evaluator.run_baseline()
        evaluator.ctx = replace(evaluator.ctx, expected_tests=tuple(sorted(baseline.tests)))
        return evaluator, baseline


def make_bench(folder: Path) -> Bench:
    """Copy the target under ``folder``, snapshot it, index its target file."""
    source = folder / "target"
    shutil.copytree(TARGET, source, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    scratch = folder / "scratch"
    scratch.mkdir()
    snapshot = take_snapshot(source, scratch / "snapshot")
    indexes = {f: ModuleIndex.build(f, snapshot.read(f)) for f in FILES}
    ctx = EvaluationContext(snapshot=snapshot.path, files=FILES, test_args=("tests",), coverage=True,
                            limits=LIMITS, benchmark=None, scratch=scratch)
    return Bench(source, ctx, indexes)


def sample(bench: Bench, size: int, seed: int = 2026) -> list[Patch]:
    """``size`` distinct single-edit patches that pass the static gates (compile, principles)."""
    pool = SitePool(bench.indexes)
    rng = random.Random(seed)
    checker = Evaluator(bench.ctx, bench.indexes, PrincipleSettings(), _NoBackend())
    placeholder = Observation(status=Status.PASSED)  # what an empty patch would be answered with
    seen: set[str] = set()
    out: list[Patch] = []
    for _ in range(size * 50):
        edit = pool.random_edit(rng)
        if edit is None:
            break
        patch = Patch((edit,))
        early = checker._static_gates(patch, placeholder)
        if isinstance(early, Observation) or early[0] in seen:
            continue
        seen.add(early[0])
        out.append(patch)
        if len(out) == size:
            break
    return out


class _NoBackend(Backend):
    name = "none"

    def map(self, fn, context, jobs):  # type: ignore[no-untyped-def]
        raise AssertionError("the sample is drawn without running anything")


@contextmanager
def backend(workers: int) -> Iterator[Backend]:
    """joblib/loky with ``workers`` processes, closed afterwards (with their servers)."""
    from evolve.evaluation.backends import LokyBackend

    chosen = LokyBackend(workers)
    try:
        yield chosen
    finally:
        chosen.close()
