"""The search room: how variants are bred and chosen.

The search loop (``engine.Engine``: evaluation, scoring, hall of fame,
budgets, records, checkpoints) and the strategies it runs
(``strategies.STRATEGIES``: the generational GA, islands, local search,
NSGA-II, random search). Budgets, homeostasis and operator credit assignment
live here too, one module each. Everything outside the room sees
plain patches and outcomes; DEAP's ``creator`` classes stay inside.
"""

from __future__ import annotations

from evolve.search.engine import Engine, EngineState, OperatorStats, SearchResult, SearchSettings

__all__ = ["Engine", "EngineState", "OperatorStats", "SearchResult", "SearchSettings"]
