"""The sandbox: every way a child can misbehave ends in a Completed, with no process left.

Hostile cases are bounded themselves (an allocation of 1 GiB, output of 50 MB,
a sleep of 60 s, 300 MB of disk), so a containment bug fails a test instead of
hurting the machine. Everything is real: bubblewrap, Landlock, the sandbox
uids of a root engine, the processes.
"""

from __future__ import annotations

import json
import os
import pwd
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evolve.evaluation import sandbox
from tests.conftest import _alive
from evolve.evaluation.child import _landlock
from evolve.evaluation.levels import resolve_level
from evolve.evaluation.sandbox import Isolation, Limits, run_sandboxed, sandbox_env

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
    from evolve.evaluation import _supervisor

    monkeypatch.setattr(_supervisor, "_pidfd", lambda pid: None)
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


# ---------------------------------------------------------------- walls of both levels

needs_bwrap = pytest.mark.skipif(resolve_level("auto").name != "bwrap", reason="bubblewrap cannot start here")
needs_landlock = pytest.mark.skipif(_landlock.abi() < 6, reason="the kernel has no Landlock ABI 6")
LEVELS = ["process", pytest.param("bwrap", marks=needs_bwrap)]


def _walled(tmp_path: Path, code: str, level: str, limits: Limits = Limits(), result: bool = False):
    """``code`` run in ``tmp_path / "ws"`` (its only writable folder) at ``level``."""
    workspace = tmp_path / "ws"
    workspace.mkdir(exist_ok=True)
    sandbox.hand_over(workspace)
    return run_sandboxed([PY, "-c", code], cwd=workspace, limits=limits, result=result,
                         isolation=Isolation(level, (("rw", str(workspace)),)))


@needs_root
def test_a_root_engine_keeps_no_capability_and_cannot_read_roots_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("root's")
    secret.chmod(0o600)
    code = ("import ctypes\nclass H(ctypes.Structure):\n    _fields_ = [('v', ctypes.c_uint32), ('p', ctypes.c_int)]\n"
            "class D(ctypes.Structure):\n    _fields_ = [('e', ctypes.c_uint32), ('p', ctypes.c_uint32), "
            "('i', ctypes.c_uint32)]\nh, d = H(0x20080522, 0), (D * 2)()\nctypes.CDLL(None).capget(ctypes.byref(h), d)\n"
            "print(sum(x.e | x.p | x.i for x in d))\n"
            f"try:\n    open({str(secret)!r}).read()\n    print('read')\nexcept OSError:\n    print('denied')\n")
    for level in ("process", *(["bwrap"] if resolve_level("auto").name == "bwrap" else [])):
        done = _walled(tmp_path, code, level)
        assert done.stdout.split() == ["0", "denied"], (level, done.stderr)  # no capability in any set


