"""Experiment configs: YAML in, a validated frozen ``Config`` out.

Validation happens once, at load, against a declared schema, so a typo in a
weekly config fails in the first second with one line naming the key rather
than an hour into a run. Paths in a config are relative to the config file's
folder. Command-line flags override values after loading, through
``with_overrides``, and are validated by the same rules.

The section dataclasses and bounds live in ``config_sections``, the typed
section reader in ``config_reader`` and one parser per section in
``config_parsers``; this module holds ``Config`` and the loading, and every
name of those modules that callers use can be imported from here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from evolve.config_parsers import (
    _benchmark,
    _principles,
    _promotion,
    _sandbox,
    _scheduler,
    _search,
    _target,
    _tests,
    _weights,
)
from evolve.config_reader import _choice, _Reader
from evolve.config_sections import (
    BACKENDS,
    DEFAULT_DISK_MB,
    MAX_COUNT,
    MAX_MEMORY_MB,
    MAX_POPULATION,
    MAX_SECONDS,
    MODES,
    SANDBOXES,
    IslandsConfig,
    PromotionConfig,
    SearchConfig,
    TargetConfig,
    TestsConfig,
)
from evolve.errors import ConfigError
from evolve.evaluation.benchmark import BenchmarkSpec
from fitness.aggregate import Weights
from fitness.principles import PrincipleSettings

__all__ = ["BACKENDS", "DEFAULT_DISK_MB", "MAX_COUNT", "MAX_MEMORY_MB", "MAX_POPULATION", "MAX_SECONDS", "MODES",
           "SANDBOXES", "Config", "ConfigError", "IslandsConfig", "PromotionConfig", "SearchConfig", "TargetConfig",
           "TestsConfig", "config_from_dict", "load_config"]


@dataclass(frozen=True)
class Config:
    """A whole experiment, validated."""

    experiment: str
    target: TargetConfig
    tests: TestsConfig = TestsConfig()
    benchmark: BenchmarkSpec | None = None
    mode: str = "improve"
    weights: Weights = field(default_factory=Weights)
    threshold: float = 0.1
    principles: PrincipleSettings = field(default_factory=PrincipleSettings)
    search: SearchConfig = SearchConfig()
    workers: int = 2
    backend: str = "loky"
    scheduler: str | None = None
    """dask only: ``local`` (a cluster on this machine) or a scheduler address ``tcp://host:port``."""
    sandbox: str = "auto"
    """``auto`` (bubblewrap where it can start, else the process level with a warning), ``bwrap``, ``process``."""
    disk_mb: int = DEFAULT_DISK_MB
    """What one variant may write in all (``sandbox: {level: auto, disk_mb: 1024}``)."""
    memory_mb: int = 2048
    run_dir: Path = Path(".evolve/runs")
    promotion: PromotionConfig = PromotionConfig()
    source: Path | None = None

    def to_yaml_dict(self) -> dict[str, Any]:
        """The config as used, for the run folder (plain YAML types)."""
        bench = None
        if self.benchmark is not None:
            bench = {self.benchmark.kind: self.benchmark.target, "repeats": self.benchmark.repeats,
                     "number": self.benchmark.number, "max_repeats": self.benchmark.max_repeats}
        return {
            "experiment": self.experiment,
            "mode": self.mode,
            "target": {
                "root": str(self.target.root),
                "files": list(self.target.files),
                "functions": [f"{f}::{q}" for f, qs in self.target.functions.items() for q in qs],
                "untested": list(self.target.untested),
            },
            "tests": {"paths": list(self.tests.paths), "args": list(self.tests.args),
                      "timeout": self.tests.timeout, "coverage": self.tests.coverage},
            "benchmark": bench,
            "fitness": {"weights": self.weights.as_dict(), "threshold": self.threshold},
            "principles": {"hard": list(self.principles.hard), "soft": list(self.principles.soft),
                           "protected": list(self.principles.protected),
                           "allowed_imports": list(self.principles.allowed_imports),
                           "complexity_ceiling": self.principles.complexity_ceiling},
            "search": {k: (list(v) if isinstance(v, tuple) else v)
                       for k, v in dataclasses.asdict(self.search).items()},
            "workers": self.workers,
            "backend": self.backend,
            "scheduler": self.scheduler,
            "sandbox": {"level": self.sandbox, "disk_mb": self.disk_mb},
            "memory_mb": self.memory_mb,
            "run_dir": str(self.run_dir),
            "promotion": {"auto_into": self.promotion.auto_into, "verify_repeats": self.promotion.verify_repeats},
        }

    def with_overrides(self, **overrides: Any) -> Config:
        """Apply command-line overrides (``None`` means "not given")."""
        search_keys = {f.name for f in dataclasses.fields(SearchConfig)}
        search = {k: v for k, v in overrides.items() if k in search_keys and v is not None}
        top = {k: v for k, v in overrides.items() if k not in search_keys and v is not None}
        data = self.to_yaml_dict()
        data["search"].update(search)
        for key, value in top.items():
            data[key] = str(value) if isinstance(value, Path) else value
        if top.get("backend", "dask") != "dask" and "scheduler" not in top:
            data["scheduler"] = None  # the config's scheduler went with its dask backend
        data["target"]["root"] = str(self.target.root)
        return _build(data, base=Path.cwd(), source=self.source, label="command line")


