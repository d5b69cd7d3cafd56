"""Aggregate: weights, the baseline at 1.0, tiers that nothing outweighs, repair mode, promotion."""

import math

import pytest

from fitness import OBJECTIVES, Observation, Scorer, Status, Weights

SOURCE = '''"""Sums."""


def total(values):
    """Add them up."""
    result = 0
    for value in values:
        if value is not None:
            result = result + value
    return result
'''
SHORTER = SOURCE.replace("            result = result + value\n", "            result += value\n")
KEPT = {"no_eval_exec": True, "protected_names": True, "public_signatures": True, "import_allowlist": True,
        "bodies_kept": True,
        "docstrings_kept": True, "complexity_ceiling": True}
TESTS = {"t::a": "passed", "t::b": "passed", "t::c": "passed"}


def observation(status: Status = Status.PASSED, source: str = SOURCE, tests: dict[str, str] = TESTS,
                cpu: tuple[float, ...] = (1.0, 1.02, 0.98, 1.0, 1.01, 0.99, 1.0), coverage: float = 90.0) -> Observation:
    return Observation(status=status, sources={"sums.py": source}, tests=tests, coverage=coverage,
                       cpu_times=cpu, baseline_cpu_times=(1.0, 1.01, 0.99, 1.0, 1.02, 0.98, 1.0), principles=KEPT)


BASELINE = observation(cpu=(1.03, 0.97, 1.05, 0.98, 1.0, 1.01, 0.99))  # noisy: its own median ratio is not exactly 1
FAST = (0.5, 0.5, 0.51, 0.49, 0.5, 0.5, 0.5)
SLOW = (2.0, 2.0, 2.01, 1.99, 2.0, 2.0, 2.0)


def test_default_weights() -> None:
    assert Weights().as_dict() == {"performance": 0.3, "correctness": 0.3, "maintainability": 0.2,
                                   "tokens": 0.1, "principles": 0.1}
    assert set(Weights().as_dict()) == set(OBJECTIVES)


def test_weights_from_mapping_are_normalised_and_missing_weigh_zero() -> None:
    w = Weights.from_mapping({"performance": 3, "correctness": 1})
    assert w["performance"] == 0.75 and w["correctness"] == 0.25 and w["tokens"] == 0.0
    assert math.fsum(Weights.from_mapping({"performance": 0.7, "tokens": 0.2, "principles": 0.1}).as_dict()
                     .values()) == 1.0
    assert Weights.from_mapping(w.as_dict()) == w


@pytest.mark.parametrize(("mapping", "message"), [
    ({"performance": -0.1, "correctness": 1}, "'performance' must be a finite number >= 0"),
    ({"performance": 0, "correctness": 0.0}, "all weights are zero"),
    ({}, "all weights are zero"),
    ({"speed": 1}, "unknown objective(s) 'speed'"),
    ({"tokens": float("nan")}, "'tokens' must be a finite number"),
])
def test_invalid_weights_raise(mapping: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Weights.from_mapping(mapping)


def test_non_number_weight_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="'tokens' must be a number"):
        Weights.from_mapping({"tokens": "high"})


def test_baseline_value_is_exactly_one() -> None:
    scorer = Scorer(BASELINE)
    base = scorer.baseline_score
    assert base.value == 1.0 and base.tier == 5
    assert base.components["performance"] == 1.0 and base.figures["performance"] == 1.0
    assert set(base.components) == set(OBJECTIVES)
    assert base.details["performance"]["median_s"] == 1.0
    assert scorer.score(BASELINE).value == 1.0  # scored as a variant, its own noise is no gain


def test_components_with_zero_weight_are_reported() -> None:
    scorer = Scorer(BASELINE, Weights.from_mapping({"correctness": 1}))
    score = scorer.score(observation(source=SHORTER))
    assert score.components["tokens"] > 1.0 and score.figures["tokens"] is not None
    assert score.value == pytest.approx(1.0)


def test_failing_variant_ranks_below_passing_one_despite_better_components() -> None:
    scorer = Scorer(BASELINE)
    fast_but_failing = scorer.score(observation(Status.TESTS_FAILED, source=SHORTER, cpu=FAST,
                                                tests={**TESTS, "t::c": "failed"}))
    slow_but_passing = scorer.score(observation(cpu=SLOW))
    assert fast_but_failing.value > slow_but_passing.value
    assert fast_but_failing.key < slow_but_passing.key
    assert max([fast_but_failing, slow_but_passing], key=lambda s: s.key) is slow_but_passing


def test_crashed_variant_has_no_figures_and_lowest_tier() -> None:
    score = Scorer(BASELINE).score(Observation(status=Status.CRASHED))
    assert score.tier == 0 and score.figures["performance"] is None and score.components["tokens"] == 0.0


def test_faster_variant_beats_baseline() -> None:
    scorer = Scorer(BASELINE)
    faster = scorer.score(observation(cpu=FAST))
    assert faster.components["performance"] == pytest.approx(2.0)  # 1 + log2(2)
    assert faster.value == pytest.approx(1.0 + 0.3 * (2.0 - 1.0), abs=0.01)


