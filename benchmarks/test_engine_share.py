"""The engine's own share of a run at population 200: variation, selection, scoring, bookkeeping, logging.

Run with::

    python -m pytest benchmarks/test_engine_share.py --benchmark-columns=min,median,max,rounds

A whole ``run_experiment`` on ``benchmarks/target`` (population 200, three
generations after the first, two loky workers, fast path on, no speed
benchmark so that evaluation time is as small as it gets and the engine's
share as large). ``SearchResult.seconds`` is the wall time of the generational
loop; ``engine_seconds`` is what is left of it outside ``Evaluator.evaluate``
(which holds the static gates, the cache and the workers' time). Both are
read back from the run's ``summary.json``.

Of ``engine_seconds``, scoring (``Scorer.score``: radon's maintainability
index and the token count of every new variant) is timed apart by wrapping
the real method; what remains is variation, selection, bookkeeping and
logging, whose share must stay under 10 %. Both shares are in ``extra_info``.
"""

from __future__ import annotations

import io
import json
import statistics
import time
from pathlib import Path
from typing import Any

import pytest

from benchmarks.variants import FILES, make_bench
from evolve.config import config_from_dict
from evolve.run import run_experiment
from fitness.aggregate import Scorer

POPULATION = 200
GENERATIONS = 3


def test_engine_share_at_population_200(benchmark: Any, tmp_path_factory: pytest.TempPathFactory,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    bench = make_bench(tmp_path_factory.mktemp("engine-share"))
    shares: list[float] = []
    runs: list[dict[str, Any]] = []
    scoring: list[float] = []
    score = Scorer.score

    def timed_score(self: Scorer, observation: Any) -> Any:
        started = time.perf_counter()
        try:
            return score(self, observation)
        finally:
            scoring[-1] += time.perf_counter() - started

    monkeypatch.setattr(Scorer, "score", timed_score)

    def run(round_dir: Path) -> None:
        config = config_from_dict({
            "experiment": "engine-share", "target": {"root": str(bench.root), "files": list(FILES)},
            "tests": {"paths": ["tests"], "timeout": 60},
            "search": {"population": POPULATION, "generations": GENERATIONS, "seed": len(runs) + 1},
            "workers": 2, "run_dir": str(round_dir),
        }, base=round_dir)
        scoring.append(0.0)
        outcome = run_experiment(config, out=io.StringIO(), progress=False)
        summary = json.loads((outcome.path / "summary.json").read_text())
        runs.append(summary)
        shares.append(summary["engine_seconds"] / summary["seconds"])

    benchmark.pedantic(lambda: run(tmp_path_factory.mktemp("runs")), rounds=3, iterations=1)
    rest = [(s["engine_seconds"] - c) / s["seconds"] for s, c in zip(runs, scoring)]
    benchmark.extra_info.update({
        "engine_share_median": round(statistics.median(shares), 4),
        "engine_shares": [round(s, 4) for s in shares],
        "engine_share_without_scoring_median": round(statistics.median(rest), 4),
        "scoring_seconds": [round(c, 2) for c in scoring],
        "loop_seconds": [s["seconds"] for s in runs],
        "engine_seconds": [s["engine_seconds"] for s in runs],
        "evaluations": [s["evaluations"] for s in runs],
        "executed": [s["executed"] for s in runs],
        "cache_hits": [s["cache_hits"] for s in runs],
    })
    assert statistics.median(rest) < 0.10