# ---------------------------------------------------------------- loading


def load_config(path: str | Path) -> Config:
    """Read and validate a YAML config file; every problem is a one-line ``ConfigError``."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {path} not found; pass an existing YAML file with --config")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}: YAML syntax error{where}: {problem}; fix the file and run again") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config ({exc}); check the file") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the config must be a YAML mapping of keys (experiment, target, tests, ...)")
    return _build(data, base=path.resolve().parent, source=path.resolve(), label=str(path))


def config_from_dict(data: Mapping[str, Any], base: Path, label: str = "config") -> Config:
    """Validate an in-memory config (paths relative to ``base``)."""
    return _build(dict(data), base=base, source=None, label=label)


_TOP = {"experiment", "mode", "target", "tests", "benchmark", "fitness", "principles", "search",
        "workers", "backend", "scheduler", "sandbox", "memory_mb", "run_dir", "promotion"}
_TARGET = {"root", "files", "functions", "untested"}
_TESTS = {"paths", "args", "timeout", "coverage"}
_BENCH = {"callable", "command", "pytest", "repeats", "number", "max_repeats"}
_FITNESS = {"weights", "threshold"}
_PRINCIPLES = {"hard", "soft", "protected", "allowed_imports", "complexity_ceiling"}
_PROMOTION = {"auto_into", "verify_repeats"}


def _build(data: dict[str, Any], base: Path, source: Path | None, label: str) -> Config:
    top = _Reader(data, "", label, _TOP)
    mode = top.get("mode", str, "improve")
    if mode not in MODES:
        raise top.fail("mode", f"must be one of {', '.join(MODES)}, got {mode!r}")
    target = _target(top.section("target", _TARGET), base)
    backend = _choice(top, "backend", BACKENDS, "loky")
    return Config(
        experiment=top.get("experiment", str, "experiment"),
        target=target,
        tests=_tests(top.section("tests", _TESTS), target.root),
        benchmark=_benchmark(top.section("benchmark", _BENCH)) if data.get("benchmark") else None,
        mode=mode,
        weights=_weights(top.section("fitness", _FITNESS)),
        threshold=top.section("fitness", _FITNESS).number("threshold", float, 0.1, 0.0),
        principles=_principles(top.section("principles", _PRINCIPLES)),
        search=_search(top),
        workers=top.number("workers", int, 2, 1, 256),
        backend=backend,
        scheduler=_scheduler(top, backend),
        sandbox=_sandbox(top)[0],
        disk_mb=_sandbox(top)[1],
        memory_mb=top.number("memory_mb", int, 2048, 64, cap=MAX_MEMORY_MB),
        run_dir=Path(top.get("run_dir", str, ".evolve/runs")),
        promotion=_promotion(top.section("promotion", _PROMOTION)),
        source=source,
    )
