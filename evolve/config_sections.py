"""The config's sections: one frozen dataclass per section of an experiment config, and the bounds.

``TargetConfig`` (what may change), ``TestsConfig`` (how the tests run),
``SearchConfig`` with its ``IslandsConfig`` (the search), ``PromotionConfig``
(what happens to a survivor), the choices a few keys allow (``MODES``,
``BACKENDS``, ``SANDBOXES``) and the sanity ceilings every number is held to.
Only the values live here; ``config_parsers`` reads them from YAML and
``config.Config`` holds them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

MODES = ("improve", "repair")
# Upper bounds: a huge number must be one clear line, not an overflow deep in the run (SQLite integers,
# resource limits) or a population that fills the memory. Every bound is far above any sensible value.
MAX_COUNT = 10**15
MAX_POPULATION = 100_000
MAX_MEMORY_MB = 1 << 20
MAX_SECONDS = 10**6
BACKENDS = ("loky", "serial", "dask")
SANDBOXES = ("auto", "process", "bwrap")
DEFAULT_DISK_MB = 1024


@dataclass(frozen=True)
class TargetConfig:
    """What may change: files under ``root``, optionally only some functions."""

    root: Path
    files: tuple[str, ...]
    functions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    untested: tuple[str, ...] = ()
    """Target files whose code no test runs may still be edited (by default such code is left alone)."""


@dataclass(frozen=True)
class TestsConfig:
    """How the project's pytest suite is run for every variant."""

    __test__ = False  # not a pytest test class

    paths: tuple[str, ...] = ("tests",)
    args: tuple[str, ...] = ()
    timeout: float = 60.0
    coverage: bool = True


@dataclass(frozen=True)
class IslandsConfig:
    """``search.islands``: the island model's shape (``search.algorithm: islands``)."""

    count: int = 4
    """Islands; ``search.population`` is shared out among them."""
    migration_interval: int = 5
    """Generations between two ring migrations."""
    migrants: int = 1
    """Best distinct patches each island sends to the next at a migration."""


@dataclass(frozen=True)
class SearchConfig:
    """The search: its algorithm, sizes, rates and the seed."""

    population: int = 16
    generations: int = 50
    survivors: float = 0.2
    elites: int = 2
    crossover: float = 0.5
    mutation: float = 0.9
    max_edits: int = 4
    tournament: int = 3
    seed: int = 0
    operators: tuple[str, ...] | None = None
    max_evaluations: int | None = None
    """Budget: stop after this many evaluations (YAML ``budget: {evaluations: N}``, ``--max-evaluations``)."""
    max_seconds: float | None = None
    """Budget: stop after this many seconds of search (YAML ``budget: {seconds: S}``, ``--max-seconds``)."""
    patience: int = 10
    """Improve mode: stop after this many generations without a better best (0: never stop early)."""
    memory: bool = True
    """Start from the operator weights the last run on this project ended with (kept in the run history).
    With it, the same seed and config also depend on that history; turn it off for a run that must repeat."""
    algorithm: str = "ga"
    """The search strategy (``evolve.search.strategies.STRATEGIES``): ga, islands, local, nsga2, random."""
    islands: IslandsConfig = IslandsConfig()
    tabu: int = 0
    """``local``: how many recently visited patches are not proposed again (0: no tabu list)."""


@dataclass(frozen=True)
class PromotionConfig:
    """What happens to a survivor after the run: re-measured how carefully, promoted where by itself."""

    auto_into: str | None = None
    """A branch to promote into at the end of the run when every promotion rule holds (unattended runs)."""
    verify_repeats: int = 15
    """Interleaved benchmark rounds when a survivor is re-measured on a clean checkout; at least 7,
    the fewest with which a sign test can tell a speed-up from noise at the 1 % level."""
