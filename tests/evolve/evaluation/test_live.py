"""The fast path: a live session per worker gives the verdicts a fresh pytest run gives, and contains variants."""

from __future__ import annotations

import os
import random
import shutil
import signal
import textwrap
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from evolve.evaluation import warm
from evolve.evaluation.backends import LokyBackend, SerialBackend
from evolve.evaluation.evaluator import EvaluationContext, Evaluator, pytest_args
from evolve.evaluation.live import close_live_clients, live_client
from evolve.evaluation.router import Swap
from evolve.evaluation.sandbox import Limits, sandbox_user
from evolve.target import take_snapshot
from fitness.observation import Status
from fitness.principles import PrincipleSettings
from mutations._index import ModuleIndex
from mutations.pool import SitePool
from mutations.registry import get_operator
from populations.patch import Edit, Patch

EXAMPLE = Path(__file__).parents[3] / "evolve" / "examples" / "default"

HOSTILE = textwrap.dedent('''\
    """Payloads behind a local flag each: flipping the flag is an edit inside the function."""
    import os
    import time


    def loop_forever():
        safe = True
        if safe:
            return 0
        while True:
            pass


    def exit_hard():
        safe = True
        if safe:
            return 0
        os._exit(3)


    def allocate():
        safe = True
        if safe:
            return 0
        blob = bytearray(10 * 1024 ** 3)
        return len(blob)


    def write_project():
        safe = True
        if safe:
            return 0
        with open(__file__, "a") as handle:
            handle.write("# a variant was here")
        return 0


    def signal_parent():
        safe = True
        if safe:
            return 0
        os.kill(os.getppid(), 9)
        return 0


    def nap():
        safe = True
        if safe:
            return 0
        time.sleep(30)
        return 0


    def interrupt():
        safe = True
        if safe:
            return 0
        raise KeyboardInterrupt


    def spawn():
        safe = True
        if safe:
            return 0
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        return 0


    def shout(word):
        """Upper-case the word."""
        loud = word.upper()
        return loud
''')

HOSTILE_TESTS = textwrap.dedent('''\
    from calc import core


    def test_loop_forever():
        assert core.loop_forever() == 0


    def test_exit_hard():
        assert core.exit_hard() == 0


    def test_allocate():
        assert core.allocate() == 0


    def test_write_project():
        assert core.write_project() == 0


    def test_signal_parent():
        assert core.signal_parent() == 0


    def test_nap():
        assert core.nap() == 0


    def test_spawn():
        assert core.spawn() == 0


    def test_interrupt():
        assert core.interrupt() == 0


    def test_shout():
        assert core.shout("hi") == "HI"
        assert core.shout.__doc__ == "Upper-case the word."
''')


def make_evaluator(root: Path, tmp_path: Path, backend=None, files=("calc/core.py",), **ctx):
    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    snapshot = take_snapshot(root, scratch / "snapshot")
    indexes = {f: ModuleIndex.build(f, snapshot.read(f)) for f in files}
    context = EvaluationContext(snapshot=snapshot.path, files=files, test_args=("tests",), coverage=True,
                                limits=Limits(wall_seconds=60, cpu_seconds=60), benchmark=None, scratch=scratch)
    evaluator = Evaluator(replace(context, **ctx), indexes, PrincipleSettings(), backend or SerialBackend())
    baseline = evaluator.run_baseline()
    evaluator.ctx = replace(evaluator.ctx, expected_tests=tuple(sorted(baseline.tests)))
    return evaluator, baseline, indexes


@pytest.fixture(autouse=True)
def stop_servers(tmp_path, no_leftovers):
    """The serial backend runs jobs in this process: stop the servers they started here (then none is left)."""
    yield
    close_live_clients([tmp_path])
    for home in [h for h in warm._SERVERS if h.is_relative_to(tmp_path)]:
        warm._SERVERS.pop(home).close()


def arm(index: ModuleIndex, function: str) -> Edit:
    """The real edit that sets ``safe = False`` in ``function``."""
    operator = get_operator("perturb_constant")
    node = next(n for n in operator.sites(index)
                if index.scope_of(n) == function and index.module.code_for_node(index.nodes[n]) == "True")
    return Edit.make(operator.name, "calc/core.py", node, {"mode": "flip"})


