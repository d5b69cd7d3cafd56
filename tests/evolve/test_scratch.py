"""A run's scratch folder: one per run, gone after Ctrl-C and SIGTERM, swept by the next run after SIGKILL.

Real runs (``python -m evolve run``) in their own process group, with their
temporary folder inside the test's, stopped by real signals.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import TESTS, interruptible, processes_in

pytestmark = [pytest.mark.slow, pytest.mark.hostile]  # the engine killed mid-run: part of the hostile suite

SLOW_TESTS = TESTS + "\n\ndef test_takes_a_while():\n    import time\n    time.sleep(0.5)\n"
LEAK_WORDS = ("leaked semlock", "leaked semaphore", "resource_tracker")


def _start(config: Path, tmp: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "TMPDIR": str(tmp), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(interruptible([sys.executable, "-m", "evolve", "run", "--config", str(config),
                                           "--no-progress"]),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)


def _runs(tmp: Path) -> list[Path]:
    return sorted(tmp.glob("evolve-*/run-*"))


def _wait_for_work(proc: subprocess.Popen[str], tmp: Path, seconds: float = 120) -> None:
    """Until the run has a scratch folder and its test servers are at work in it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        runs = _runs(tmp)
        if runs and any(p.name.startswith(("server-", "live-")) for p in runs[0].iterdir()) and processes_in(runs[0]):
            time.sleep(1.0)
            return
        time.sleep(0.1)
    raise AssertionError("the run never started working")


def _gone(folder: Path, seconds: float = 60) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := processes_in(folder)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def _config(make_project, write_config) -> Path:
    root = make_project(tests=SLOW_TESTS)
    return write_config(root, search={"population": 6, "generations": 30, "seed": 1}, benchmark=None)


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_sigterm_and_ctrl_c_remove_the_scratch_folder(make_project, write_config, tmp_path, sig, code):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = _start(_config(make_project, write_config), tmp)
    try:
        _wait_for_work(proc, tmp)
        os.killpg(proc.pid, sig) if sig == signal.SIGINT else proc.send_signal(sig)  # Ctrl-C reaches the group
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == code, err[-2000:]
    assert not _runs(tmp), "the scratch folder was left behind"
    assert not _gone(tmp_path), "processes were left behind"
    assert not any(word in err for word in LEAK_WORDS), err[-2000:]


def test_a_sigkilled_run_leaves_no_process_and_the_next_run_removes_its_folder(make_project, write_config, tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    config = _config(make_project, write_config)
    proc = _start(config, tmp)
    try:
        _wait_for_work(proc, tmp)
        proc.kill()
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    left = _runs(tmp)
    assert len(left) == 1  # SIGKILL: nothing could clean up
    assert not _gone(tmp_path), "processes outlived the engine"
    later = subprocess.run([sys.executable, "-m", "evolve", "run", "--config", str(config), "--no-progress",
                            "--generations", "1", "--population", "4"],
                           capture_output=True, text=True, env={**os.environ, "TMPDIR": str(tmp)}, timeout=600)
    assert later.returncode == 0, later.stderr[-2000:]
    assert not _runs(tmp), "the next run did not remove the killed run's folder"
    assert not any(word in later.stderr for word in LEAK_WORDS), later.stderr[-2000:]