def test_clears_in_improve_mode() -> None:
    scorer = Scorer(BASELINE)
    faster = scorer.score(observation(cpu=FAST))
    assert scorer.clears(faster, 0.1) and not scorer.clears(faster, 0.5)
    assert not scorer.clears(scorer.baseline_score, 0.1) and scorer.clears(scorer.baseline_score, 0.0)
    failing = scorer.score(observation(Status.TESTS_FAILED, cpu=tuple(c / 5 for c in FAST),
                                       tests={**TESTS, "t::a": "failed"}))
    assert failing.value > faster.value and not scorer.clears(failing, 0.1)


REPAIR_BASE = {"p1": "passed", "p2": "passed", "f1": "failed", "f2": "error"}


def repair_scorer() -> Scorer:
    return Scorer(observation(Status.TESTS_FAILED, tests=REPAIR_BASE), mode="repair")


def test_repair_ranks_by_genprog_weighted_sum_not_tiers() -> None:
    scorer = repair_scorer()
    broke = scorer.score(observation(Status.TESTS_FAILED, tests={**REPAIR_BASE, "p1": "failed", "f1": "passed"}))
    partial = scorer.score(observation(Status.TESTS_FAILED, tests={**REPAIR_BASE, "f1": "passed"}))
    fixed = scorer.score(observation(Status.PASSED, tests=dict.fromkeys(REPAIR_BASE, "passed")))
    rejected = scorer.score(Observation(status=Status.REJECTED))
    assert (rejected.tier, broke.tier, partial.tier, fixed.tier) == (3, 4, 4, 6)
    assert scorer.baseline_score.tier == 4
    assert rejected.key < scorer.baseline_score.key < broke.key < partial.key < fixed.key


def test_a_near_repair_that_breaks_one_of_a_hundred_ranks_above_the_unchanged_program() -> None:
    base_tests = {**{f"p{i}": "passed" for i in range(100)}, "f1": "failed", "f2": "failed"}
    scorer = Scorer(observation(Status.TESTS_FAILED, tests=base_tests), mode="repair")
    near = scorer.score(observation(Status.TESTS_FAILED, tests={**dict.fromkeys(base_tests, "passed"),
                                                                "p7": "failed"}))
    assert near.key > scorer.baseline_score.key and not scorer.clears(near, 0.0)


def test_repair_genprog_weighting() -> None:
    scorer = repair_scorer()
    assert scorer.baseline_score.value == pytest.approx(2 / 22, abs=0.002)
    one_fixed = scorer.score(observation(Status.TESTS_FAILED, tests={**REPAIR_BASE, "f1": "passed"}))
    assert one_fixed.value == pytest.approx(12 / 22, abs=0.002)
    fixed = scorer.score(observation(Status.PASSED, tests=dict.fromkeys(REPAIR_BASE, "passed")))
    assert fixed.value == pytest.approx(1.0, abs=0.002)


def test_repair_is_not_decided_by_size_or_speed() -> None:
    scorer = repair_scorer()
    tests = {**REPAIR_BASE, "f1": "passed"}
    slow = scorer.score(observation(Status.TESTS_FAILED, tests=tests, cpu=SLOW))
    fast_and_short = scorer.score(observation(Status.TESTS_FAILED, tests=tests, cpu=FAST, source=SHORTER))
    assert slow.key == fast_and_short.key  # ties go to fewer edits, in the engine


def test_clears_in_repair_mode() -> None:
    scorer = repair_scorer()
    fixed = scorer.score(observation(Status.PASSED, tests=dict.fromkeys(REPAIR_BASE, "passed")))
    partial = scorer.score(observation(Status.TESTS_FAILED, tests={**REPAIR_BASE, "f1": "passed"}))
    assert scorer.clears(fixed, 0.5) and not scorer.clears(partial, 0.0)


def test_objective_the_baseline_cannot_measure_is_neutral() -> None:
    unbenchmarked = Observation(status=Status.PASSED, sources={"sums.py": SOURCE}, tests=TESTS, principles=KEPT)
    scorer = Scorer(unbenchmarked)
    assert scorer.score(unbenchmarked).value == 1.0
    assert scorer.score(unbenchmarked).components["performance"] == 1.0


def test_soft_principles_configure_the_objective() -> None:
    broken = {**KEPT, "docstrings_kept": False}
    variant = Observation(status=Status.PASSED, sources={"sums.py": SOURCE}, tests=TESTS, principles=broken)
    assert Scorer(BASELINE).score(variant).components["principles"] == 0.5
    assert Scorer(BASELINE, soft_principles=("complexity_ceiling",)).score(variant).components["principles"] == 1.0


def test_invalid_mode() -> None:
    with pytest.raises(ValueError, match="mode must be one of"):
        Scorer(BASELINE, mode="fix")


def test_score_to_json_round_trips_through_plain_types() -> None:
    data = Scorer(BASELINE).baseline_score.to_json()
    assert data["tier"] == 5 and data["value"] == 1.0 and isinstance(data["details"]["tokens"], dict)


def test_coverage_is_reported_not_scored() -> None:
    score = Scorer(BASELINE).score(observation(coverage=45.0))
    assert score.components["correctness"] == 1.0
    assert score.details["correctness"]["coverage"] == 45.0


def test_weighted_objective_must_exist() -> None:
    only = {"tokens": OBJECTIVES["tokens"]}
    with pytest.raises(ValueError, match="without an objective: performance"):
        Scorer(BASELINE, objectives=only)
    assert set(Scorer(BASELINE, Weights.from_mapping({"tokens": 1}), objectives=only).baseline_score.components) \
        == {"tokens"}
