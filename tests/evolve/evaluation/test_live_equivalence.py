"""The fast path equals a fresh ``python -m pytest`` on a project full of shared state.

Module-level caches and registries, order-dependent tests, ``functools.cache``,
class attributes, generators, doctests, a test that reads a source file, and a
RecursionError at baseline: every single-edit variant of a sample gets the same
per-test outcomes on the fast path as in a fresh process. These are the four
wrong verdicts once seen on this path (a cache hit, a registry read by a test
that calls no target, state an earlier test left, a profile hook lost after a
RecursionError), each now one of the sampled shapes.
"""

from __future__ import annotations

import random
import textwrap
from dataclasses import replace

import pytest

from evolve.evaluation.backends import LokyBackend
from evolve.evaluation.evaluator import Evaluator, pytest_args
from evolve.evaluation.live import live_client
from fitness.observation import Status
from fitness.principles import PrincipleSettings
from mutations.pool import SitePool
from populations.patch import Patch
from tests.evolve.evaluation.test_live import make_evaluator

STATEFUL = textwrap.dedent('''\
    """State that outlives a test, on purpose."""
    import functools

    REGISTRY = []
    _MEMO = {}


    def register(item):
        REGISTRY.append(item)
        return len(REGISTRY)


    @functools.cache
    def square(n):
        return n * n


    def fib(n):
        if n in _MEMO:
            return _MEMO[n]
        result = n if n < 2 else fib(n - 1) + fib(n - 2)
        _MEMO[n] = result
        return result


    def gcd(a, b):
        """Greatest common divisor.

        >>> gcd(12, 8)
        4
        """
        if b == 0:
            return a
        return gcd(b, a % b)


    class Ticket:
        issued = 0

        def take(self):
            Ticket.issued += 1
            return Ticket.issued


    def evens(limit):
        for i in range(limit):
            if i % 2 == 0:
                yield i


    def depth(n):
        if n <= 0:
            return 0
        return 1 + depth(n - 1)


    def countdown(n):
        if n == 0:
            return 0
        return countdown(n - 2)
''')

STATEFUL_TESTS = textwrap.dedent('''\
    from calc.core import REGISTRY, Ticket, countdown, depth, evens, fib, gcd, register, square


    def test_register():
        assert register("a") == 1


    def test_registry_holds_what_was_registered():
        assert REGISTRY == ["a"]  # calls no target function: reads what the test before left


    def test_square_fills_the_cache():
        assert [square(n) for n in range(4)] == [0, 1, 4, 9]


    def test_square_from_the_cache():
        assert square(3) == 9  # a cache hit: no Python frame of square runs


    def test_fib():
        assert fib(10) == 55


    def test_first_ticket():
        assert Ticket().take() == 1


    def test_second_ticket():
        assert Ticket().take() == 2  # order-dependent


    def test_evens():
        assert list(evens(7)) == [0, 2, 4, 6]


    def test_gcd():
        assert gcd(12, 8) == 4


    def test_countdown_recurses_without_end_at_baseline():
        assert countdown(3) == 0  # the base case misses odd numbers: RecursionError


    def test_after_the_recursion_error():
        assert depth(5) == 5
''')


@pytest.mark.slow
def test_fast_path_verdicts_equal_fresh_pytest_on_shared_state(make_project, tmp_path):
    root = make_project(core=STATEFUL, tests=STATEFUL_TESTS)
    (root / "calc" / "bench.py").unlink()  # the doctests import every module of calc; this one needs slow_total
    backend = LokyBackend(2)
    try:
        fast, baseline, indexes = make_evaluator(root, tmp_path, backend,
                                                 test_args=("tests", "calc", "--doctest-modules"))
        assert baseline.tests.get("tests/test_core.py::test_countdown_recurses_without_end_at_baseline") == "failed", baseline.reason
        assert baseline.tests["calc/core.py::calc.core.gcd"] == "passed"
        pool, rng, patches, keys = SitePool(indexes), random.Random(5), [], set()
        while len(patches) < 40:
            edit = pool.random_edit(rng)
            early = fast._static_gates(Patch((edit,)), baseline)
            if not isinstance(early, tuple) or early[0] in keys:
                continue
            keys.add(early[0])
            patches.append(Patch((edit,)))
        quick = fast.evaluate(patches, baseline)
        fresh = replace(fast.ctx, fast_path=False, fresh_process=True)
        slow = Evaluator(fresh, indexes, PrincipleSettings(), backend).evaluate(patches, baseline)
    finally:
        backend.close()
    assert fast.stats.routes["swap"] >= 15  # the fast path was really taken for most of them
    differ = [(p.edits[0].operator, p.edits[0].node, q.status, s.status,
               {t: (q.tests.get(t), s.tests.get(t)) for t in {*q.tests, *s.tests} if q.tests.get(t) != s.tests.get(t)})
              for p, q, s in zip(patches, quick, slow) if q.status != s.status or dict(q.tests) != dict(s.tests)]
    assert not differ
    assert {Status.PASSED, Status.TESTS_FAILED} <= {o.status for o in quick}


def test_a_test_that_reads_a_target_source_turns_the_fast_path_off(make_project, tmp_path):
    tests = STATEFUL_TESTS + textwrap.dedent('''

        def test_reads_its_own_source():
            import inspect
            assert "yield" in inspect.getsource(evens)
    ''')
    root = make_project(core=STATEFUL, tests=tests)
    fast, baseline, indexes = make_evaluator(root, tmp_path)
    pool, rng = SitePool(indexes), random.Random(2)
    fast.evaluate([Patch((pool.random_edit(rng),)) for _ in range(3)], baseline)
    client = live_client(fast.ctx, pytest_args(fast.ctx))
    assert "read a target file's source" in client.stats.disabled


EXITS_EARLY = textwrap.dedent('''\
    import os

    from calc.core import evens


    def test_evens():
        assert list(evens(3)) == [0, 2]


    def test_leaves_early():
        os._exit(0)  # a test that ends the process with success: the run never finished


    def test_after():
        assert True
''')


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast path", "fresh process"])
def test_os_exit_0_inside_a_test_is_never_a_pass(make_project, tmp_path, fast_path):
    """Search and verification define "passed" the same way: every expected test reported as passed."""
    root = make_project(core=STATEFUL, tests=EXITS_EARLY)
    evaluator, baseline, indexes = make_evaluator(root, tmp_path, fast_path=fast_path, fresh_process=not fast_path)
    assert baseline.status != Status.PASSED, baseline
    pool, rng = SitePool(indexes), random.Random(3)
    for observed in evaluator.evaluate([Patch((pool.random_edit(rng),)) for _ in range(4)], baseline):
        assert observed.status != Status.PASSED, observed
