"""Hostile variants: the engine finishes the generation, classifies each, and the project is untouched.

Every payload sits in a fixture project behind a flag (``SAFE_X = True``); the
variant is the real edit that flips the flag, so the hostile code runs only in
the variant. Each payload is bounded itself (a fork bomb that would stop at
4096 processes, an allocation of 10 GiB, 1 GiB of output), so a containment
bug fails a test instead of taking the machine down.
"""

from __future__ import annotations

import io
import random
import socket
import textwrap
import threading
from pathlib import Path

import pytest

from evolve.evaluation.backends import LokyBackend
from evolve.config import config_from_dict
from evolve.search.engine import Engine, SearchSettings
from evolve.run import _baseline, _context, _index_targets, _snapshot
from evolve.evaluation.evaluator import Evaluator
from fitness.aggregate import Scorer
from fitness.observation import Status
from mutations.pool import SitePool
from mutations.registry import get_operator
from populations.patch import Edit, Patch
from tests.conftest import processes_in
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
}
AT_IMPORT = {
    "os_exit_at_import": ("import os\n    os._exit(0)", {Status.CRASHED}),
    "sys_exit_at_import": ("import sys\n    sys.exit(3)", {Status.TESTS_FAILED, Status.CRASHED}),
}


def _hostile_module(original: Path, network_port: int | None) -> str:
    payloads = dict(PAYLOADS)
    if network_port is not None:
        payloads["open_network"] = (f"import socket\nsocket.create_connection(('127.0.0.1', {network_port}), 2)",
                                    {Status.TESTS_FAILED})
    lines = [f"ORIGINAL = {str(original)!r}", ""]
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
        "tests": {"paths": ["tests"], "timeout": 8}, "sandbox": sandbox, "memory_mb": 1024,
        "fitness": {"weights": {"correctness": 1}}, "search": {"population": len(names) + 1, "generations": 0 + 1},
        "run_dir": str(tmp_path / "runs"),
    }, base=tmp_path)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    snapshot = _snapshot(config, scratch, io.StringIO())
    indexes = _index_targets(config, snapshot)
    backend = LokyBackend(2)
    try:
        evaluator = Evaluator(_context(config, snapshot, scratch), indexes, config.principles, backend)
        baseline = _baseline(config, evaluator)
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
    try:
        port = listener.getsockname()[1] if sandbox == "bwrap" else None
        names = [*PAYLOADS, *AT_IMPORT, *(["open_network"] if port else [])]
        root = make_project()
        original = root / "calc" / "core.py"
        (root / "calc" / "hostile.py").write_text(_hostile_module(original, port))
        (root / "tests" / "test_hostile.py").write_text(_hostile_tests([*PAYLOADS, *(["open_network"] if port else [])]))
        before = tree_digest(root)
        statuses, benign = _run_generation(root, tmp_path, sandbox, names)
    finally:
        stop.set()
        thread.join()
        listener.close()
    expected = {**{n: s for n, (_, s) in PAYLOADS.items()}, **{n: s for n, (_, s) in AT_IMPORT.items()},
                "open_network": {Status.TESTS_FAILED}}
    wrong = {n: s.name for n, s in statuses.items() if s not in expected[n]}
    assert not wrong, f"misclassified: {wrong}"
    assert benign == Status.PASSED  # the same generation still evaluates an ordinary variant
    assert tree_digest(root) == before, "the user's project changed"
    assert not accepted, "a variant reached the network"
    assert not processes_in(tmp_path)
