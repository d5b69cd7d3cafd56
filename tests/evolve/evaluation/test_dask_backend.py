"""The dask backend: a real LocalCluster on loopback, the snapshot shipped, nothing left behind."""

from __future__ import annotations

import contextlib
import io
import json
import operator
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import yaml

from evolve.evaluation.backends import DaskBackend, make_backend, scheduler_problem
from evolve.config import load_config
from evolve.errors import ConfigError, EvolveError
from evolve.evaluation.evaluator import EvaluationContext, Job, run_job
from evolve.run import run_experiment
from evolve.evaluation.sandbox import Limits
from fitness.observation import Status
from tests.conftest import processes_in
from tests.evolve.test_run import DETERMINISTIC

pytest.importorskip("distributed")

REPO = Path(__file__).parents[3]


# ---------------------------------------------------------------- process bookkeeping


def _children() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True)}


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture
def worker_tmp(tmp_path, monkeypatch):
    """The temp folder of this test's dask workers; after the test: empty of our folders, no process left.

    Workers inherit ``TMPDIR``, so their snapshot copies land here and not among
    those of any other run on the machine.
    """
    folder = tmp_path / "worker-tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    children = _children()
    yield folder
    left_dirs = sorted(folder.glob("evolve-*/run-*"))  # a worker's snapshot copy is a run-owned scratch folder
    assert not left_dirs, f"worker folders left behind: {left_dirs}"
    assert not processes_in(folder)  # test servers live in the workers' scratch folders
    left = {pid for pid in _children() - children if _alive(pid)}
    assert not left, [" ".join(psutil.Process(pid).cmdline()) for pid in left]


# ---------------------------------------------------------------- config and CLI (fast)


def _config(tmp_path: Path, root: Path, **changes: object) -> Path:
    data: dict[str, object] = {"target": {"root": str(root), "files": ["calc/core.py"]},
                               "run_dir": str(tmp_path / "runs")}
    data.update(changes)
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_dask_backend_defaults_to_a_local_scheduler(make_project, tmp_path):
    config = load_config(_config(tmp_path, make_project(), backend="dask"))
    assert (config.backend, config.scheduler) == ("dask", "local")
    remote = load_config(_config(tmp_path, make_project("p2"), backend="dask", scheduler="tcp://10.0.0.5:8786"))
    assert remote.scheduler == "tcp://10.0.0.5:8786"
    assert remote.to_yaml_dict()["scheduler"] == "tcp://10.0.0.5:8786"
    # another backend on the command line drops the config's scheduler with its dask backend
    assert remote.with_overrides(backend="loky").scheduler is None
    assert load_config(_config(tmp_path, make_project("p3"))).with_overrides(
        backend="dask", scheduler="tcp://[::1]:9000").scheduler == "tcp://[::1]:9000"


@pytest.mark.parametrize(("changes", "message"), [
    ({"scheduler": "local"}, "'scheduler' is only used with backend: dask"),
    ({"backend": "loky", "scheduler": "tcp://h:1"}, "'scheduler' is only used with backend: dask"),
    ({"backend": "dask", "scheduler": "h:8786"}, "'scheduler' must be 'local' or a scheduler address like"),
    ({"backend": "dask", "scheduler": "tcp://host"}, "'scheduler' must be 'local' or a scheduler address"),
    ({"backend": "dask", "scheduler": "tcp://host:0"}, "'scheduler' must be 'local' or a scheduler address"),
    ({"backend": "dask", "scheduler": "tcp://host:70000"}, "'scheduler' must be 'local'"),
    ({"backend": "dask", "scheduler": ""}, "'scheduler' must be 'local'"),
    ({"backend": "dask", "scheduler": 8786}, "'scheduler' must be a string"),
    ({"backend": "cluster"}, "'backend' must be one of loky, serial, dask"),
])
def test_bad_scheduler_is_one_line_naming_the_key(make_project, tmp_path, changes, message):
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(_config(tmp_path, make_project(), **changes))
    assert "\n" not in str(caught.value)


