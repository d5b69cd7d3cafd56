"""The search room: how variants are bred and chosen.

Today the generational loop (``engine.Engine``: DEAP's selection, variation
and elitism over patches). Strategies, budgets, homeostasis and operator credit
assignment live here too, one module each. Everything outside the room sees
plain patches and outcomes; DEAP's ``creator`` classes stay inside.
"""

from __future__ import annotations

from evolve.search.engine import Engine, EngineState, OperatorStats, SearchResult, SearchSettings

__all__ = ["Engine", "EngineState", "OperatorStats", "SearchResult", "SearchSettings"]
