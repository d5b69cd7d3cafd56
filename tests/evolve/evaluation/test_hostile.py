"""Hostile variants: the engine finishes the generation, classifies each, and the project is untouched.

Every payload sits in a fixture project behind a flag (``SAFE_X = True``); the
variant is the real edit that flips the flag, so the hostile code runs only in
the variant. Each payload is bounded itself (a fork bomb that would stop at
4096 processes, an allocation of 10 GiB, 1 GiB of output, 40 files of 64 MiB,
a daemon that wakes once after 30 s), so a containment bug fails a test
instead of taking the machine down.

Two suites: the sandbox's own attacks at both levels, and the attacks on the
user (their ``~/.bashrc``, a planted ``0600`` secret, the run's snapshot, the
engine, the disk, the verdict) at the default level, ``sandbox: auto``. CI
runs this file as root and as an unprivileged user (``.ci/run``); nothing
here is mocked: real bubblewrap, real users, real processes, the user's real
home (whatever a failed containment changes there is put back, and the test
fails).
"""

from __future__ import annotations

import io
import json
import os
import pwd
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from evolve.evaluation.backends import LokyBackend
from evolve.config import config_from_dict
from evolve.search.engine import Engine, SearchSettings
from evolve.preparation import evaluate_baseline, evaluation_context, index_targets, snapshot_of
from evolve.evaluation.evaluator import Evaluator
from fitness.aggregate import Scorer
from fitness.observation import Status
from mutations.pool import SitePool
from mutations.registry import get_operator
from populations.patch import Edit, Patch
from evolve.evaluation.child import _landlock
from tests.conftest import _alive, processes_in
from tests.evolve.test_run import tree_digest

pytestmark = [pytest.mark.hostile, pytest.mark.slow]

# name -> (payload run inside a test, statuses that are a right classification)
PAYLOADS = {
    "loop_forever": ("while True:\n    pass", {Status.TIMED_OUT}),
    "recurse_without_bound": ("def down(n):\n    return down(n + 1)\ndown(0)", {Status.TESTS_FAILED}),
    "allocate_10_gib": ("blob = bytearray(10 * 1024 ** 3)", {Status.OUT_OF_MEMORY}),
    "fork_bomb": ("import os\nfor _ in range(12):\n    os.fork()",
                  {Status.TESTS_FAILED, Status.CRASHED, Status.TIMED_OUT}),
    "os_exit_in_test": ("import os\nos._exit(3)", {Status.CRASHED}),
    "sys_exit_in_test": ("import sys\nsys.exit(3)", {Status.TESTS_FAILED}),
    "kill_parent": ("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)",
                    {Status.TESTS_FAILED, Status.CRASHED}),
    "print_1_gib": ("import sys\nchunk = 'x' * (1 << 20)\nfor _ in range(1024):\n    sys.stdout.write(chunk)",
                    {Status.TESTS_FAILED, Status.CRASHED}),
    "delete_everything": ("import os, shutil\nfor name in os.listdir('.'):\n"
                          "    shutil.rmtree(name) if os.path.isdir(name) else os.remove(name)",
                          {Status.TESTS_FAILED, Status.CRASHED, Status.PASSED}),
    "write_into_original": ("open(ORIGINAL, 'w').write('overwritten by a variant')", {Status.TESTS_FAILED}),
    "setsid_daemon": ("import ctypes, os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
                      "        ctypes.CDLL(None).prctl(15, b'evolve-daemon', 0, 0, 0)\n        time.sleep(4)\n"
                      "        open(MARKER, 'w').write('alive')\n    os._exit(0)\ntime.sleep(0.3)", {Status.PASSED}),
    "fill_disk": ("import os\nchunk = b'x' * (1 << 20)\nfor n in range(40):\n"
                  "    with open(os.path.join(os.environ['TMPDIR'], f'fill-{n}'), 'wb') as handle:\n"
                  "        for _ in range(64):\n            handle.write(chunk)", {Status.TESTS_FAILED, Status.CRASHED}),
    "forged_record": ("import glob, os\nfor path in ['result.json', '../result.json', *glob.glob('../*.json')]:\n"
                      "    try:\n        open(path, 'w').write('{\"exit_code\": 0, \"tests\": {}}')\n"
                      "    except OSError:\n        pass\nos._exit(0)", {Status.CRASHED}),
}
AT_IMPORT = {
    "os_exit_at_import": ("import os\n    os._exit(0)", {Status.CRASHED}),
    "sys_exit_at_import": ("import sys\n    sys.exit(3)", {Status.TESTS_FAILED, Status.CRASHED}),
}


