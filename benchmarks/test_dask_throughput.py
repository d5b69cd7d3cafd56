"""Throughput through the dask backend (a LocalCluster on loopback) against loky, in one session.

Run with::

    python -m pytest benchmarks/test_dask_throughput.py -p no:randomly \
        --benchmark-columns=min,median,max,rounds --benchmark-sort=name

Three questions, one group each:

- ``variants``: variants evaluated per second, the same sample of variants of
  ``benchmarks/target`` (see ``variants.py``) through ``Evaluator.evaluate``
  with the default evaluation (fast path on), for loky and dask with one and
  two workers, and dask with joblib's automatic batching. Each round is one
  batch by a fresh evaluator (empty cache) on backends whose workers and test
  servers are already warm; ``extra_info`` has variants per second from the
  median round.
- ``overhead``: the cost per task of the backend itself, a trivial function
  mapped over many jobs (nothing evaluated).
- ``shipping``: packing a snapshot, broadcasting it to both workers and
  unpacking it there, for the target and for a 16 MiB project. It happens
  once per run.
"""

from __future__ import annotations

import operator
import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from benchmarks.variants import Bench, make_bench, sample
from evolve._dask_snapshot import call_shipped, pack, release
from evolve.backends import Backend, DaskBackend, LokyBackend
from fitness.observation import Status

pytest.importorskip("distributed")

SAMPLE = 96
WARM_UP = 12
ROUNDS = 5
TRIVIAL_JOBS = 400
CASES = {  # name: (backend, workers, joblib batch size)
    "loky-1": ("loky", 1, 1),
    "dask-1": ("dask", 1, 1),
    "loky-2": ("loky", 2, 1),
    "dask-2": ("dask", 2, 1),
    "dask-2-auto-batch": ("dask", 2, "auto"),
}


def _make_backend(kind: str, workers: int, batch_size: int | str) -> Backend:
    return LokyBackend(workers) if kind == "loky" else DaskBackend(workers, batch_size=batch_size)


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Bench:
    return make_bench(tmp_path_factory.mktemp("dask-throughput"))


@pytest.fixture(scope="module")
def variants(bench: Bench) -> list[Any]:
    patches = sample(bench, SAMPLE + WARM_UP)
    assert len(patches) == SAMPLE + WARM_UP
    return patches


@pytest.fixture(params=list(CASES))
def case(request: pytest.FixtureRequest) -> Iterator[tuple[str, Backend]]:
    chosen = _make_backend(*CASES[request.param])
    try:
        yield request.param, chosen
    finally:
        chosen.close()


def test_variants(benchmark: Any, bench: Bench, variants: list[Any], case: tuple[str, Backend]) -> None:
    name, backend = case
    warm_up, timed = variants[:WARM_UP], variants[WARM_UP:]
    holder: dict[str, Any] = {}

    def setup() -> tuple[tuple[Any, ...], dict[str, Any]]:
        evaluator, baseline = bench.evaluator(backend)
        evaluator.evaluate(warm_up, baseline)  # workers, servers and the shipped snapshot ready, not timed
        holder["evaluator"] = evaluator
        return (timed, baseline), {}

    def evaluate(patches: list[Any], baseline: Any) -> None:
        holder["results"] = holder["evaluator"].evaluate(patches, baseline)

    benchmark.group = "variants"
    benchmark.pedantic(evaluate, setup=setup, rounds=ROUNDS, iterations=1)
    results = holder["results"]
    assert {Status.PASSED, Status.TESTS_FAILED} <= {r.status for r in results}
    benchmark.extra_info.update({
        "variants": len(timed),
        "variants_per_second": round(len(timed) / benchmark.stats.stats.median, 1),
        "ms_per_variant": round(1000 * benchmark.stats.stats.median / len(timed), 2),
        "routes": dict(holder["evaluator"].stats.routes),
    })


@pytest.mark.parametrize("name", ["loky-2", "dask-2", "dask-2-auto-batch"])
def test_overhead(benchmark: Any, name: str) -> None:
    backend = _make_backend(*CASES[name])
    try:
        jobs = list(range(TRIVIAL_JOBS))
        assert backend.map(operator.mul, 2, jobs[:8]) == [2 * j for j in jobs[:8]]  # workers started
        benchmark.group = "overhead"
        benchmark.pedantic(backend.map, args=(operator.mul, 2, jobs), rounds=ROUNDS, iterations=1)
    finally:
        backend.close()
    benchmark.extra_info["us_per_task"] = round(1e6 * benchmark.stats.stats.median / TRIVIAL_JOBS, 1)


@pytest.mark.parametrize("size", ["target", "16MiB"])
def test_shipping(benchmark: Any, bench: Bench, tmp_path: Path, size: str) -> None:
    ctx = bench.ctx
    if size != "target":
        big = tmp_path / "big"
        (big / "data").mkdir(parents=True)
        for n in range(16):
            (big / "data" / f"blob{n}.bin").write_bytes(os.urandom(1 << 20))
        ctx = replace(ctx, snapshot=big)
    backend = DaskBackend(2)
    try:
        client = backend.client
        workers = sorted(client.scheduler_info()["workers"])

        def ship() -> None:
            archive, session = pack(ctx.snapshot), uuid.uuid4().hex
            future = client.scatter(archive.data, broadcast=True, hash=False)
            places = [client.submit(call_shipped, getattr, ctx, "snapshot", future, session, archive.digest,
                                    workers=[w], pure=False) for w in workers]
            assert len({str(p) for p in client.gather(places)}) == len(workers)
            client.run(release, session)
            holder["bytes"] = len(archive.data)

        holder: dict[str, int] = {}
        benchmark.group = "shipping"
        benchmark.pedantic(ship, rounds=ROUNDS, iterations=1)
    finally:
        backend.close()
    benchmark.extra_info.update({
        "archive_bytes": holder["bytes"],
        "MiB_per_second": round(holder["bytes"] / (1 << 20) / benchmark.stats.stats.median, 1),
    })
