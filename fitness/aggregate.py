"""Aggregate: one ``Score`` per observation, ranked lexicographically by ``(tier, value)``.

The tier carries what must never be traded away (in improve mode the status,
so a variant failing a test can never outrank one passing all; in repair mode
whether baseline-passing tests broke and whether everything passes now). The
value is the weighted sum of normalised objective scores, so the baseline's
value is 1.0 and "better than the baseline by t" is simply value >= 1 + t.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fitness._base import Objective
from fitness.observation import TEST_ERROR, TEST_FAILED, TEST_PASSED, Observation, Status
from fitness.principles import PrinciplesKept
from fitness.registry import OBJECTIVES

DEFAULT_WEIGHTS: Mapping[str, float] = {"performance": 0.3, "correctness": 0.3, "maintainability": 0.2,
                                        "tokens": 0.1, "principles": 0.1}
MODES = ("improve", "repair")
#: Repair mode: a baseline-failing test that now passes counts this many baseline-passing ones (GenProg).
FIXED_TEST_WEIGHT = 10
#: Repair mode: the tier of a variant that passes every test (above every test-result status).
REPAIRED = int(Status.PASSED) + 1


def _validated(values: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> tuple[tuple[str, float], ...]:
    raw = dict(values)
    unknown = sorted(set(raw) - set(OBJECTIVES))
    if unknown:
        raise ValueError(f"unknown objective(s) {', '.join(map(repr, unknown))}; known: {', '.join(OBJECTIVES)}")
    weights: dict[str, float] = {}
    for name in OBJECTIVES:
        value = raw.get(name, 0.0)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"weight of {name!r} must be a number, got {type(value).__name__}")
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"weight of {name!r} must be a finite number >= 0, got {value}")
        weights[name] = float(value)
    total = math.fsum(weights.values())
    if total == 0:
        raise ValueError("all weights are zero; give at least one objective a positive weight")
    normalised = {name: value / total for name, value in weights.items()}
    largest = max(normalised, key=normalised.__getitem__)
    normalised[largest] += 1.0 - math.fsum(normalised.values())  # so the baseline's value is exactly 1.0
    return tuple(normalised.items())


@dataclass(frozen=True)
class Weights:
    """How much each objective counts: non-negative, normalised to sum 1.

    Objectives a mapping leaves out weigh 0 (they are still scored and
    reported). Invalid weights raise ``ValueError`` (``TypeError`` for a
    non-number) with a message naming the objective.
    """

    values: tuple[tuple[str, float], ...] = tuple(DEFAULT_WEIGHTS.items())

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", _validated(self.values))

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> Weights:
        return cls(tuple(mapping.items()))

    def __getitem__(self, name: str) -> float:
        return dict(self.values).get(name, 0.0)

    def as_dict(self) -> dict[str, float]:
        return dict(self.values)


@dataclass(frozen=True)
class Score:
    """One observation's standing: compare ``key`` (tier first, then value)."""

    tier: int
    value: float
    components: Mapping[str, float] = field(default_factory=dict)
    figures: Mapping[str, float | None] = field(default_factory=dict)
    details: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, float]:
        return (self.tier, self.value)

    def to_json(self) -> dict[str, Any]:
        return {"tier": self.tier, "value": self.value, "components": dict(self.components),
                "figures": dict(self.figures), "details": {k: dict(v) for k, v in self.details.items()}}


class Scorer:
    """Scores observations against one baseline in ``improve`` or ``repair`` mode.

    ``soft_principles`` configures the principles objective (which soft
    principles it counts); ``objectives`` replaces the registry (tests,
    experiments). An objective the baseline itself cannot measure (no
    benchmark, no tests) scores a neutral 1.0 for everyone rather than 0.
    """

    def __init__(self, baseline: Observation, weights: Weights | None = None, mode: str = "improve",
                 soft_principles: Sequence[str] | None = None,
                 objectives: Mapping[str, Objective] | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.mode = mode
        self.weights = weights if weights is not None else Weights()
        self.objectives = dict(OBJECTIVES if objectives is None else objectives)
        if soft_principles is not None:
            self.objectives[PrinciplesKept.name] = PrinciplesKept(soft_principles)
        missing = [n for n, w in self.weights.values if w and n not in self.objectives]
        if missing:
            raise ValueError(f"weighted objective(s) without an objective: {', '.join(missing)}")
        self.baseline = baseline
        self.objectives = {n: o.for_baseline(baseline) for n, o in self.objectives.items()}
        self._reference = {n: o.baseline_figure(baseline) for n, o in self.objectives.items()}
        self._reference_details = {n: o.details(baseline) for n, o in self.objectives.items()}
        self._passing = frozenset(t for t, o in baseline.tests.items() if o == TEST_PASSED)
        self._failing = frozenset(t for t, o in baseline.tests.items() if o in (TEST_FAILED, TEST_ERROR))
        self.baseline_score = self._build(baseline, dict(self._reference))

    def score(self, observation: Observation) -> Score:
        figures = {n: o.measure(observation) for n, o in self.objectives.items()}
        return self._build(observation, figures)

    def clears(self, score: Score, threshold: float) -> bool:
        """Good enough to promote: improve — passes every test and beats the baseline by ``threshold``;
        repair — every test passes."""
        if self.mode == "repair":
            return score.tier == REPAIRED
        return score.tier == Status.PASSED and score.value >= self.baseline_score.value + threshold

    def _build(self, observation: Observation, figures: Mapping[str, float | None]) -> Score:
        details = {n: o.details(observation) for n, o in self.objectives.items()}
        components = {n: self._component(n, figures[n], details[n]) for n in self.objectives}
        if self.mode == "repair":
            tier, value = self._repair(observation)
        else:
            tier, value = int(observation.status), self._weighted(components)
        return Score(tier=tier, value=value, components=components, figures=dict(figures), details=details)

    def _component(self, name: str, raw: float | None, details: Mapping[str, float]) -> float:
        reference = self._reference[name]
        if reference is None:
            return 1.0
        return self.objectives[name].score(raw, reference)

    def _weighted(self, components: Mapping[str, float], skip: str | None = None) -> float:
        return math.fsum(self.weights[n] * s for n, s in components.items() if n != skip)

    def _repair(self, observation: Observation) -> tuple[int, float]:
        """GenProg's weighted sum (Le Goues et al. 2012): a test failing at baseline that now passes weighs
        ``FIXED_TEST_WEIGHT`` times one that kept passing, so fixing both failing tests while breaking one
        of a hundred passing ones ranks above the unchanged program. No tiers between test results: the
        tier only says whether the tests ran at all (the status) and whether every test passes (a
        plausible repair, ``REPAIRED``). Ties are broken by fewer edits (the engine), not by size."""
        passes = {t for t, o in observation.tests.items() if o == TEST_PASSED}
        kept, fixed = len(self._passing & passes), len(self._failing & passes)
        denominator = len(self._passing) + FIXED_TEST_WEIGHT * len(self._failing)
        value = (kept + FIXED_TEST_WEIGHT * fixed) / denominator if denominator else 1.0
        if observation.status < Status.TESTS_FAILED:
            return int(observation.status), value
        failing = any(o in (TEST_FAILED, TEST_ERROR) for o in observation.tests.values())
        complete = not failing and kept == len(self._passing) and fixed == len(self._failing)
        return (REPAIRED if complete else int(Status.TESTS_FAILED)), value