def _hostile_module(original: Path, network_port: int | None, marker: Path | None = None) -> str:
    payloads = dict(PAYLOADS)
    if network_port is not None:
        payloads["open_network"] = (f"import socket\nsocket.create_connection(('127.0.0.1', {network_port}), 2)",
                                    {Status.TESTS_FAILED})
    lines = [f"ORIGINAL = {str(original)!r}", f"MARKER = {str(marker or original.parent / 'marker')!r}", ""]
    lines += [f"SAFE_{name.upper()} = True" for name in (*payloads, *AT_IMPORT)]
    for name, (code, _) in AT_IMPORT.items():
        lines += ["", f"if not SAFE_{name.upper()}:", f"    {code}"]
    for name, (code, _) in payloads.items():
        body = textwrap.indent(code, "    ")
        lines += ["", "", f"def {name}():", f"    if SAFE_{name.upper()}:", "        return 0", body, "    return 0"]
    return "\n".join(lines) + "\n"


def _hostile_tests(names: list[str]) -> str:
    tests = [f"def test_{name}():\n    assert hostile.{name}() == 0\n" for name in names]
    return "from calc import hostile\n\n\n" + "\n\n".join(tests)


def _flip(index, name: str) -> Edit:
    """The edit a real operator proposes: ``SAFE_NAME = True`` becomes ``False``."""
    operator = get_operator("perturb_constant")
    site = next(n for n in operator.sites(index)
                if index.module.code_for_node(index.nodes[index.parent_of(index.parent_of(n))])
                .strip().startswith(f"SAFE_{name.upper()} ="))
    return Edit.make(operator.name, "calc/hostile.py", site, {"mode": "flip"})


def _run_generation(root: Path, tmp_path: Path, sandbox: str, names: list[str]):
    config = config_from_dict({
        "experiment": "hostile", "target": {"root": str(root), "files": ["calc/hostile.py"]},
        "tests": {"paths": ["tests"], "timeout": 8}, "sandbox": {"level": sandbox, "disk_mb": 128}, "memory_mb": 1024,
        "fitness": {"weights": {"correctness": 1}}, "search": {"population": len(names) + 1, "generations": 0 + 1},
        "run_dir": str(tmp_path / "runs"),
    }, base=tmp_path)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    snapshot = snapshot_of(config, scratch, io.StringIO())
    indexes = index_targets(config, snapshot)
    backend = LokyBackend(2)
    try:
        evaluator = Evaluator(evaluation_context(config, snapshot, scratch), indexes, config.principles, backend)
        baseline = evaluate_baseline(config, evaluator)
        index = indexes["calc/hostile.py"]
        patches = [Patch((_flip(index, name),)) for name in names] + [Patch()]
        settings = SearchSettings(population=len(patches), generations=0, survivors=0.2, elites=1,
                                  crossover=0.5, mutation=0.9, max_edits=2, tournament=2)
        seen: dict[Patch, Status] = {}
        engine = Engine(settings, SitePool(indexes), evaluator, Scorer(baseline), baseline, random.Random(0),
                        on_evaluated=lambda gen, patch, obs, score: seen.__setitem__(patch, obs.status))
        engine.run(start_population=patches)
        return {name: seen[p] for name, p in zip(names, patches)}, seen[Patch()]
    finally:
        backend.close()