@pytest.mark.slow
def test_verdicts_match_a_fresh_pytest_run_on_a_sample(tmp_path):
    """About 30 variants of the embedded example, killed and surviving, fast path against fresh processes.

    The time limit is generous: a fresh process spends seconds formatting the
    tracebacks of a runaway recursion under coverage, and a verdict that only
    a time limit decides is not the one compared here.
    """
    files = ("clumsy/numbers.py", "clumsy/text.py")
    example = tmp_path / "example"
    shutil.copytree(EXAMPLE, example, ignore=shutil.ignore_patterns("__pycache__"))
    backend = LokyBackend(2)
    try:
        fast, baseline, indexes = make_evaluator(example, tmp_path, backend, files=files)
        pool, rng, patches, keys = SitePool(indexes), random.Random(11), [], set()
        while len(patches) < 30:
            patch = Patch((pool.random_edit(rng),))
            early = fast._static_gates(patch, baseline)
            if not isinstance(early, tuple) or early[0] in keys:
                continue
            keys.add(early[0])
            patches.append(patch)
        quick = fast.evaluate(patches + patches[:3], baseline)
        fresh = replace(fast.ctx, fast_path=False, fresh_process=True)
        slow = Evaluator(fresh, indexes, PrincipleSettings(), backend).evaluate(patches, baseline)
    finally:
        backend.close()
    assert fast.stats.executed == 30 and fast.stats.cache_hits == 3  # repeats are never run twice
    assert fast.stats.routes["swap"] >= 20 and sum(fast.stats.routes.values()) == 30
    statuses = {o.status for o in quick}
    assert {Status.PASSED, Status.TESTS_FAILED} <= statuses
    differ = [(p, q.status, s.status) for p, q, s in zip(patches, quick, slow)
              if q.status != s.status or dict(q.tests) != dict(s.tests)]
    assert not differ
    assert all(q.coverage == baseline.coverage for q, r in zip(quick, patches)
               if fast._static_gates(r, baseline)[3].swap is not None)


@pytest.mark.parametrize("sandbox", ["process", pytest.param("bwrap", marks=pytest.mark.skipif(
    shutil.which("bwrap") is None, reason="bubblewrap is not installed"))])
def test_hostile_variants_on_the_fast_path_are_contained_and_classified(make_project, tmp_path, sandbox):
    root = make_project(core=HOSTILE, tests=HOSTILE_TESTS)
    evaluator, baseline, indexes = make_evaluator(root, tmp_path, isolation=sandbox)
    evaluator.ctx = replace(evaluator.ctx, limits=Limits(wall_seconds=4, cpu_seconds=4, memory_bytes=1024**3))
    index = indexes["calc/core.py"]
    expected = {
        "loop_forever": {Status.TIMED_OUT},
        "exit_hard": {Status.CRASHED},
        "allocate": {Status.OUT_OF_MEMORY},
        "write_project": {Status.TESTS_FAILED},
        "signal_parent": {Status.TESTS_FAILED},
        "interrupt": {Status.TESTS_FAILED},  # pytest stops the session, with exit code 2
    }
    if sandbox_user() is None:  # an unprivileged engine: the variant may write where its user may
        expected["write_project"] = {Status.PASSED, Status.TESTS_FAILED}
        expected["signal_parent"] = {Status.CRASHED, Status.TESTS_FAILED}
    results = evaluator.evaluate([Patch((arm(index, name),)) for name in expected], baseline)
    wrong = {n: r.status.name for n, r in zip(expected, results) if r.status not in expected[n]}
    assert not wrong, {n: r.reason for n, r in zip(expected, results)}
    interrupted = dict(zip(expected, results))["interrupt"]  # as a fresh run: later tests never ran
    assert interrupted.tests == {**baseline.tests, "tests/test_core.py::test_shout": "error"}
    client = live_client(evaluator.ctx, pytest_args(evaluator.ctx))
    assert client.stats.ran == len(expected) and not client.stats.disabled
    assert evaluator.stats.routes == {"swap": len(expected)}
    copies = list(evaluator.ctx.scratch.glob("live-*/project/calc/core.py"))
    assert copies and all(c.read_text() == HOSTILE for c in copies) or sandbox_user() is None, \
        "a variant changed the live project"
    spawning = evaluator.evaluate([Patch((arm(index, "spawn"),))], baseline)[0]
    assert spawning.status == Status.PASSED and client.stats.declined == 1  # rerun on the slow path
    ordinary = evaluator.evaluate([Patch((Edit.make("delete_statement", "calc/core.py",
                                                    index.statements[-1]),))], baseline)[0]
    assert ordinary.status == Status.TESTS_FAILED and ordinary.tests["tests/test_core.py::test_shout"] == "failed"