def test_scheduler_addresses():
    assert scheduler_problem("local") is None
    assert scheduler_problem("tcp://127.0.0.1:8786") is None
    assert scheduler_problem("tcp://scheduler.example.org:1") is None
    for bad in ("LOCAL", "tcp://:8786", "tls://h:1", "tcp://h:8786/x", "tcp://h h:1"):
        assert scheduler_problem(bad), bad
    with pytest.raises(EvolveError, match="scheduler must be 'local'"):
        make_backend("dask", 2, "nowhere")


def test_cli_scheduler_without_dask_backend_is_one_line(make_project, tmp_path):
    path = _config(tmp_path, make_project())
    done = subprocess.run([sys.executable, "-m", "evolve", "run", "--config", str(path), "--no-progress",
                           "--scheduler", "tcp://127.0.0.1:8786"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)})
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().count("\n") == 0 and "--backend dask" in done.stderr


# ---------------------------------------------------------------- helpers


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _context(tmp_path: Path, root: Path) -> EvaluationContext:
    snapshot = tmp_path / "snapshot"
    shutil.copytree(root, snapshot)
    (tmp_path / "scratch").mkdir()
    return EvaluationContext(snapshot=snapshot, files=("calc/core.py",), test_args=("tests",), coverage=False,
                             limits=Limits(wall_seconds=30, cpu_seconds=30), benchmark=None,
                             scratch=tmp_path / "scratch")


# ---------------------------------------------------------------- shipping the snapshot (fast, in process)


def test_a_shipped_snapshot_is_unpacked_once_per_worker_and_released(make_project, tmp_path, monkeypatch):
    from evolve.evaluation._dask_snapshot import call_shipped, pack, release

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # this process plays the worker: its temp folder is here
    ctx = _context(tmp_path, make_project())
    (ctx.snapshot / "calc" / "alias.py").symlink_to("core.py")
    archive = pack(ctx.snapshot)
    seen = [call_shipped(getattr, ctx, "snapshot", archive.data, "s1", archive.digest) for _ in range(2)]
    assert seen[0] == seen[1] and seen[0].is_relative_to(tmp_path) and seen[0] != ctx.snapshot
    assert (seen[0] / "calc" / "core.py").read_text() == (ctx.snapshot / "calc" / "core.py").read_text()
    assert (seen[0] / "calc" / "alias.py").readlink() == Path("core.py")
    assert release("s1") == 1 and not seen[0].exists()
    assert release("s1") == 0


@pytest.mark.parametrize("target", ["/etc/hostname", "../../outside.py"])
def test_a_link_leaving_the_project_is_one_line(make_project, tmp_path, target):
    from evolve.evaluation._dask_snapshot import pack

    ctx = _context(tmp_path, make_project())
    (ctx.snapshot / "calc" / "elsewhere.py").symlink_to(target)
    with pytest.raises(EvolveError, match="calc/elsewhere.py -> .* points outside it") as caught:
        pack(ctx.snapshot)
    assert "\n" not in str(caught.value) and "backend: loky" in str(caught.value)


# ---------------------------------------------------------------- a real cluster (slow)