@needs_root
def test_each_worker_process_has_a_sandbox_uid_of_its_own() -> None:
    code = ("import sys, time\nfrom evolve.evaluation.sandbox import sandbox_user\nprint(sandbox_user()[0], flush=True)\n"
            "sys.stdin.read()")  # holds its uid until told to go
    workers = [subprocess.Popen([PY, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
               for _ in range(2)]
    try:
        uids = [int(w.stdout.readline()) for w in workers]  # type: ignore[union-attr]
    finally:
        for w in workers:
            w.communicate("")
    mine = sandbox.sandbox_user()[0]
    assert len({mine, *uids}) == 3 and all(uid >= 1 << 30 for uid in {mine, *uids})
    with pytest.raises(KeyError):
        pwd.getpwuid(mine)  # no account: nothing on the machine belongs to it


@pytest.mark.hostile
@pytest.mark.parametrize("level", LEVELS)
def test_a_daemon_does_not_outlive_its_command(tmp_path: Path, level: str) -> None:
    marker = tmp_path / "ws" / "alive"
    code = ("import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(3)\n"
            "        open('alive', 'w').write(str(os.getpid()))\n    os._exit(0)\ntime.sleep(0.3)\nprint('left')")
    done = _walled(tmp_path, code, level)
    assert done.ok and done.stdout.strip() == "left", done.stderr
    time.sleep(4)
    assert not marker.exists()


@pytest.mark.hostile
@pytest.mark.parametrize("level", LEVELS)
def test_writing_past_the_disk_budget_is_stopped(tmp_path: Path, level: str) -> None:
    code = ("import os\nchunk = b'x' * (1 << 20)\nfor n in range(32):\n    with open(f'f{n}', 'wb') as h:\n"
            "        for _ in range(64):\n            h.write(chunk)\n            h.flush()\nprint('all written')")
    done = _walled(tmp_path, code, level, Limits(disk_bytes=100 * 1024**2, wall_seconds=60))  # 2 GiB at most
    assert not done.ok and "all written" not in done.stdout
    assert done.over_disk or "No space left" in done.stderr, done.stderr
    written = sum(p.stat().st_size for p in (tmp_path / "ws").iterdir() if p.is_file())
    assert written <= 1024**3  # checked every 0.25 s at the process level; under bwrap nothing reaches the folder


@pytest.mark.hostile
@pytest.mark.parametrize("level", LEVELS)
def test_the_result_comes_only_over_the_private_channel(tmp_path: Path, level: str) -> None:
    code = ("import os\nopen('result.json', 'w').write('{\"forged\": true}')\nos.write(3, b'{\"real\": true}')\n"
            "os._exit(0)")
    done = _walled(tmp_path, code, level, result=True)
    assert done.result == b'{"real": true}'
    quiet = _walled(tmp_path, "import os\nopen('result.json', 'w').write('{}')\nos._exit(0)", level, result=True)
    assert quiet.ok and quiet.result is None


@needs_bwrap
@pytest.mark.hostile
def test_under_bwrap_a_command_sees_no_home_no_network_and_writes_only_a_private_copy(tmp_path: Path) -> None:
    home = Path(pwd.getpwuid(os.geteuid()).pw_dir)
    code = (f"import os, socket\nprint(os.path.exists({str(home / '.bashrc')!r}), sorted(os.listdir('/tmp')))\n"
            "try:\n    socket.create_connection(('1.1.1.1', 53), 1)\nexcept OSError:\n    print('offline')\n"
            "open('new', 'w').write('x')\nprint(os.path.exists('new'), os.getuid() == 0)")
    done = _walled(tmp_path, code, "bwrap")
    lines = done.stdout.split("\n")
    assert lines[0].startswith("False") and lines[1] == "offline" and lines[2] == "True False", done.stderr
    assert not (tmp_path / "ws" / "new").exists()  # the workspace outside is never written


@needs_landlock
@pytest.mark.hostile
def test_at_the_process_level_landlock_keeps_a_command_in_its_workspace(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    home = Path(pwd.getpwuid(os.geteuid()).pw_dir)
    code = (f"import os, signal\nfor what, act in [('write', lambda: open({str(outside)!r}, 'w')),\n"
            f"        ('read home', lambda: os.listdir({str(home)!r})),\n"
            f"        ('signal parent', lambda: os.kill(os.getppid(), signal.SIGTERM))]:\n"
            "    try:\n        act()\n        print(what, 'allowed')\n    except OSError:\n        print(what, 'denied')\n"
            "open('inside', 'w').write('ok')")
    done = _walled(tmp_path, code, "process")
    assert done.ok and done.stdout.split("\n")[:3] == ["write denied", "read home denied", "signal parent denied"], \
        done.stdout + done.stderr
    assert outside.read_text() == "precious" and (tmp_path / "ws" / "inside").read_text() == "ok"


def test_auto_falls_back_to_the_process_level_with_one_warning_when_bwrap_cannot_start(tmp_path: Path) -> None:
    """A real failure: the ``bwrap`` on PATH is a program that cannot make a namespace."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "bwrap").write_text("#!/bin/sh\necho 'bwrap: No permissions to create a new namespace' >&2\nexit 1\n")
    (fake / "bwrap").chmod(0o755)
    code = ("from evolve.evaluation.levels import resolve_level\nlevel = resolve_level('auto')\n"
            "print(level.name)\nprint(level.line)")
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"}
    done = subprocess.run([PY, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    name, line = done.stdout.strip().split("\n")
    assert name == "process", done.stderr
    assert line.startswith("evolve: warning: sandbox: process level only (bubblewrap cannot start: ")
    assert "No permissions to create a new namespace" in line and "install bubblewrap" in line
    explicit = subprocess.run([PY, "-c", code.replace("'auto'", "'bwrap'")], capture_output=True, text=True, env=env)
    assert explicit.returncode != 0 and "sandbox: bwrap cannot start" in explicit.stderr