def test_a_dead_server_costs_only_its_variant(make_project, tmp_path):
    root = make_project(core=HOSTILE, tests=HOSTILE_TESTS)
    evaluator, baseline, indexes = make_evaluator(root, tmp_path)
    index = indexes["calc/core.py"]
    client = live_client(evaluator.ctx, pytest_args(evaluator.ctx))
    warm = evaluator.evaluate([Patch((arm(index, "exit_hard"),))], baseline)[0]
    assert warm.status == Status.CRASHED and client.stats.ran == 1
    server = client.server.proc.pid

    def kill_when_busy() -> None:  # the server forks a child for the napping variant: kill the server
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if Path(f"/proc/{server}/task/{server}/children").read_text().split():
                os.kill(server, signal.SIGKILL)
                return
            time.sleep(0.01)

    killer = threading.Thread(target=kill_when_busy)
    killer.start()
    napping = evaluator.evaluate([Patch((arm(index, "nap"),))], baseline)[0]
    killer.join()
    assert napping.status == Status.CRASHED and "server died" in napping.reason
    docstring = next(n for n in index.statements if index.scope_of(n) == "shout"
                     and index.module.code_for_node(index.nodes[n]).lstrip().startswith('"""'))
    doc = evaluator.evaluate([Patch((Edit.make("delete_statement", "calc/core.py", docstring),))], baseline)[0]
    assert doc.status == Status.TESTS_FAILED and doc.tests["tests/test_core.py::test_shout"] == "failed"
    assert doc.tests == {**baseline.tests, "tests/test_core.py::test_shout": "failed"}
    assert client.stats.restarts == 1 and client.server.proc.pid != server and client.stats.ran == 2
    assert not client.stats.disabled


CALLS = textwrap.dedent('''\
    def build():
        table = [1, 2, 3]
        return table


    TABLE = build()


    def prepare():
        state = {"ready": True}
        return state


    def lookup(i):
        return TABLE[i]


    def other(x):
        y = x + 1
        return y
''')

CALLS_CONFTEST = textwrap.dedent('''\
    import pytest

    from calc.core import prepare


    @pytest.fixture
    def state():
        return prepare()
''')

CALLS_TESTS = textwrap.dedent('''\
    from calc.core import TABLE, lookup, other


    def test_lookup(state):
        assert state["ready"] and lookup(0) == 1


    def test_table():
        assert TABLE == [1, 2, 3]


    def test_other():
        assert other(1) == 2
''')


def test_functions_run_at_import_or_in_fixtures_are_handled_conservatively(make_project, tmp_path):
    root = make_project(core=CALLS, tests=CALLS_TESTS)
    (root / "tests" / "conftest.py").write_text(CALLS_CONFTEST)
    evaluator, baseline, indexes = make_evaluator(root, tmp_path)
    index = indexes["calc/core.py"]

    def returned(function: str) -> Edit:
        # the return statement: the function then returns None (deleting its only statement would gut it)
        node = [n for n in get_operator("delete_statement").sites(index) if index.scope_of(n) == function][-1]
        return Edit.make("delete_statement", "calc/core.py", node)

    at_import, in_fixture, ordinary = evaluator.evaluate(
        [Patch((returned(name),)) for name in ("build", "prepare", "other")], baseline)
    client = live_client(evaluator.ctx, pytest_args(evaluator.ctx))
    assert client.profile is not None, client.stats.disabled
    assert ("calc/core.py", "build") in client.profile.unswappable
    assert ("calc/core.py", "prepare") in client.profile.everywhere
    assert client.profile.plan({"calc/core.py": Swap(("prepare",))}, False) == list(client.profile.tests)
    # every test runs, in collection order, as a fresh pytest would: none is assumed unaffected
    assert client.profile.plan({"calc/core.py": Swap(("other",))}, False) == list(client.profile.tests)
    assert client.stats.declined == 1  # ``build`` ran at import: the slow path rebuilt the module
    assert at_import.status == Status.TESTS_FAILED and at_import.tests["tests/test_core.py::test_table"] == "failed"
    assert in_fixture.status == Status.TESTS_FAILED
    assert in_fixture.tests["tests/test_core.py::test_lookup"] == "failed"
    assert ordinary.status == Status.TESTS_FAILED
    assert ordinary.tests == {**baseline.tests, "tests/test_core.py::test_other": "failed"}


def test_a_suite_that_starts_processes_turns_the_fast_path_off(make_project, tmp_path):
    tests = CALLS_TESTS + textwrap.dedent('''

        def test_in_a_subprocess():
            import subprocess, sys
            done = subprocess.run([sys.executable, "-c", "import calc.core as c; assert c.other(1) == 2"])
            assert done.returncode == 0
    ''')
    root = make_project(core=CALLS, tests=tests)
    (root / "tests" / "conftest.py").write_text(CALLS_CONFTEST)
    evaluator, baseline, indexes = make_evaluator(root, tmp_path)
    index = indexes["calc/core.py"]
    node = next(n for n in get_operator("replace_binary_operator").sites(index) if index.scope_of(n) == "other")
    result = evaluator.evaluate([Patch((Edit.make("replace_binary_operator", "calc/core.py", node,
                                                  {"op": "Subtract"}),))], baseline)[0]
    client = live_client(evaluator.ctx, pytest_args(evaluator.ctx))
    assert "start processes" in client.stats.disabled
    assert result.tests["tests/test_core.py::test_in_a_subprocess"] == "failed"  # the slow path saw it


