"""Minimisation drops the edits that do not contribute and keeps those that do."""

from __future__ import annotations


import pytest

from evolve.evaluation.backends import make_backend
from evolve.evaluation.evaluator import EvaluationContext, Evaluator
from evolve.promotion.minimise import keeps_fitness, minimise
from evolve.evaluation.sandbox import Limits
from evolve.target import take_snapshot
from fitness.aggregate import Scorer, Weights
from fitness.observation import Observation, Status
from fitness.principles import PrincipleSettings
from mutations._index import ModuleIndex
from populations.patch import Edit, Patch
from tests.conftest import CORE

# ``values = [...]`` in slow_total is padding: deleting it keeps every test passing and makes the code
# smaller and simpler. ``LIMITS``' last constant is never looked at by a test: changing it is a hitchhiker.
SUM_DOC = '    """Sum of the values that are in LIMITS."""\n'
PADDED = CORE.replace(SUM_DOC, SUM_DOC + "    values = [value for value in list(values) if value is not None or value is None]\n", 1)

EXACT_WEIGHTS = Weights.from_mapping({"performance": 0, "correctness": 0.4, "maintainability": 0.3, "tokens": 0.2,
                                      "principles": 0.1})
DELETE_PADDING = Edit.make("delete_statement", "calc/core.py", "SimpleStatementLine@8:4-8:84")
HITCHHIKER = Edit.make("perturb_constant", "calc/core.py", "Integer@3:37-3:39", {"mode": "dec"})


@pytest.fixture
def evaluation(make_project, tmp_path):
    """A real evaluator (fresh test process per variant) over the padded project, its baseline and scorer."""
    snapshot = take_snapshot(make_project(core=PADDED), tmp_path / "snapshot")
    indexes = {"calc/core.py": ModuleIndex.build("calc/core.py", snapshot.read("calc/core.py"))}
    assert {DELETE_PADDING.node, HITCHHIKER.node} <= set(indexes["calc/core.py"].nodes)
    ctx = EvaluationContext(snapshot=snapshot.path, files=("calc/core.py",), test_args=("tests",), coverage=False,
                            limits=Limits(wall_seconds=60, cpu_seconds=60), benchmark=None,
                            scratch=tmp_path, fresh_process=True)
    backend = make_backend("serial", 1)
    try:
        evaluator = Evaluator(ctx, indexes, PrincipleSettings(), backend)
        baseline = evaluator.run_baseline()
        assert baseline.status == Status.PASSED, baseline.reason
        yield evaluator, baseline, Scorer(baseline, EXACT_WEIGHTS)
    finally:
        backend.close()


def _found(evaluation, patch):
    evaluator, baseline, scorer = evaluation
    observation = evaluator.evaluate([patch], baseline)[0]
    return observation, scorer.score(observation)


@pytest.mark.slow
def test_a_hitchhiker_is_dropped_and_the_edit_that_matters_kept(evaluation):
    evaluator, baseline, scorer = evaluation
    patch = Patch((HITCHHIKER, DELETE_PADDING))
    observation, score = _found(evaluation, patch)
    assert observation.status == Status.PASSED and score.value > 1.0

    small = minimise(patch, observation, score, evaluator, scorer, baseline)

    assert small.patch == Patch((DELETE_PADDING,))
    assert small.dropped == (HITCHHIKER,)
    assert small.score.value == pytest.approx(score.value)
    assert small.evaluations == 2


@pytest.mark.slow
def test_the_edit_that_matters_is_kept(evaluation):
    evaluator, baseline, scorer = evaluation
    observation, score = _found(evaluation, Patch((DELETE_PADDING,)))
    small = minimise(Patch((DELETE_PADDING,)), observation, score, evaluator, scorer, baseline)
    assert small.patch == Patch((DELETE_PADDING,)) and small.dropped == ()
    assert small.observation is observation and small.evaluations == 1


SOURCE = "x = [1, 2, 3, 4, 5, 6, 7, 8, 9]\n"
BASE = (1.0, 1.01, 0.99, 1.0, 1.02, 0.98, 1.0, 1.01, 0.99)


def _timed(variant: tuple[float, ...], source: str = SOURCE) -> Observation:
    return Observation(status=Status.PASSED, sources={"m.py": source}, tests={"t": "passed"},
                       cpu_times=variant, baseline_cpu_times=BASE)


def _scaled(factor: float) -> tuple[float, ...]:
    return tuple(factor * b * (1 + 0.004 * (i % 3 - 1)) for i, b in enumerate(BASE))


SCORER = Scorer(_timed(BASE), Weights.from_mapping({"performance": 0.5, "tokens": 0.5}))


def _keeps(candidate: Observation, found: Observation) -> bool:
    return keeps_fitness(candidate, SCORER.score(candidate), found, SCORER.score(found), SCORER)


def test_a_speed_loss_that_is_not_significant_keeps_fitness_but_a_real_one_does_not():
    found = _timed(_scaled(0.80))
    assert _keeps(_timed(_scaled(0.805)), found)  # within what the test can tell apart
    assert not _keeps(_timed(_scaled(1.0)), found)  # the dropped edit was the speed-up
    assert not _keeps(Observation(status=Status.TESTS_FAILED, tests={"t": "failed"}), found)


def test_a_loss_in_an_exact_component_is_kept_only_for_a_real_speed_gain():
    found = _timed(_scaled(0.9))
    bigger = SOURCE.replace("9]", "9, 10]")
    assert not _keeps(_timed(_scaled(0.9), bigger), found)  # bigger and no faster
    assert _keeps(_timed(_scaled(0.5), bigger), found)  # bigger, but the dropped edit cost real speed
