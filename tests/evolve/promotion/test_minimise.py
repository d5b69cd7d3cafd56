"""Minimisation drops the edits that do not contribute and keeps those that do."""

from __future__ import annotations


import pytest

from evolve.evaluation.backends import make_backend
from evolve.evaluation.evaluator import EvaluationContext, Evaluator
from evolve.promotion.minimise import MAX_BAND, MIN_BAND, keeps_fitness, minimise, noise_band
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


def test_noise_band_is_the_relative_spread_within_bounds():
    assert noise_band([1.0, 1.1, 0.9]) == pytest.approx(0.2)
    assert noise_band([1.0, 1.0, 1.0]) == MIN_BAND
    assert noise_band([1.0, 3.0, 0.1]) == MAX_BAND
    assert noise_band([1.0]) == MAX_BAND  # one sample says nothing about precision
    assert noise_band([0.0, 0.0]) == MAX_BAND


SOURCE = "x = [1, 2, 3, 4, 5, 6, 7, 8, 9]\n"


def _timed(variant: tuple[float, ...], baseline: tuple[float, ...] = (1.0, 1.0, 1.0)) -> Observation:
    return Observation(status=Status.PASSED, sources={"m.py": SOURCE}, tests={"t": "passed"},
                       cpu_times=variant, baseline_cpu_times=baseline)


def test_a_speed_loss_within_the_noise_band_keeps_fitness_but_a_larger_one_does_not():
    scorer = Scorer(_timed((1.0, 1.0, 1.0)), Weights.from_mapping({"performance": 0.5, "tokens": 0.5}))
    found = scorer.score(_timed((0.80, 0.81, 0.79)))
    slack = 0.5 * found.components["performance"] * 0.05  # a 5 % band
    slightly_slower = scorer.score(_timed((0.82, 0.82, 0.82)))
    much_slower = scorer.score(_timed((1.0, 1.0, 1.0)))
    assert keeps_fitness(slightly_slower, found, scorer, slack)
    assert not keeps_fitness(much_slower, found, scorer, slack)
    failing = scorer.score(Observation(status=Status.TESTS_FAILED, tests={"t": "failed"}))
    assert not keeps_fitness(failing, found, scorer, slack)


def test_a_loss_in_an_exact_component_is_kept_only_for_a_speed_gain_beyond_noise():
    scorer = Scorer(_timed((1.0, 1.0, 1.0)), Weights.from_mapping({"performance": 0.5, "tokens": 0.5}))
    found = scorer.score(_timed((0.9, 0.9, 0.9)))
    slack = 0.5 * found.components["performance"] * 0.05

    def bigger(seconds: float):
        return scorer.score(Observation(status=Status.PASSED, sources={"m.py": SOURCE.replace("9]", "9, 10]")},
                                        tests={"t": "passed"}, cpu_times=(seconds,) * 3,
                                        baseline_cpu_times=(1.0, 1.0, 1.0)))

    # Bigger code (measured exactly) and a little faster: a higher total, but only by what noise explains.
    assert found.value < bigger(0.83).value < found.value + slack
    assert not keeps_fitness(bigger(0.83), found, scorer, slack)
    # Bigger code and much faster: the dropped edit cost more speed than noise can account for.
    assert bigger(0.7).value > found.value + slack
    assert keeps_fitness(bigger(0.7), found, scorer, slack)
