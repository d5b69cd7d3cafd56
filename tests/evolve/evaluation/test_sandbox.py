"""The sandbox: every way a child can misbehave ends in a Completed, with no process left.

Hostile cases are bounded themselves (an allocation of 1 GiB, output of 50 MB,
a sleep of 60 s), so a containment bug fails a test instead of hurting the
machine.
"""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path

import pytest

from evolve.evaluation import sandbox
from tests.conftest import _alive
from evolve.evaluation.sandbox import Limits, run_sandboxed, sandbox_env

PY = sys.executable




pytestmark = pytest.mark.usefixtures("no_leftovers")

def _python(tmp_path: Path, code: str, limits: Limits = Limits(), env: dict[str, str] | None = None):
    sandbox.hand_over(tmp_path)  # the child may write its own folder, as the sandbox user
    return run_sandboxed([PY, "-c", code], cwd=tmp_path, limits=limits, env=env)


needs_root = pytest.mark.skipif(sandbox.sandbox_user() is None, reason="privileges are dropped only by a root engine")


@needs_root
def test_a_root_engine_runs_variants_as_the_sandbox_user(tmp_path: Path) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("precious")
    code = (f"import os, sys\nprint(os.getuid())\n"
            f"try:\n    open({str(outside)!r}, 'w').write('gone')\nexcept OSError:\n    print('no write')\n"
            f"try:\n    os.kill(os.getppid(), 9)\nexcept PermissionError:\n    print('no kill')\n")
    done = _python(tmp_path, code)
    assert done.stdout.split() == [str(sandbox.sandbox_user()[0]), "no", "write", "no", "kill"], done.stderr
    assert outside.read_text() == "precious"


@needs_root
@pytest.mark.hostile
def test_process_limit_holds_for_a_root_engine(tmp_path: Path) -> None:
    code = ("import os, time\nn = 0\ntry:\n    for _ in range(200):\n        if os.fork() == 0:\n"
            "            time.sleep(5)\n            os._exit(0)\n        n += 1\nexcept OSError:\n    pass\nprint(n)")
    done = _python(tmp_path, code, Limits(processes=20, wall_seconds=20))
    assert done.ok, done.stderr
    assert int(done.stdout) < 20


def test_normal_command_output_and_exit_code(tmp_path: Path) -> None:
    done = _python(tmp_path, "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)")
    assert (done.returncode, done.signal, done.timed_out) == (3, None, False)
    assert (done.stdout, done.stderr) == ("out\n", "err\n")
    assert not done.ok and not done.out_of_memory
    assert done.cpu_seconds > 0 and done.wall_seconds > 0


def test_success_is_ok(tmp_path: Path) -> None:
    done = run_sandboxed(["/bin/sh", "-c", "echo hi"], cwd=tmp_path)
    assert done.ok and done.stdout == "hi\n"


@pytest.mark.hostile
def test_infinite_loop_is_killed_at_the_wall_deadline(tmp_path: Path) -> None:
    done = _python(tmp_path, "while True: pass", Limits(wall_seconds=1, cpu_seconds=60))
    assert done.timed_out and done.returncode is None and done.signal == signal.SIGKILL
    assert not done.ok and not done.out_of_memory
    assert done.wall_seconds < 30


@pytest.mark.hostile
def test_infinite_loop_is_killed_by_the_cpu_limit(tmp_path: Path) -> None:
    done = _python(tmp_path, "while True: pass", Limits(wall_seconds=30, cpu_seconds=1))
    assert not done.timed_out and done.returncode is None
    assert done.signal in (signal.SIGXCPU, signal.SIGKILL)
    assert done.cpu_seconds >= 0.5  # it ran until the CPU limit stopped it (accounting is tick-coarse)


@pytest.mark.hostile
def test_grandchild_is_killed_when_the_child_exits(tmp_path: Path) -> None:
    code = "import subprocess; print(subprocess.Popen(['sleep', '60']).pid)"
    done = _python(tmp_path, code)
    assert done.ok, done.stderr
    grandchild = int(done.stdout)
    deadline = time.monotonic() + 3
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild)
    assert done.wall_seconds < 30  # the grandchild's open pipe did not keep us waiting


@pytest.mark.hostile
def test_flood_of_output_is_truncated_without_hanging(tmp_path: Path) -> None:
    code = ("import sys; sys.stderr.buffer.write(b'e' * 5_000_000); sys.stderr.flush(); "
            "sys.stdout.buffer.write(b'o' * 50_000_000)")
    done = _python(tmp_path, code, Limits(output_bytes=1000))
    assert done.ok, done.stderr
    assert done.stdout == "o" * 1000 and done.stderr == "e" * 1000


def test_output_is_decoded_with_replacement(tmp_path: Path) -> None:
    done = _python(tmp_path, "import sys; sys.stdout.buffer.write(b'a\\xff\\xe2\\x82')", Limits(output_bytes=3))
    assert done.stdout == "a\ufffd\ufffd"


def test_environment_is_scrubbed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVOLVE_TEST_SECRET", "leak")
    monkeypatch.setenv("PYTHONPATH", "/nowhere")
    done = _python(tmp_path, "import json, os; print(json.dumps(dict(os.environ)))", env={"EXTRA": "yes"})
    env = json.loads(done.stdout)
    assert "EVOLVE_TEST_SECRET" not in env and "PYTHONPATH" not in env
    assert env["HOME"] == str(tmp_path.resolve() / ".home") and Path(env["HOME"]).is_dir()
    assert env["TMPDIR"] == str(tmp_path.resolve() / ".tmp") and Path(env["TMPDIR"]).is_dir()
    assert env["EXTRA"] == "yes" and env["PYTHONHASHSEED"] == "0" and env["LC_ALL"] == "C.UTF-8"


def test_sandbox_env_passes_pythonpath_only_when_given(tmp_path: Path) -> None:
    assert "PYTHONPATH" not in sandbox_env(tmp_path)
    assert sandbox_env(tmp_path, {"PYTHONPATH": "src"})["PYTHONPATH"] == "src"


@pytest.mark.hostile
def test_allocation_beyond_the_memory_limit_fails(tmp_path: Path) -> None:
    done = _python(tmp_path, "b = bytearray(1024 ** 3)", Limits(memory_bytes=256 * 1024**2))
    assert not done.ok and done.out_of_memory
    assert "MemoryError" in done.stderr


@pytest.mark.hostile
def test_writing_beyond_the_file_limit_fails(tmp_path: Path) -> None:
    code = "open('big', 'wb').write(b'x' * 2_000_000)"
    done = _python(tmp_path, code, Limits(file_bytes=1_000_000))
    assert not done.ok
    assert (tmp_path / "big").stat().st_size <= 1_000_000


@pytest.mark.hostile
def test_polling_fallback_without_pidfd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "_pidfd", lambda pid: None)
    done = _python(tmp_path, "import subprocess, sys; subprocess.Popen(['sleep', '60']); sys.exit(4)")
    assert done.returncode == 4
    done = _python(tmp_path, "import time; time.sleep(60)", Limits(wall_seconds=0.5))
    assert done.timed_out and done.signal == signal.SIGKILL


def test_missing_executable_is_127(tmp_path: Path) -> None:
    done = run_sandboxed(["/no/such/program"], cwd=tmp_path)
    assert done.returncode == 127 and not done.ok and "/no/such/program" in done.stderr


def test_missing_working_directory_is_127(tmp_path: Path) -> None:
    assert run_sandboxed([PY, "-c", "pass"], cwd=tmp_path / "gone").returncode == 127


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="wall_seconds"):
        Limits(wall_seconds=0)
