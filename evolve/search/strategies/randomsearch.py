"""``random``: random search, the baseline every genetic-improvement paper reports.

Every generation is ``search.population`` fresh random patches of 1 to
``search.max_edits`` edits each, drawn from the pool as mutation draws them
(site weights from attention, operator weights as the run started: nothing
adapts). Nothing is selected or kept; the hall of fame remembers the best, and
the run's end re-measures it as for every strategy. No patch enters a
generation twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evolve.search.individuals import Origin, individual
from evolve.search.strategies._base import DUPLICATE_RETRIES, Strategy
from populations.patch import Patch
from populations.variation import grow


class RandomSearch(Strategy):
    name = "random"
    description = "random search: fresh random patches of 1..max_edits edits every generation"

    def first(self, seeds: Sequence[Patch] | None) -> list[Any]:
        return super().first(seeds) if seeds else self._fresh()

    def next(self, population: list[Any], gen: int) -> list[Any]:
        return self._fresh()

    def _fresh(self) -> list[Any]:
        engine, size = self.engine, self.engine.settings.population
        seen: set[Patch] = set()
        fresh: list[Any] = []
        for _ in range(DUPLICATE_RETRIES * size):
            if len(fresh) == size:
                break
            patch = self.random_patch(engine.rng.randint(1, engine.settings.max_edits))
            if patch.edits and patch not in seen:
                seen.add(patch)
                fresh.append(individual(patch))
                engine.note_origin(patch, Origin((), "random"))
        return fresh

    def random_patch(self, edits: int) -> Patch:
        """A patch of up to ``edits`` distinct edits drawn from the pool."""
        patch = Patch()
        for _ in range(edits):
            patch = grow(patch, self.engine.pool, self.engine.rng)
        return patch
