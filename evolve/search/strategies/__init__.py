"""Search strategies: one module each, one line each in ``STRATEGIES``.

A strategy says how the first population is made and how the next one is made
from the scored current one (``_base.Strategy``); the loop they share is
``evolve.search.engine.Engine``. ``search.algorithm`` in the config names one.
"""

from __future__ import annotations

from evolve.search.strategies._base import Strategy
from evolve.search.strategies.ga import Generational
from evolve.search.strategies.islands import Islands
from evolve.search.strategies.local import LocalSearch
from evolve.search.strategies.nsga2 import NSGA2
from evolve.search.strategies.randomsearch import RandomSearch

STRATEGIES: dict[str, type[Strategy]] = {
    Generational.name: Generational,
    Islands.name: Islands,
    LocalSearch.name: LocalSearch,
    NSGA2.name: NSGA2,
    RandomSearch.name: RandomSearch,
}

__all__ = ["NSGA2", "STRATEGIES", "Generational", "Islands", "LocalSearch", "RandomSearch", "Strategy"]
