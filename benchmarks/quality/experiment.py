"""The engine's experiment config for one case, seed and budget (the YAML format of README.md).

Population and generations are chosen so that population x generations is
about the evaluation budget (the engine's own "at most P x G evaluations";
an engine that evaluates a first generation and then only the non-elite
offspring makes a few more or fewer: the harness counts the lines of
evaluations.jsonl, not this plan).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from benchmarks.quality.cases import Case

MAX_POPULATION = 12
BENCHMARK_REPEATS = 5
VERIFY_REPEATS = 7  # the smallest the engine accepts: its post-run re-verification is not what is measured here


@dataclass(frozen=True)
class Budget:
    """Per case and seed: ``evaluations`` (engine evaluations, cached ones included), ``seconds`` of
    search, ``grace`` seconds more for the engine's start, baseline and wrap-up (the process is
    stopped after ``seconds + grace`` of wall time), ``workers`` for the engine."""

    evaluations: int
    seconds: float
    workers: int
    grace: float = 60.0
    algorithm: str | None = None
    """The engine's search strategy (``--algorithm``); None: the engine's default."""

    @property
    def wall_limit(self) -> float:
        return self.seconds + self.grace


def shape(evaluations: int) -> tuple[int, int]:
    """(population, generations) with population x generations close to ``evaluations``:
    population ``evaluations // 4`` within 4..MAX_POPULATION, at least one generation."""
    population = max(4, min(MAX_POPULATION, evaluations // 4))
    return population, max(1, round(evaluations / population))


def planned_evaluations(evaluations: int) -> int:
    """population x generations for a budget of ``evaluations`` (see :func:`shape`)."""
    population, generations = shape(evaluations)
    return population * generations


def command_name(case: Case) -> str:
    """The CLI sub-command: ``repair`` for repair cases, ``run`` (mode improve) for speed-ups."""
    return "repair" if case.is_repair else "run"


def config_for(case: Case, project: Path, seed: int, budget: Budget) -> dict[str, Any]:
    """The experiment config (as a dict) for ``case`` with its project copied at ``project``."""
    population, generations = shape(budget.evaluations)
    config: dict[str, Any] = {
        "experiment": case.id,
        "mode": "repair" if case.is_repair else "improve",
        "target": {"root": str(project), "files": list(case.files)},
        "tests": {"paths": ["tests"], "timeout": case.test_timeout},
        "search": {"population": population, "generations": generations, "seed": seed},
        "workers": budget.workers,
        "promotion": {"verify_repeats": VERIFY_REPEATS},
    }
    if case.functions:
        config["target"]["functions"] = list(case.functions)
    if case.speedup is not None:
        config["benchmark"] = {"callable": case.speedup.benchmark, "repeats": BENCHMARK_REPEATS, "number": 1}
    return config


def write_config(path: Path, config: dict[str, Any]) -> Path:
    """Write ``config`` as YAML to ``path`` and return ``path``."""
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path