@pytest.mark.parametrize("sandbox", ["process", "bwrap"])
def test_every_hostile_variant_is_contained_and_classified(make_project, tmp_path, sandbox):
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[object] = []
    listener.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    drop = Path(tempfile.mkdtemp(prefix="evolve-drop-"))  # world-writable: where a surviving daemon would write
    drop.chmod(0o777)
    try:
        offline = sandbox == "bwrap" or _landlock.abi() >= 4  # the process level has no network wall without it
        port = listener.getsockname()[1] if offline else None
        names = [*PAYLOADS, *AT_IMPORT, *(["open_network"] if port else [])]
        root = make_project()
        original = root / "calc" / "core.py"
        (root / "calc" / "hostile.py").write_text(_hostile_module(original, port, drop / "marker"))
        (root / "tests" / "test_hostile.py").write_text(_hostile_tests([*PAYLOADS, *(["open_network"] if port else [])]))
        before = tree_digest(root)
        statuses, benign = _run_generation(root, tmp_path, sandbox, names)
        time.sleep(5)  # the daemon would have woken by now
        marker_written, survivors = (drop / "marker").exists(), _daemons()
    finally:
        stop.set()
        thread.join()
        listener.close()
        shutil.rmtree(drop, ignore_errors=True)
    expected = {**{n: s for n, (_, s) in PAYLOADS.items()}, **{n: s for n, (_, s) in AT_IMPORT.items()},
                "open_network": {Status.TESTS_FAILED}}
    if sandbox == "process" and os.geteuid() != 0:  # one process budget for all the user's processes: the
        expected["setsid_daemon"] = {Status.PASSED, Status.TESTS_FAILED}  # other worker's fork bomb may hold it
    wrong = {n: s.name for n, s in statuses.items() if s not in expected[n]}
    assert not wrong, f"misclassified: {wrong}"
    assert benign == Status.PASSED  # the same generation still evaluates an ordinary variant
    assert tree_digest(root) == before, "the user's project changed"
    assert not accepted, "a variant reached the network"
    assert not marker_written and not survivors, f"a daemon outlived its variant: {survivors}"
    assert not processes_in(tmp_path)


# ---------------------------------------------------------------- attacks on the user, at the default level

DAEMON = "evolve-daemon"
"""The name (``/proc/<pid>/comm``) the daemon payload gives itself, so a survivor can be found."""
DAEMON_WAKES = 30.0
USER_ATTACKS = {
    # a variant that appends to the user's shell start-up file, by absolute path and by ~
    "write_bashrc": ("import os\nfor path in (HOME_RC, os.path.expanduser('~/.bashrc')):\n"
                     "    with open(path, 'a') as handle:\n        handle.write('\\\\necho owned by a variant\\\\n')",
                     {Status.TESTS_FAILED}),
    # read a 0600 file of the user's and copy it to a world-writable folder
    "steal_secret": ("import shutil\nshutil.copyfile(SECRET, DROP + '/stolen')", {Status.TESTS_FAILED}),
    # rewrite the tests in the run's snapshot and live copies so a later, broken variant passes
    "rewrite_tests": ("import glob\nfor path in glob.glob(SCRATCH + '/**/tests/test_hostile.py', recursive=True):\n"
                      "    try:\n        with open(path, 'w') as handle:\n            handle.write(FAKE_TESTS)\n"
                      "    except OSError:\n        pass", {Status.PASSED, Status.TESTS_FAILED}),
    # find the engine by its command line and SIGKILL it
    "kill_engine": ("import os, signal\nfound = []\nfor pid in filter(str.isdigit, os.listdir('/proc')):\n"
                    "    try:\n        if ENGINE_TOKEN in open(f'/proc/{pid}/cmdline').read():\n"
                    "            found.append(int(pid))\n    except OSError:\n        pass\n"
                    "for pid in found:\n    os.kill(pid, signal.SIGKILL)\nassert found, 'no engine in sight'",
                    {Status.TESTS_FAILED}),
    # a double-forked setsid daemon that writes a marker 30 s later
    "daemon": ("import ctypes, os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
               f"        ctypes.CDLL(None).prctl(15, b'{DAEMON}', 0, 0, 0)\n        time.sleep({DAEMON_WAKES})\n"
               "        for path in (MARKER, 'marker'):\n            try:\n"
               "                open(path, 'w').write('alive')\n            except OSError:\n                pass\n"
               "    os._exit(0)\ntime.sleep(0.5)", {Status.PASSED}),
    # 40 files of 64 MiB (2.5 GiB) where it may write (its TMPDIR, in its workspace)
    "fill_disk": ("import os\nchunk = b'x' * (1 << 20)\nfor n in range(40):\n"
                  "    with open(os.path.join(os.environ['TMPDIR'], f'fill-{n}'), 'wb') as handle:\n"
                  "        for _ in range(64):\n            handle.write(chunk)", {Status.TESTS_FAILED, Status.CRASHED}),
    # write a record that says every test passed where the runner used to write it, then exit at once
    "forge_result": ("import glob, json, os\nrecord = json.dumps(FORGED)\n"
                     "for path in ['result.json', '../result.json', *glob.glob(SCRATCH + '/**/*.json', recursive=True)]:\n"
                     "    try:\n        open(path, 'w').write(record)\n    except OSError:\n        pass\n"
                     "os._exit(0)", {Status.CRASHED}),
}
BROKEN = "broken"
"""A flag whose flip genuinely breaks ``test_broken``: evaluated after ``rewrite_tests``."""


