"""Homeostasis: keep the population's diversity inside a band by adjusting variation and selection.

A population whose patches are mostly identical (or whose fitness values no
longer spread) has converged: the search can only polish one idea. Then the
mutation rate rises and the tournament shrinks (weaker selection pressure),
letting different patches survive; once diversity is back above the band,
both return step by step to the configured set point (the user's rates). This is the classic diversity-guided
parameter control of evolutionary algorithms (Ursem 2002, "Diversity-Guided
Evolutionary Algorithms", PPSN; Eiben, Hinterding & Michalewicz 1999 on
parameter control). Every correction is returned so the run logs it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import pstdev
from typing import Any

__all__ = ["Controls", "DiversityBand"]


@dataclass
class Controls:
    """The knobs homeostasis turns: probability of mutating an offspring, tournament size."""

    mutation: float
    tournament: int


@dataclass(frozen=True)
class DiversityBand:
    """The band for the share of distinct patches (``low``..``high``) and the least fitness spread.

    ``step`` is how much the mutation probability moves per correction (at
    most to 1); the tournament moves by one (at least to 2).
    """

    low: float = 0.5
    high: float = 0.8
    min_spread: float = 1e-6
    step: float = 0.1

    def correct(self, keys: Sequence[str], values: Sequence[float], controls: Controls,
                set_point: Controls) -> dict[str, Any] | None:
        """Adjust ``controls`` in place for a population (its patch keys and fitness values).

        Below the band: more mutation, smaller tournaments. Above it: back
        towards ``set_point`` (the configured rates), never beyond. Returns
        the correction (what was measured and what changed), or None when
        nothing changed.
        """
        if not keys:
            return None
        unique = len(set(keys)) / len(keys)
        spread = pstdev(values) if len(values) > 1 else 0.0
        before = Controls(controls.mutation, controls.tournament)
        if unique < self.low or spread < self.min_spread:
            controls.mutation = round(min(1.0, controls.mutation + self.step), 6)
            controls.tournament = max(2, controls.tournament - 1)
            direction = "diversify"
        elif unique > self.high:
            controls.mutation = round(max(set_point.mutation, controls.mutation - self.step), 6)
            controls.tournament = min(set_point.tournament, controls.tournament + 1)
            direction = "relax"
        else:
            return None
        if (controls.mutation, controls.tournament) == (before.mutation, before.tournament):
            return None
        return {"direction": direction, "unique_share": round(unique, 4), "fitness_spread": round(spread, 6),
                "mutation": [round(before.mutation, 3), round(controls.mutation, 3)],
                "tournament": [before.tournament, controls.tournament]}
