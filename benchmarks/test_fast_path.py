"""Evaluation throughput: the live fast path against a fresh ``python -m pytest`` per variant.

Run with::

    python -m pytest benchmarks/test_fast_path.py --benchmark-columns=min,median,max,rounds

The same sample of variants of ``benchmarks/target`` (five functions, thirty
tests; see ``variants.py``) is evaluated through ``Evaluator.evaluate`` with two
loky workers, four ways, in one session: the fast path (live session, code
swapped in or names rebound, covering tests only, slow path for what it
cannot express), the same in screening mode, the warm fork server (a full ``pytest.main`` per variant) and a fresh
interpreter per variant. Each figure is the wall time of one whole batch,
static gates included, with the workers already started; variants per second
are in each benchmark's ``extra_info``. The fresh path's run also checks that
every variant got the same verdict and the same per-test outcomes as on the
fast path (in screening mode: the same verdict, and the same outcomes for the
variants that pass): the sample has killed and surviving variants alike.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
from typing import Any

import pytest

from benchmarks.variants import Bench, backend, make_bench, sample
from fitness.observation import Status

SAMPLE = 240
WORKERS = 2
WARM_UP = 12

_fast_results: dict[str, Any] = {}


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Bench:
    return make_bench(tmp_path_factory.mktemp("fast-path"))


@pytest.fixture(scope="module")
def variants(bench: Bench) -> list:
    patches = sample(bench, SAMPLE + WARM_UP)
    assert len(patches) == SAMPLE + WARM_UP
    return patches


@pytest.fixture(scope="module")
def workers() -> Iterator[Any]:
    with backend(WORKERS) as chosen:
        yield chosen


def _run(benchmark: Any, bench: Bench, workers: Any, variants: list, rounds: int, **ctx: Any) -> list:
    """Time ``rounds`` evaluations of the sample, each by a fresh evaluator (empty cache)."""
    warm_up, timed = variants[:WARM_UP], variants[WARM_UP:]
    holder: dict[str, Any] = {}

    def setup() -> tuple[tuple[Any, ...], dict[str, Any]]:
        evaluator, baseline = bench.evaluator(workers, **ctx)
        evaluator.evaluate(warm_up, baseline)  # workers and their servers started, not timed
        holder["evaluator"], holder["routes"] = evaluator, collections.Counter(evaluator.stats.routes)
        return (timed, baseline), {}

    def evaluate(patches: list, baseline: Any) -> list:
        holder["results"] = holder["evaluator"].evaluate(patches, baseline)
        return holder["results"]

    benchmark.pedantic(evaluate, setup=setup, rounds=rounds, iterations=1)
    results = holder["results"]
    stats = holder["evaluator"].stats
    benchmark.extra_info.update({
        "variants": len(timed),
        "variants_per_second": round(len(timed) / benchmark.stats.stats.median, 1),
        "statuses": dict(collections.Counter(r.status.name.lower() for r in results)),
        "routes": dict(stats.routes - holder["routes"]),
    })
    return results


def test_fast_path(benchmark: Any, bench: Bench, workers: Any, variants: list) -> None:
    results = _run(benchmark, bench, workers, variants, rounds=5)
    _fast_results["results"] = results
    assert {Status.PASSED, Status.TESTS_FAILED} <= {r.status for r in results}


def test_fast_path_screening(benchmark: Any, bench: Bench, workers: Any, variants: list) -> None:
    """Killed variants stop at their first failing test (fastest first); the verdict is the same."""
    _fast_results["screening"] = _run(benchmark, bench, workers, variants, rounds=5, screening=True)


def test_warm_fork_server(benchmark: Any, bench: Bench, workers: Any, variants: list) -> None:
    _run(benchmark, bench, workers, variants, rounds=1, fast_path=False)


def test_fresh_process(benchmark: Any, bench: Bench, workers: Any, variants: list) -> None:
    results = _run(benchmark, bench, workers, variants, rounds=1, fast_path=False, fresh_process=True)
    fast = _fast_results.get("results")
    if fast is None:
        pytest.skip("run with test_fast_path to compare verdicts")
    differ = [i for i, (f, s) in enumerate(zip(fast, results)) if f.status != s.status or dict(f.tests) != dict(s.tests)]
    if differ:  # a fresh process can fail for reasons of its own (the machine's process table was full...)
        benchmark.extra_info["rechecked"] = {variants[WARM_UP + i].key: results[i].reason for i in differ}
        evaluator, baseline = bench.evaluator(workers, fast_path=False, fresh_process=True)
        again = evaluator.evaluate([variants[WARM_UP + i] for i in differ], baseline)
        for i, observed in zip(differ, again):
            results[i] = observed
    benchmark.extra_info["verdicts_compared"] = len(results)
    benchmark.extra_info["killed"] = sum(r.status != Status.PASSED for r in results)
    differ = [(variants[WARM_UP + i], fast[i].status, results[i].status, results[i].reason)
              for i, (f, s) in enumerate(zip(fast, results)) if f.status != s.status or dict(f.tests) != dict(s.tests)]
    assert not differ, f"{len(differ)} variants differ, first: {differ[0]}"
    screened = _fast_results.get("screening") or results
    assert [r.status for r in screened] == [r.status for r in results]
    passing = [(s, r) for s, r in zip(screened, results) if r.status == Status.PASSED]
    assert all(dict(s.tests) == dict(r.tests) for s, r in passing)