def test_screening_stops_at_the_first_failure(make_project, tmp_path):
    root = make_project()
    evaluator, baseline, indexes = make_evaluator(root, tmp_path, screening=True)
    index = indexes["calc/core.py"]
    node = next(n for n in get_operator("delete_statement").sites(index)
                if index.scope_of(n) == "slow_total" and "return" in index.module.code_for_node(index.nodes[n]))
    result = evaluator.evaluate([Patch((Edit.make("delete_statement", "calc/core.py", node),))], baseline)[0]
    client = live_client(evaluator.ctx, pytest_args(evaluator.ctx))
    assert result.status == Status.TESTS_FAILED
    order = list(client.profile.tests)
    first = next(i for i, t in enumerate(order) if result.tests[t] == "failed")
    assert client.stats.tests_run == first + 1  # in collection order; the first failure ended the child
    assert all(result.tests[t] == "passed" for t in order[:first])
    assert all(result.tests[t] == "failed" for t in order[first:])  # not reached: reported as failed


REBIND = textwrap.dedent('''\
    STOPWORDS = ["a", "the"]
    LIMIT = 3


    def keep(word):
        return word not in STOPWORDS


    def short(words):
        return [w for w in words if len(w) <= LIMIT]


    def count(words):
        return len(words)


    def ordered(mapping):
        return sorted(mapping)
''')

REBIND_TESTS = textwrap.dedent('''\
    from calc import core
    from calc.core import count, keep, ordered, short

    CALLBACKS = [count]


    def test_keep():
        assert keep("cat") and not keep("the")


    def test_short():
        assert short(["ab", "abcd"]) == ["ab"]


    def test_limit():
        assert core.LIMIT == 3


    def test_count():
        assert CALLBACKS[0](["a"]) == count(["a"]) == 1


    def test_ordered():
        assert ordered({"b": 1, "a": 2}) == ["a", "b"]
''')


def test_module_level_literals_and_caches_are_rebound_where_that_is_exact(make_project, tmp_path):
    root = make_project(core=REBIND, tests=REBIND_TESTS)
    evaluator, baseline, indexes = make_evaluator(root, tmp_path)
    index = indexes["calc/core.py"]
    words = next(n for n in get_operator("membership_to_set").sites(index))
    the = next(n for n in get_operator("perturb_constant").sites(index)
               if index.module.code_for_node(index.nodes[n]) == '"the"')
    limit = next(n for n in get_operator("perturb_constant").sites(index)
                 if index.module.code_for_node(index.nodes[n]) == "3")
    patches = {
        "set of stopwords": Patch((Edit.make("membership_to_set", "calc/core.py", words),)),
        "stopword dropped": Patch((Edit.make("perturb_constant", "calc/core.py", the, {"mode": "none"}),)),
        "limit a test reads": Patch((Edit.make("perturb_constant", "calc/core.py", limit, {"mode": "inc"}),)),
        "cache on unhashable": Patch((Edit.make("add_cache", "calc/core.py", index.functions()["ordered"]),)),
        "cache on a held function": Patch((Edit.make("add_cache", "calc/core.py", index.functions()["count"]),)),
    }
    quick = dict(zip(patches, evaluator.evaluate(list(patches.values()), baseline)))
    client = live_client(evaluator.ctx, pytest_args(evaluator.ctx))
    assert evaluator.stats.routes == {"rebind": 5}
    assert (client.stats.ran, client.stats.declined) == (3, 2)  # LIMIT is mentioned; ``count`` is in a list
    fresh = Evaluator(replace(evaluator.ctx, fast_path=False, fresh_process=True), indexes, PrincipleSettings(),
                      SerialBackend())
    slow = dict(zip(patches, fresh.evaluate(list(patches.values()), baseline)))
    assert {n: (o.status, dict(o.tests)) for n, o in quick.items()} == \
        {n: (o.status, dict(o.tests)) for n, o in slow.items()}
    assert quick["set of stopwords"].status == Status.PASSED
    assert quick["cache on unhashable"].tests["tests/test_core.py::test_ordered"] == "failed"
    assert quick["stopword dropped"].tests["tests/test_core.py::test_keep"] == "failed"
