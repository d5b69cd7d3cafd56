"""Focus: a repair's suspicion follows the faults a partial repair leaves.

A program with two faults fails tests of both; once the search keeps a variant
that repairs one (it passes some failing tests and breaks none), the lines of
the other are what deserve edits. ``Focus`` reweighs the site pool by the
suspicion of the tests that variant still fails (``localisation.partial_outcomes``,
``Attention.refocused``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from evolve.search.attention import Attention
from evolve.search.localisation import FAILING, partial_outcomes
from mutations.pool import SitePool

__all__ = ["Focus"]


class Focus:
    """Where a repair's suspicion stands: on the baseline's failing tests, or, once the hall of fame
    holds a partial repair, on the tests the best one still fails (``localisation.partial_outcomes``;
    the site pool is reweighed then). A function of the hall of fame alone, so a resumed run draws
    as the uninterrupted one did."""

    def __init__(self, attention: Attention, pool: SitePool) -> None:
        self.attention, self.pool = attention, pool
        self.failing: tuple[str, ...] = ()
        """The tests the focus is on (empty: the baseline's failing tests)."""

    def follow(self, hall: Iterable[Any]) -> list[str]:
        """Refocus on the best partial repair among ``hall`` (individuals with an ``observation``, best
        first: the engine's hall of fame), or back on the baseline; returns the tests the focus is on
        (empty: the baseline's failing tests)."""
        assert self.attention.senses is not None
        outcomes = next((o for o in (partial_outcomes(self.attention.senses.outcomes, ind.observation.tests)
                                     for ind in hall) if o is not None), None)
        failing = tuple(sorted(t for t, o in (outcomes or {}).items() if o in FAILING))
        if failing != self.failing:
            self.failing = failing
            self.pool.reweigh((self.attention if outcomes is None else self.attention.refocused(outcomes)).weight)
        return list(failing)