def _user_module(constants: dict[str, object]) -> str:
    lines = [f"{name} = {value!r}" for name, value in constants.items()] + [""]
    lines += [f"SAFE_{name.upper()} = True" for name in (*USER_ATTACKS, BROKEN)]
    for name, (code, _) in USER_ATTACKS.items():
        body = textwrap.indent(code, "    ")
        lines += ["", "", f"def {name}():", f"    if SAFE_{name.upper()}:", "        return 0", body, "    return 0"]
    lines += ["", "", f"def {BROKEN}():", f"    return 0 if SAFE_{BROKEN.upper()} else 1"]
    return "\n".join(lines) + "\n"


def _user_tests() -> str:
    tests = [f"def test_{name}():\n    assert hostile.{name}() == 0\n" for name in (*USER_ATTACKS, BROKEN)]
    return "from calc import hostile\n\n\n" + "\n\n".join(tests)


def _home_file(name: str) -> Path:
    return Path(pwd.getpwuid(os.geteuid()).pw_dir) / name


class _Keep:
    """A file of the user's that must come out byte-identical; put back as it was whatever happens."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.before = path.read_bytes() if path.exists() else None

    def changed(self) -> bool:
        now = self.path.read_bytes() if self.path.exists() else None
        if now != self.before:
            if self.before is None:
                self.path.unlink()
            else:
                self.path.write_bytes(self.before)
            return True
        return False


def _daemons() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == DAEMON and _alive(int(entry.name)):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _free_bytes(path: str) -> int:
    info = os.statvfs(path)
    return info.f_bavail * info.f_frsize


ENGINE = """import json, sys
sys.path.insert(0, {repo!r})
from pathlib import Path
from tests.evolve.evaluation.test_hostile import _attack
statuses, broken, benign, said = _attack(Path({root!r}), Path({tmp!r}), Path({scratch!r}), {tests!r})
print(json.dumps({{"statuses": {{n: s.name for n, s in statuses.items()}}, "benign": benign.name, "said": said,
                   "broken": {{n: s.name for n, s in broken.items()}}}}))
"""
"""The engine, in a process of its own (its command line carries a token an attacker can look for): if a
variant kills it, this test still puts the user's files back and says so."""


