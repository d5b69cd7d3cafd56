"""The cascade stops each kind of bad variant at its gate; the cache answers repeats."""

from __future__ import annotations

import textwrap
import libcst as cst
import pytest

from evolve.evaluation.backends import SerialBackend
from evolve.evaluation.benchmark import BenchmarkSpec
from evolve.evaluation.evaluator import EvaluationContext, Evaluator
from evolve.evaluation.sandbox import Limits
from evolve.target import take_snapshot
from fitness.observation import Status
from fitness.principles import PrincipleSettings
from mutations._index import ModuleIndex
from mutations._base import Operator
from mutations.registry import OPERATORS, get_operator
from populations.patch import Edit, Patch
from tests.conftest import CORE

EXTRA = CORE + textwrap.dedent('''

    def countdown(n):
        """Steps to count n down to 0."""
        steps = 0
        while n > 0:
            n -= 1
            steps += 1
        return steps


    def ratio():
        """Only the benchmark calls this."""
        return 10 // 1


    def first_big(values):
        """The first value above 100, or None."""
        found = None
        for value in values:
            if value > 100:
                found = value
                break
        return found
''')

TESTS = textwrap.dedent('''\
    from calc.core import countdown, mean, slow_total


    def test_slow_total():
        assert slow_total([1, 2, 11, 3]) == 6


    def test_mean():
        assert mean([1, 2, 3]) == 2
        assert mean([]) == 0.0


    def test_countdown():
        assert countdown(3) == 3
''')

BENCH = "from calc.core import ratio, slow_total\n\n\ndef run():\n    return ratio(), slow_total(list(range(20)) * 50)\n"


@pytest.fixture
def evaluator(make_project, tmp_path):
    root = make_project(core=EXTRA, tests=TESTS)
    (root / "calc" / "bench.py").write_text(BENCH)
    snapshot = take_snapshot(root, tmp_path / "snapshot")
    index = ModuleIndex.build("calc/core.py", snapshot.read("calc/core.py"))
    ctx = EvaluationContext(snapshot=snapshot.path, files=("calc/core.py",), test_args=("tests",), coverage=True,
                            limits=Limits(wall_seconds=10, cpu_seconds=10), scratch=tmp_path,
                            benchmark=BenchmarkSpec("callable", "calc.bench:run", repeats=3))
    ev = Evaluator(ctx, {"calc/core.py": index}, PrincipleSettings(protected=("mean",)), SerialBackend())
    return ev, index


def edit(index: ModuleIndex, operator: str, scope: str, params: dict, pick: int = 0, where: str = "") -> Edit:
    sites = [n for n in get_operator(operator).sites(index) if index.scope_of(n) == scope and where in n]
    return Edit.make(operator, "calc/core.py", sites[pick], params)


def test_baseline_passes_with_coverage_and_timings(evaluator):
    ev, _ = evaluator
    baseline = ev.run_baseline()
    assert baseline.status == Status.PASSED
    assert set(baseline.tests.values()) == {"passed"} and len(baseline.tests) == 3
    assert 0 < baseline.coverage <= 100
    # the baseline is measured for the whole racing budget: its spread is the machine's noise (A/A)
    spec = ev.ctx.benchmark
    assert len(baseline.cpu_times) == spec.max_repeats > spec.repeats
    assert all(t > 0 for t in baseline.cpu_times)


def statement(index: ModuleIndex, scope: str, text: str) -> str:
    return next(n for n in index.statements
                if index.scope_of(n) == scope and index.module.code_for_node(index.nodes[n]).strip() == text)


class BreakHere(Operator):
    """A deliberately careless operator: the shipped ones never produce code that fails to compile."""

    name = "break_here"
    description = "replace a statement by break"
    node_types = (cst.SimpleStatementLine,)

    def _rewrite(self, visiting, node_id, original, updated, params, index):
        return cst.parse_statement("break\n")