@contextlib.contextmanager
def running_cluster(tmp_path: Path, worker_tmp: Path, threads: int) -> Iterator[str]:
    """A scheduler and one worker process with ``threads`` threads, started the way a user would, on loopback."""
    address = f"tcp://127.0.0.1:{_free_port()}"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(tmp_path), "TMPDIR": str(worker_tmp)}
    commands = [
        ["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
         "--no-dashboard"],
        ["distributed.cli.dask_worker", address, "--host", "127.0.0.1", "--nworkers", "1", "--nthreads",
         str(threads), "--no-dashboard", "--local-directory", str(tmp_path / "dask-worker")],
    ]
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for n, command in enumerate(commands):
            with open(tmp_path / f"cluster-{n}.log", "wb") as log:
                procs.append(subprocess.Popen([sys.executable, "-m", *command], env=env, cwd=tmp_path,
                                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        yield address
    finally:
        for proc in reversed(procs):  # each started in its own group: the worker's spawned processes too
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.mark.slow
def test_a_running_scheduler_gets_the_snapshot_and_its_workers_are_left_clean(
        make_project, tmp_path, worker_tmp):
    from distributed import Client

    from evolve.evaluation._dask_snapshot import worker_pids
    from tests.conftest import CORE

    ctx = _context(tmp_path, make_project())
    broken = CORE.replace("total += value", "total -= value")
    with running_cluster(tmp_path, worker_tmp, threads=2) as address:
        backend = DaskBackend(1, address)
        try:
            assert backend.map(operator.mul, 3, [1, 2, 3]) == [3, 6, 9]  # a context without a snapshot
            first = backend.map(run_job, ctx, [Job("baseline", {})])
            # From here on the engine's snapshot folder is gone: the workers use their own copies.
            shutil.rmtree(ctx.snapshot)
            jobs = [Job(f"v{i}", {"calc/core.py": CORE if i % 2 else broken}) for i in range(8)]
            observed = backend.map(run_job, ctx, jobs)
            during = backend.client.run(worker_pids)
        finally:
            backend.close()
        with Client(address, set_as_default=False) as client:
            after = client.run(worker_pids)
        workers_live_on = all(_alive(info["pid"]) for info in after.values())

    assert first[0].status == Status.PASSED, first[0].reason
    assert [o.status for o in observed] == [Status.TESTS_FAILED, Status.PASSED] * 4, [o.reason for o in observed]
    assert backend.shipped_bytes > 0
    ((worker, info),) = during.items()
    places = [Path(p) for p in info["places"]]
    assert places and all(p.is_relative_to(worker_tmp) for p in places), places  # the worker's own temp folder
    assert info["servers"], "the jobs ran through warm servers"
    # close() released the run on workers that live on: servers stopped, copies deleted.
    assert after[worker]["pid"] == info["pid"] and workers_live_on
    assert after[worker]["servers"] == [] and after[worker]["places"] == []
    assert not [pid for pid in info["servers"] if _alive(pid)]
    assert not [p for p in places if p.exists()]


def _process_id(context: object, job: object) -> int:
    return os.getpid()


@pytest.mark.slow
def test_a_one_worker_cluster_still_runs_every_job_on_the_cluster(make_project, tmp_path, worker_tmp):
    # joblib runs a call in the caller when it sees a single worker; here it must not.
    ctx = _context(tmp_path, make_project())
    with DaskBackend(1) as backend:
        where = backend.map(_process_id, 0, [1, 2, 3])
        (observed,) = backend.map(run_job, ctx, [Job("baseline", {})])
    assert os.getpid() not in where and len(set(where)) == 1
    assert observed.status == Status.PASSED, observed.reason


@pytest.mark.slow
def test_unreachable_scheduler_is_one_line(tmp_path, worker_tmp):
    backend = DaskBackend(2, f"tcp://127.0.0.1:{_free_port()}", connect_seconds=1)
    with pytest.raises(EvolveError, match="cannot reach the dask scheduler at tcp://127.0.0.1:") as caught:
        backend.map(operator.mul, 3, [1])
    backend.close()
    assert "\n" not in str(caught.value)


def _history(run: Path) -> list[tuple[object, ...]]:
    records = [json.loads(line) for line in (run / "generations.jsonl").read_text().splitlines()]
    return [(g["best"], g["mean"], g["statuses"]) for g in records]


@pytest.mark.slow
def test_a_run_through_a_local_cluster_matches_loky(make_project, write_config, tmp_path, worker_tmp):
    root = make_project()
    path = write_config(root, fitness=DETERMINISTIC, backend="dask", scheduler="local",
                        search={"population": 6, "generations": 3, "seed": 11, "memory": False})
    # The reference runs in its own process, so loky's pool and helpers end with it.
    loky_runs = tmp_path / "loky-runs"
    done = subprocess.run([sys.executable, "-m", "evolve", "run", "--config", str(path), "--backend", "loky",
                           "--run-dir", str(loky_runs), "--no-progress"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr + done.stdout
    (loky_run,) = loky_runs.iterdir()

    config = load_config(path)
    assert (config.backend, config.scheduler, config.workers) == ("dask", "local", 2)
    outcome = run_experiment(config, out=io.StringIO(), progress=False)

    assert _history(outcome.path) == _history(loky_run)
    assert outcome.best_patch.to_json() == json.loads((loky_run / "best.json").read_text())["patch"]
    assert yaml.safe_load((outcome.path / "config.yaml").read_text())["scheduler"] == "local"