@pytest.mark.skipif(_free_bytes(tempfile.gettempdir()) < 8 * 1024**3, reason="needs 8 GiB free in the temp folder")
def test_attacks_on_the_user_are_contained_at_the_default_level(make_project, tmp_path):
    """As the user runs it (``sandbox: auto``): each attack contained, classified, nothing of the user's changed."""
    root = make_project()
    drop = Path(tempfile.mkdtemp(prefix="evolve-drop-"))  # world-writable, where a thief would copy to
    drop.chmod(0o777)
    secret_folder = Path(tempfile.mkdtemp(prefix=".evolve-hostile-", dir=_home_file("")))
    secret = secret_folder / "id_ed25519"
    secret.write_text(f"PRIVATE KEY {random.random()}")
    secret.chmod(0o600)
    bashrc = _Keep(_home_file(".bashrc"))
    scratch = tmp_path / "scratch"
    token = f"evolve-hostile-engine-{random.randrange(10**9)}"
    expected_tests = [f"tests/test_hostile.py::test_{n}" for n in (*USER_ATTACKS, BROKEN)]
    constants = {"HOME_RC": str(bashrc.path), "SECRET": str(secret), "DROP": str(drop), "MARKER": str(drop / "marker"),
                 "SCRATCH": str(scratch), "ENGINE_TOKEN": token,
                 "FAKE_TESTS": "def test_broken():\n    pass\n",
                 "FORGED": {"exit_code": 0, "collected": 99, "tests": {t: "passed" for t in expected_tests},
                            "durations": {}, "coverage": 100.0, "collection_errors": [], "memory_errors": []}}
    (root / "calc" / "hostile.py").write_text(_user_module(constants))
    (root / "tests" / "test_hostile.py").write_text(_user_tests())
    tests_text = (root / "tests" / "test_hostile.py").read_bytes()
    before, free = tree_digest(root), _free_bytes(tempfile.gettempdir())
    engine = ENGINE.format(repo=str(Path(__file__).parents[3]), root=str(root), tmp=str(tmp_path),
                           scratch=str(scratch), tests=tests_text)
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-c", engine, token], capture_output=True, text=True, timeout=900)
        time.sleep(max(0.0, started + DAEMON_WAKES + 3 - time.monotonic()))  # the daemon would have woken by now
        marker_written = (drop / "marker").exists()
        stolen = sorted(p.name for p in drop.iterdir())
        survivors = _daemons()
    finally:
        bashrc_changed = bashrc.changed()
        secret_after = secret.read_bytes()
        shutil.rmtree(secret_folder, ignore_errors=True)
        shutil.rmtree(drop, ignore_errors=True)
    assert done.returncode == 0, f"the engine died ({done.returncode}): {done.stderr[-2000:]}"
    found = json.loads(done.stdout.strip().splitlines()[-1])
    wrong = {n: s for n, s in found["statuses"].items() if Status[s] not in USER_ATTACKS[n][1]}
    assert not wrong, f"misclassified: {wrong}"
    assert found["broken"] == {"fast path": "TESTS_FAILED", "slow path": "TESTS_FAILED"}, \
        "a broken variant passed after a variant rewrote the tests"
    assert found["benign"] == "PASSED"
    assert "sandbox: bubblewrap" in found["said"] or "warning: sandbox: process level only" in found["said"]
    assert not bashrc_changed, "a variant changed ~/.bashrc (put back)"
    assert secret_after.startswith(b"PRIVATE KEY") and not stolen, f"copied out: {stolen}"
    assert tree_digest(root) == before, "the user's project changed"
    assert not marker_written and not survivors, f"a daemon outlived its variant: {survivors}"
    assert not processes_in(tmp_path)
    assert _free_bytes(tempfile.gettempdir()) > free - 512 * 1024**2, "the variants' files were not cleaned up"


def _attack(root: Path, tmp_path: Path, scratch: Path, tests_text: bytes):
    """One generation of every attack, then the broken variant on both paths, then an ordinary one."""
    config = config_from_dict({
        "experiment": "hostile-user", "target": {"root": str(root), "files": ["calc/hostile.py"]},
        "tests": {"paths": ["tests"], "timeout": 8}, "memory_mb": 1024, "sandbox": {"level": "auto", "disk_mb": 256},
        "fitness": {"weights": {"correctness": 1}}, "run_dir": str(tmp_path / "runs"),
    }, base=tmp_path)
    scratch.mkdir()
    said = io.StringIO()
    snapshot = snapshot_of(config, scratch, said)
    indexes = index_targets(config, snapshot)
    index = indexes["calc/hostile.py"]
    backend = LokyBackend(2)
    try:
        evaluator = Evaluator(evaluation_context(config, snapshot, scratch), indexes, config.principles, backend)
        baseline = evaluate_baseline(config, evaluator)
        evaluator.ctx = replace(evaluator.ctx, expected_tests=tuple(sorted(baseline.tests)))
        patches = [Patch((_flip(index, name),)) for name in USER_ATTACKS]
        statuses = dict(zip(USER_ATTACKS, (o.status for o in evaluator.evaluate(patches, baseline))))
        assert (snapshot.path / "tests" / "test_hostile.py").read_bytes() == tests_text, "the snapshot was rewritten"
        broken_patch = Patch((_flip(index, BROKEN),))
        broken = {"fast path": evaluator.evaluate([broken_patch], baseline)[0].status}
        slow = Evaluator(replace(evaluator.ctx, fast_path=False), indexes, config.principles, backend)
        broken["slow path"] = slow.evaluate([broken_patch], baseline)[0].status
        benign = evaluator.evaluate([Patch()], baseline)[0].status
        return statuses, broken, benign, said.getvalue()
    finally:
        backend.close()
