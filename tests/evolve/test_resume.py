"""Nothing lost: a run killed with SIGKILL at any point resumes to the same end."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import interruptible, processes_in
from tests.evolve.test_run import DETERMINISTIC

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path) -> dict[str, str]:
    scratch = tmp_path / "tmp"
    scratch.mkdir(exist_ok=True)
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "TMPDIR": str(scratch)}


def evolve(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(interruptible([sys.executable, "-m", "evolve", *args, "--no-progress"]), cwd=tmp_path,
                            env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)



def wait_for(predicate, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def generations_logged(run_dir: Path) -> int:
    logs = list(run_dir.glob("*/generations.jsonl"))
    return len(logs[0].read_text().splitlines()) if logs else 0


def kill_after(tmp_path: Path, run_dir: Path, generations: int, *args: str) -> None:
    proc = evolve(tmp_path, *args)
    wait_for(lambda: generations_logged(run_dir) >= generations or proc.poll() is not None)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    wait_for(lambda: not processes_in(tmp_path / "tmp"), 30)


def comparable(run: Path) -> tuple[list, list, object]:
    generations = [json.loads(line) for line in (run / "generations.jsonl").read_text().splitlines()]
    for record in generations:
        record["components"].pop("performance")  # timing figures differ run to run; their weight is 0
    evaluations = [(r["gen"], r["key"], r["status"], r["fitness"], r["cached"])
                   for r in map(json.loads, (run / "evaluations.jsonl").read_text().splitlines())]
    return generations, evaluations, json.loads((run / "best.json").read_text())["patch"]


def test_killed_twice_and_resumed_ends_like_an_uninterrupted_run(make_project, write_config, tmp_path):
    root = make_project()
    config = write_config(root, fitness=DETERMINISTIC, search={"population": 6, "generations": 5, "seed": 4, "memory": False})
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    done = evolve(tmp_path, "run", "--config", str(config), "--run-dir", str(straight))
    assert done.wait(timeout=300) == 0, done.communicate()

    kill_after(tmp_path, killed, 2, "run", "--config", str(config), "--run-dir", str(killed))
    run_id = next(killed.iterdir()).name
    with open(killed / run_id / "evaluations.jsonl", "a") as log:
        log.write('{"gen": 9, "torn')  # a half-written last line, as a kill mid-write leaves
    kill_after(tmp_path, killed, 4, "resume", run_id, "--run-dir", str(killed))
    resumed = evolve(tmp_path, "resume", run_id, "--run-dir", str(killed))
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    assert "resuming run" in out

    assert comparable(killed / run_id) == comparable(next(straight.iterdir()))
    assert not processes_in(tmp_path / "tmp")


def test_resume_of_an_unknown_run_is_one_line(tmp_path):
    proc = evolve(tmp_path, "resume", "no-such-run", "--run-dir", str(tmp_path))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert err.strip().count("\n") == 0 and "no run 'no-such-run'" in err


def test_ctrl_c_stops_cleanly_and_the_run_resumes(make_project, write_config, tmp_path):
    root = make_project()
    config = write_config(root, fitness=DETERMINISTIC,
                          search={"population": 6, "generations": 40, "seed": 4, "patience": 0})
    runs = tmp_path / "runs"
    proc = evolve(tmp_path, "run", "--config", str(config), "--run-dir", str(runs))
    wait_for(lambda: generations_logged(runs) >= 2 or proc.poll() is not None)
    assert proc.poll() is None
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends to the foreground group on Ctrl-C
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    run_id = next(runs.iterdir()).name
    assert f"python -m evolve resume {run_id}" in err
    assert "Traceback" not in err
    assert (runs / run_id / "checkpoint.pkl").is_file()
    wait_for(lambda: not processes_in(tmp_path / "tmp"), 30)
