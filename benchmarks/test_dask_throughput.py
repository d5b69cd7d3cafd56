"""Throughput through the dask backend (a LocalCluster on loopback) against loky, in one session.

Run with::

    python -m pytest benchmarks/test_dask_throughput.py -p no:randomly \
        --benchmark-columns=min,median,max,rounds --benchmark-sort=name

Three questions, one group each:

- ``variants``: variants evaluated per second, the same sample of variants of
  ``benchmarks/target`` (see ``variants.py``) through ``Evaluator.evaluate``
  with the default evaluation (fast path on), for loky and dask with one and
  two workers, and dask with joblib's automatic batching, in batches of 16 (a
  generation of the default population) and 96, and in batches of 16 on the
  warm fork server path (heavier variants). Each round is one batch by a
  fresh evaluator (empty cache) on backends whose workers and test servers
  are already warm; ``extra_info`` has variants per second from the median
  round, and the CPU time all our processes spent per variant (engine,
  workers, test servers and their forked children): wall time per variant
  against CPU per variant says whether the cores or the backend are the limit.
- ``overhead``: the cost of the backend itself, a trivial function mapped
  over many jobs (per job) and over two (per call).
- ``shipping``: packing a snapshot, broadcasting it to both workers and
  unpacking it there, for the target and for a 16 MiB project. It happens
  once per run.
"""

from __future__ import annotations

import operator
import os
import statistics
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import psutil
import pytest

from benchmarks.variants import Bench, make_bench, sample
from evolve.evaluation._dask_snapshot import call_shipped, pack, release
from evolve.evaluation.backends import Backend, DaskBackend, LokyBackend
from fitness.observation import Status

pytest.importorskip("distributed")

SAMPLE = 96
BATCHES = [  # (variants per batch, evaluation path)
    (16, "fast"),  # a generation of the default population, on the default (fast) path
    (96, "fast"),  # a large generation
    (16, "fork"),  # the default population on the warm fork server path: heavier variants
]
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


def tree_cpu_seconds() -> float:
    """CPU time of this process and every descendant, reaped children included (test children too)."""
    total = 0.0
    for proc in [psutil.Process(), *psutil.Process().children(recursive=True)]:
        try:
            times = proc.cpu_times()
        except psutil.Error:  # ended meanwhile: its time went to its parent's children_* figures
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


@pytest.fixture(autouse=True)
def load_average(benchmark: Any) -> Iterator[None]:
    """The machine's 1-minute load average before and after each benchmark: is the figure trustworthy?"""
    before = os.getloadavg()[0]
    yield
    benchmark.extra_info["load_average"] = [round(before, 2), round(os.getloadavg()[0], 2)]


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Bench:
    return make_bench(tmp_path_factory.mktemp("dask-throughput"))


@pytest.fixture(scope="module")
def variants(bench: Bench) -> list[Any]:
    patches = sample(bench, SAMPLE + WARM_UP)
    assert len(patches) == SAMPLE + WARM_UP
    return patches


@pytest.fixture(scope="module", params=list(CASES))
def case(request: pytest.FixtureRequest) -> Iterator[tuple[str, Backend]]:
    chosen = _make_backend(*CASES[request.param])
    try:
        yield request.param, chosen
    finally:
        chosen.close()


@pytest.mark.parametrize(("size", "path"), BATCHES, ids=[f"{n}-{p}" for n, p in BATCHES])
def test_variants(benchmark: Any, bench: Bench, variants: list[Any], case: tuple[str, Backend], size: int,
                  path: str) -> None:
    name, backend = case
    warm_up, timed = variants[:WARM_UP], variants[WARM_UP:WARM_UP + size]
    holder: dict[str, Any] = {}

    cpu: list[float] = []

    def setup() -> tuple[tuple[Any, ...], dict[str, Any]]:
        evaluator, baseline = bench.evaluator(backend, fast_path=path == "fast")
        evaluator.evaluate(warm_up, baseline)  # workers, servers and the shipped snapshot ready, not timed
        holder["evaluator"] = evaluator
        holder["cpu"] = tree_cpu_seconds()
        return (timed, baseline), {}

    def evaluate(patches: list[Any], baseline: Any) -> None:
        holder["results"] = holder["evaluator"].evaluate(patches, baseline)
        cpu.append(tree_cpu_seconds() - holder["cpu"])

    benchmark.group = f"variants, batches of {size}, {path} path"
    benchmark.pedantic(evaluate, setup=setup, rounds=ROUNDS, iterations=1)
    results = holder["results"]
    assert {Status.PASSED, Status.TESTS_FAILED} <= {r.status for r in results}
    benchmark.extra_info.update({
        "variants": len(timed),
        "variants_per_second": round(len(timed) / benchmark.stats.stats.median, 1),
        "ms_per_variant": round(1000 * benchmark.stats.stats.median / len(timed), 2),
        "cpu_ms_per_variant": round(1000 * statistics.median(cpu) / len(timed), 2),
        "routes": dict(holder["evaluator"].stats.routes),
    })


@pytest.mark.parametrize("jobs", [TRIVIAL_JOBS, 2])
@pytest.mark.parametrize("name", ["loky-2", "dask-2", "dask-2-auto-batch"])
def test_overhead(benchmark: Any, name: str, jobs: int) -> None:
    """Per task (many jobs) and per call (two jobs: what a batch costs whatever its size)."""
    backend = _make_backend(*CASES[name])
    try:
        work = list(range(jobs))
        assert backend.map(operator.mul, 2, list(range(8))) == [2 * j for j in range(8)]  # workers started
        benchmark.group = f"overhead, {jobs} trivial jobs per call"
        benchmark.pedantic(backend.map, args=(operator.mul, 2, work), rounds=4 * ROUNDS, iterations=1)
    finally:
        backend.close()
    benchmark.extra_info["us_per_job"] = round(1e6 * benchmark.stats.stats.median / jobs, 1)


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
