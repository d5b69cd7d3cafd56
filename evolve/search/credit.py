"""Operator credit assignment: operators whose offspring improve on their parents are drawn more often.

Adaptive pursuit (Thierens 2005, "An adaptive pursuit strategy for
allocating operator probabilities", GECCO): each operator keeps a running
estimate ``Q`` of the reward its offspring earn (here: how much an
offspring's fitness beats its parent's, 0 when it does not); after every
generation the probabilities are pushed towards the current best operator
(``P_max``) and every other one towards ``P_min``. ``P_min`` is the floor
that keeps every operator alive, so a run can still discover an operator
that was useless early on. Probabilities sum to 1.

Where the probabilities start, when no earlier run on the project left its
weights, is ``family_prior``: a prior over operator families by the run's mode.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from mutations import CLASSIC, REPAIR, SPEEDUP, Operator

__all__ = ["FAMILY_PRIOR", "LEFT_OUT", "AdaptivePursuit", "default_operators", "family_prior"]

FAMILY_PRIOR: dict[str, dict[str, float]] = {
    "improve": {SPEEDUP: 4.0, CLASSIC: 1.0, REPAIR: 0.5},
    "repair": {SPEEDUP: 0.25, CLASSIC: 1.0, REPAIR: 1.0},
}
"""Relative starting weight of an operator by mode and family (``mutations._base.Operator.family``).

Improve mode: the baseline passes every test, and a speed-up operator keeps
results the same under its stated precondition, so its offspring mostly stay
plausible; a classic edit changes behaviour and mostly fails a test there
(fix patterns are ``LEFT_OUT`` of improve mode; 0.5 applies when
``search.operators`` names one). Repair mode: a speed-up cannot change what a failing test sees
(short of a timeout), the classic and repair edits can. Credit assignment
moves the weights from there; ``P_min`` keeps every operator drawable. The
figures are a prior, not a measurement: the corpus table in BENCHMARKS.md
shows the effect.
"""


LEFT_OUT: dict[str, frozenset[str]] = {"improve": frozenset({REPAIR})}
"""Families a mode leaves out unless ``search.operators`` names them. Improve mode leaves out the fix
patterns: they change behaviour by design, so one that passes the tests and is faster is a change the
tests do not see, not an improvement (every overfit speed-up of the corpus came from one)."""


def default_operators(operators: Iterable[Operator], mode: str) -> list[str]:
    """The names of ``operators`` a run in ``mode`` uses when ``search.operators`` does not say."""
    left_out = LEFT_OUT.get(mode, frozenset())
    return [op.name for op in operators if op.family not in left_out]


def family_prior(operators: Iterable[Operator], mode: str) -> dict[str, float]:
    """Starting weights (name -> relative weight, not normalised) for ``operators`` in ``mode``;
    a mode without a prior (or an unknown family) gives 1.0."""
    table = FAMILY_PRIOR.get(mode, {})
    return {op.name: table.get(op.family, 1.0) for op in operators}


@dataclass
class AdaptivePursuit:
    """Probabilities over ``operators``; ``reward`` after each offspring, ``adapt`` after each generation.

    ``alpha`` is the learning rate of the reward estimates, ``beta`` that of
    the probabilities, ``floor`` the share of the uniform probability no
    operator falls below (``P_min = floor / K``). Raises ``ValueError`` for an
    empty operator list or rates outside (0, 1].
    """

    operators: tuple[str, ...]
    alpha: float = 0.3
    beta: float = 0.3
    floor: float = 0.25
    estimates: dict[str, float] = field(default_factory=dict)
    probabilities: dict[str, float] = field(default_factory=dict)
    rewards_seen: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.operators:
            raise ValueError("adaptive pursuit needs at least one operator")
        for name, rate in (("alpha", self.alpha), ("beta", self.beta), ("floor", self.floor)):
            if not 0 < rate <= 1:
                raise ValueError(f"{name} must be in (0, 1], got {rate}")
        k = len(self.operators)
        self.estimates = {op: self.estimates.get(op, 0.0) for op in self.operators}
        start = self.probabilities or {op: 1 / k for op in self.operators}
        self.probabilities = self._normalised({op: start.get(op, 0.0) for op in self.operators})
        self.rewards_seen = {op: self.rewards_seen.get(op, 0) for op in self.operators}

    @property
    def p_min(self) -> float:
        return self.floor / len(self.operators)

    @classmethod
    def seeded(cls, operators: Iterable[str], remembered: Mapping[str, float], **rates: float) -> AdaptivePursuit:
        """Start from the weights an earlier run on the same project ended with (unknown operators: uniform)."""
        ops = tuple(operators)
        uniform = 1 / len(ops) if ops else 0.0
        return cls(ops, probabilities={op: float(remembered.get(op, uniform)) for op in ops}, **rates)

    def reward(self, operator: str, gain: float) -> None:
        """Credit one offspring's gain over its parent (negative gains count as 0) to ``operator``."""
        if operator in self.estimates:
            self.estimates[operator] += self.alpha * (max(0.0, gain) - self.estimates[operator])
            self.rewards_seen[operator] += 1

    def adapt(self) -> None:
        """Pursue the operator with the best estimate (ties: keep the current order)."""
        k = len(self.operators)
        p_max = 1 - (k - 1) * self.p_min
        best = max(self.operators, key=lambda op: self.estimates[op])
        if self.estimates[best] <= 0:
            return  # nothing has earned anything yet: keep the current probabilities
        for op in self.operators:
            target = p_max if op == best else self.p_min
            self.probabilities[op] += self.beta * (target - self.probabilities[op])
        self.probabilities = self._normalised(self.probabilities)

    def _normalised(self, weights: Mapping[str, float]) -> dict[str, float]:
        """Scale to sum 1 with every probability at least ``p_min`` (floored ones fixed, the rest rescaled)."""
        fixed: set[str] = set()
        while True:
            free = [op for op in self.operators if op not in fixed]
            budget = 1.0 - len(fixed) * self.p_min
            total = sum(max(0.0, weights.get(op, 0.0)) for op in free)
            scaled = {op: (max(0.0, weights.get(op, 0.0)) / total * budget if total > 0 else budget / len(free))
                      for op in free}
            low = [op for op in free if scaled[op] < self.p_min]
            if not low or len(low) == len(free):
                return {**{op: self.p_min for op in fixed}, **scaled}
            fixed.update(low)