def test_each_gate_stops_its_variant(evaluator, monkeypatch):
    monkeypatch.setitem(OPERATORS, BreakHere.name, BreakHere())
    ev, index = evaluator
    baseline = ev.run_baseline()
    outside = statement(index, "first_big", "found = None")
    patches = {
        "compile": Patch((Edit.make("break_here", "calc/core.py", outside, {}),)),
        "principles": Patch((edit(index, "negate_condition", "mean", {}),)),
        "tests": Patch((edit(index, "replace_comparison_operator", "slow_total", {"op": "NotIn"}),)),
        "benchmark": Patch((edit(index, "perturb_constant", "ratio", {"mode": "dec"}, pick=1),)),
        "timeout": Patch((edit(index, "replace_augmented_assignment", "countdown", {"op": "AddAssign"}),)),
        "passed": Patch((edit(index, "membership_to_set", "<module>", {}),)),
    }
    results = dict(zip(patches, ev.evaluate(list(patches.values()), baseline)))
    assert (results["compile"].status, results["compile"].gate) == (Status.REJECTED, "compile")
    assert (results["principles"].status, results["principles"].gate) == (Status.REJECTED, "principles")
    assert "mean" in results["principles"].reason
    assert (results["tests"].status, results["tests"].gate) == (Status.TESTS_FAILED, "tests")
    assert results["tests"].tests["tests/test_core.py::test_slow_total"] == "failed"
    assert (results["benchmark"].status, results["benchmark"].gate) == (Status.CRASHED, "benchmark")
    assert "ZeroDivisionError" in results["benchmark"].reason
    assert (results["timeout"].status, results["timeout"].gate) == (Status.TIMED_OUT, "tests")
    passed = results["passed"]
    # three rounds first; racing adds rounds of three while the speed verdict is open (at most max_repeats)
    assert passed.status == Status.PASSED and len(passed.cpu_times) % 3 == 0 and 3 <= len(passed.cpu_times) <= 20
    assert dict(ev.stats.stopped_at) == {"compile": 1, "principles": 1, "tests": 2, "benchmark": 1}


def test_repeats_are_answered_from_the_cache(evaluator):
    ev, index = evaluator
    baseline = ev.run_baseline()
    patch = Patch((edit(index, "membership_to_set", "<module>", {}),))
    first, again = ev.evaluate([patch, patch], baseline)
    third = ev.evaluate([patch], baseline)[0]
    assert ev.stats.executed == 1 and ev.stats.cache_hits == 2
    assert not first.cached and again.cached and third.cached
    assert third.status == first.status == Status.PASSED


def test_a_patch_that_changes_nothing_is_the_baseline(evaluator):
    ev, index = evaluator
    baseline = ev.run_baseline()
    same = statement(index, "first_big", "found = None")
    result = ev.evaluate([Patch((Edit.make("replace_statement", "calc/core.py", same, {"donor": same}),))],
                         baseline)[0]
    assert result.cached and result.status == Status.PASSED and ev.stats.executed == 0


def _kill_worker_on(ctx, job):
    """A job function that kills its own pool worker for one job, as a variant could for a non-root engine."""
    import os
    import signal

    from evolve.evaluation.evaluator import run_job

    if job.key == "doomed":
        os.kill(os.getpid(), signal.SIGKILL)
    return run_job(ctx, job)


def test_a_dead_worker_costs_only_its_own_variant(evaluator, monkeypatch):
    from evolve.evaluation import evaluator as module
    from evolve.evaluation.backends import LokyBackend
    from evolve.evaluation.evaluator import Job

    ev, _ = evaluator
    ev.backend = LokyBackend(2)
    monkeypatch.setattr(module, "run_job", _kill_worker_on)
    try:
        results = ev._map([Job("fine", {}), Job("doomed", {}), Job("also fine", {})])
    finally:
        ev.backend.close()
    assert [r.status for r in results] == [Status.PASSED, Status.CRASHED, Status.PASSED]
    assert "worker process died" in results[1].reason and ev.stats.lost_workers == 1
