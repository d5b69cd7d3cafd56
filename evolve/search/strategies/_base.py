"""The strategy contract: what differs between search algorithms, and nothing more.

The engine (``evolve.search.engine.Engine``) owns the loop every strategy
shares: evaluation through the evaluator and its backend, scoring, the hall of
fame, budgets and stop rules, re-measuring kept individuals, the generation
record, checkpoints and SIGTERM. A strategy answers only the questions in
between, as small hooks (pymoo's algorithm/``_next`` split):

- ``first``: the individuals of generation 0;
- ``next``: the individuals of the next generation, from the scored current
  one (an individual that already has a score is kept as it is, never
  evaluated again; the others are evaluated in one batch);
- ``evaluated``: what it learns once a generation is scored (credit
  assignment, homeostasis, an accepted move, an archive);
- ``statistics``: extra keys for the generation's record;
- ``state`` / ``restore``: what it adds to the checkpoint;
- ``best`` / ``summary``: the run's best individual and extra summary keys.

All randomness comes from ``engine.rng``; a strategy draws nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from evolve.search.credit import AdaptivePursuit
from evolve.search.homeostasis import Controls
from evolve.search.individuals import individual
from populations.patch import Patch

if TYPE_CHECKING:
    from evolve.search.engine import Engine

DUPLICATE_RETRIES = 4
"""Offspring drawn per slot, at most, before a duplicate patch is let into a generation."""


class Strategy:
    """One search algorithm: a class with a ``name`` and one line in ``STRATEGIES``."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ------------------------------------------------------------ hooks

    def first(self, seeds: Sequence[Patch] | None) -> list[Any]:
        """Generation 0: the given patches, else ``population`` single-edit patches."""
        patches = list(seeds) if seeds else self.seed_patches(self.engine.settings.population)
        return [individual(p) for p in patches]

    def next(self, population: list[Any], gen: int) -> list[Any]:
        """Generation ``gen`` from the scored generation before it."""
        raise NotImplementedError

    def evaluated(self, population: list[Any], gen: int) -> None:
        """Generation ``gen`` is scored (not yet recorded): adapt, accept, archive."""

    def remeasured(self, kept: list[Any]) -> list[Any]:
        """Which kept individuals get more benchmark rounds this generation (all, by default)."""
        return kept

    def statistics(self, population: list[Any]) -> dict[str, Any]:
        """Extra keys for this generation's record (``generations.jsonl``)."""
        return {}

    def operator_weights(self) -> dict[str, float]:
        """The operator probabilities to record and remember for the next run."""
        return dict(self.engine.credit.probabilities)

    def best(self) -> Any | None:
        """The run's best individual (what is minimised, verified and promoted): the hall of fame's first."""
        return self.engine.hall[0] if self.engine.hall else None

    def summary(self) -> dict[str, Any]:
        """Extra keys for ``summary.json``."""
        return {}

    def state(self) -> Any:
        """What this strategy adds to the checkpoint (pickled)."""
        return None

    def restore(self, state: Any) -> None:
        """Continue from ``state()`` of a checkpoint."""

    # ------------------------------------------------------------ shared helpers

    def seed_patches(self, count: int) -> list[Patch]:
        """``count`` single-edit patches drawn from the pool (empty where the pool has nothing)."""
        patches: list[Patch] = []
        for _ in range(count):
            edit = self.engine.pool.random_edit(self.engine.rng)
            patches.append(Patch((edit,)) if edit is not None else Patch())
        return patches

    def adapt(self, population: Sequence[Any], credit: AdaptivePursuit, controls: Controls) -> dict[str, Any] | None:
        """Credit assignment (``credit`` pursues its best operator, the pool draws by it) and homeostasis
        (``controls`` kept in the diversity band); returns the correction made, if any."""
        engine = self.engine
        credit.adapt()
        engine.pool.weights = dict(credit.probabilities)
        set_point = Controls(engine.settings.mutation, engine.settings.tournament)
        return engine.band.correct([ind.patch.key for ind in population], [ind.score.value for ind in population],
                                   controls, set_point)
