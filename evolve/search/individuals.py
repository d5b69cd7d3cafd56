"""Individuals of the search room: a patch with its observation and score, as DEAP sees it.

DEAP's ``creator`` classes are made here and stay inside the search room
(``evolve/search/``); everything outside sees plain patches, observations and
scores. ``fitness.values`` is what single-objective selection and the hall of
fame compare: ``(tier, value, -edits)`` (``fitness_key``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from deap import base, creator, tools

from fitness.aggregate import Score
from fitness.observation import Observation
from populations.patch import Patch

if not hasattr(creator, "EvolveFitness"):
    # (tier, value, -edits): ties between equal scores go to the patch with fewer edits.
    creator.create("EvolveFitness", base.Fitness, weights=(1.0, 1.0, 1.0))


class _Individual:
    """A patch with its observation and score; DEAP attaches ``fitness``."""

    def __init__(self, patch: Patch) -> None:
        self.patch = patch
        self.observation: Observation | None = None
        self.score: Score | None = None


if not hasattr(creator, "EvolveIndividual"):
    creator.create("EvolveIndividual", _Individual, fitness=creator.EvolveFitness)


@dataclass(frozen=True)
class Origin:
    """Where an offspring came from: its parents' patch keys and the variation that made it.

    Recorded for lineage (the report traces the best individual back to
    generation 0); it consumes no randomness, so runs stay reproducible.
    """

    parents: tuple[str, ...] = ()
    variation: str = "seed"


def individual(patch: Patch) -> Any:
    """A new, unscored individual of ``patch``."""
    return creator.EvolveIndividual(patch)


def clone(ind: Any) -> Any:
    """A new individual of the same patch carrying the same observation, score and fitness (no evaluation)."""
    twin = creator.EvolveIndividual(ind.patch)
    twin.observation, twin.score = ind.observation, ind.score
    twin.fitness.values = ind.fitness.values
    return twin


def fitness_key(score: Score, patch: Patch) -> tuple[float, float, float]:
    """What selection compares: the score's ``(tier, value)``, then fewer edits."""
    return (score.tier, score.value, -len(patch))


def same_patch(a: Any, b: Any) -> bool:
    """Hall-of-fame identity (a module function, so halls and fronts pickle into checkpoints)."""
    return bool(a.patch == b.patch)


def best_distinct(individuals: Sequence[Any], k: int) -> list[Any]:
    """The ``k`` best individuals with pairwise different patches (fewer when there are not that many)."""
    chosen: list[Any] = []
    seen: set[Patch] = set()
    for ind in tools.selBest(list(individuals), len(individuals)):
        if ind.patch not in seen:
            seen.add(ind.patch)
            chosen.append(ind)
            if len(chosen) == k:
                break
    return chosen


def origin_of(parents: Iterable[Any], variation: str) -> Origin:
    """The origin of an offspring bred from ``parents`` (individuals) by ``variation``."""
    return Origin(tuple(dict.fromkeys(p.patch.key for p in parents)), variation)
