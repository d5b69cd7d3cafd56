"""Experiment configs: YAML in, a validated frozen ``Config`` out.

Validation happens once, at load, against a declared schema, so a typo in a
weekly config fails in the first second with one line naming the key rather
than an hour into a run. Paths in a config are relative to the config file's
folder. Command-line flags override values after loading, through
``with_overrides``, and are validated by the same rules.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from evolve.evaluation.benchmark import BenchmarkSpec
from evolve.errors import ConfigError
from fitness.aggregate import Weights
from fitness.principles import PRINCIPLES, PrincipleSettings

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


class _Reader:
    """Typed access to one section, with errors that name the full key."""

    def __init__(self, data: Any, prefix: str, label: str, allowed: set[str]) -> None:
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ConfigError(f"{label}: '{prefix}' must be a mapping, got {type(data).__name__}")
        unknown = sorted(set(data) - allowed)
        if unknown:
            key = f"{prefix}.{unknown[0]}" if prefix else unknown[0]
            raise ConfigError(f"{label}: unknown key '{key}'; allowed here: {', '.join(sorted(allowed))}")
        self.data, self.prefix, self.label = data, prefix, label

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def fail(self, name: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.label}: '{self.key(name)}' {problem}")

    def get(self, name: str, kind: type | tuple[type, ...], default: Any) -> Any:
        value = self.data.get(name, default)
        if value is None:
            return default
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, bool) and kind is not bool:
            raise self.fail(name, f"must be {_kind_name(kind)}, got a boolean")
        if not isinstance(value, kind):
            raise self.fail(name, f"must be {_kind_name(kind)}, got {type(value).__name__} {value!r}")
        return value

    def number(self, name: str, kind: type, default: Any, low: float, high: float | None = None,
               cap: float | None = None) -> Any:
        """A number in ``[low, high]``; ``cap`` is a sanity ceiling far above any sensible value."""
        value = self.get(name, kind, default)
        if value != value:  # NaN compares false with every bound
            raise self.fail(name, "must be a number, got nan")
        if cap is not None and value > cap:
            raise self.fail(name, f"must be at most {cap:,}, got {value:,}")
        if value < low or (high is not None and value > high):
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise self.fail(name, f"must be {bound}, got {value}")
        return value

    def strings(self, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self.data.get(name, default)
        if value is None:
            return default
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise self.fail(name, "must be a list of strings")
        return tuple(value)

    def section(self, name: str, allowed: set[str]) -> _Reader:
        return _Reader(self.data.get(name), self.key(name), self.label, allowed)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {int: "an integer", float: "a number", str: "a string", bool: "true or false",
             dict: "a mapping", list: "a list"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


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


def _sandbox(top: _Reader) -> tuple[str, int]:
    """``sandbox: auto`` (a level), or ``sandbox: {level: auto, disk_mb: 1024}``."""
    if isinstance(top.data.get("sandbox"), dict):
        section = top.section("sandbox", {"level", "disk_mb"})
        return (_choice(section, "level", SANDBOXES, "auto"),
                section.number("disk_mb", int, DEFAULT_DISK_MB, 16, MAX_MEMORY_MB))
    return _choice(top, "sandbox", SANDBOXES, "auto"), DEFAULT_DISK_MB


def _choice(reader: _Reader, name: str, choices: tuple[str, ...], default: str) -> str:
    value = reader.get(name, str, default)
    if value not in choices:
        raise reader.fail(name, f"must be one of {', '.join(choices)}, got {value!r}")
    return value


def _scheduler(top: _Reader, backend: str) -> str | None:
    """``local`` or ``tcp://host:port``, only with ``backend: dask`` (where ``local`` is the default)."""
    from evolve.evaluation.backends import SCHEDULER_LOCAL, scheduler_problem

    value = top.get("scheduler", str, None)
    if backend != "dask":
        if value is not None:
            raise top.fail("scheduler", f"is only used with backend: dask (backend is {backend}); "
                                        "set backend: dask (--backend dask) or remove scheduler")
        return None
    if value is None:
        value = SCHEDULER_LOCAL
    problem = scheduler_problem(value)
    if problem is not None:
        raise top.fail("scheduler", problem)
    return value


def _target(reader: _Reader, base: Path) -> TargetConfig:
    if "root" not in reader.data and "files" not in reader.data:
        raise ConfigError(f"{reader.label}: 'target' is missing; name the project with target.root and target.files")
    root = (base / reader.get("root", str, ".")).resolve()
    if not root.is_dir():
        raise reader.fail("root", f"folder {root} does not exist; point target.root at your project")
    given = reader.strings("files", ())
    if not given:
        raise reader.fail("files", "must name at least one Python file that may change")
    files = tuple(_project_path(reader, "files", root, file) for file in given)
    for file, spelled in zip(files, given):
        if files.count(file) > 1:
            twice = " and ".join(repr(g) for g, f in zip(given, files) if f == file)
            raise reader.fail("files", f"lists {file} more than once ({twice}); name each file once")
        if not (root / file).is_file():
            raise reader.fail("files", f"names {spelled}, which is not a file under {root}")
        if not file.endswith(".py"):
            raise reader.fail("files", f"names {spelled}; only .py files can be evolved")
    functions: dict[str, list[str]] = {}
    for spec in reader.strings("functions", ()):
        file, sep, qualname = spec.partition("::")
        if not sep or not qualname:
            raise reader.fail("functions", f"entry {spec!r} must look like 'path/to/file.py::function'")
        file = _project_path(reader, "functions", root, file)
        if file not in files:
            raise reader.fail("functions", f"entry {spec!r} names a file that is not in target.files")
        functions.setdefault(file, []).append(qualname)
    untested = tuple(_project_path(reader, "untested", root, file) for file in reader.strings("untested", ()))
    for file, spelled in zip(untested, reader.strings("untested", ())):
        if file not in files:
            raise reader.fail("untested", f"names {spelled}, which is not in target.files")
    return TargetConfig(root=root, files=files, functions={f: tuple(q) for f, q in functions.items()},
                        untested=untested)


def _project_path(reader: _Reader, name: str, root: Path, path: str) -> str:
    """``path`` as one spelling relative to ``root`` (``./pkg/a.py``, ``pkg//a.py`` and an absolute path
    inside the project all become ``pkg/a.py``); a path outside the project is an error."""
    full = Path(os.path.normpath(root / path))
    if not full.is_relative_to(root):
        raise reader.fail(name, f"names {path}, which is outside the project {root}; "
                                "name files relative to target.root")
    return full.relative_to(root).as_posix()


def _tests(reader: _Reader, root: Path) -> TestsConfig:
    paths = reader.strings("paths", ("tests",))
    for path in paths:
        if not (root / path.split("::")[0]).exists():
            raise reader.fail("paths", f"names {path}, which does not exist under {root}; "
                                       "point tests.paths at your pytest tests")
    return TestsConfig(
        paths=paths,
        args=reader.strings("args", ()),
        timeout=reader.number("timeout", float, 60.0, 0.1, cap=MAX_SECONDS),
        coverage=reader.get("coverage", bool, True),
    )


def _benchmark(reader: _Reader) -> BenchmarkSpec:
    kinds = [k for k in ("callable", "command", "pytest") if k in reader.data]
    if len(kinds) != 1:
        raise ConfigError(f"{reader.label}: 'benchmark' needs exactly one of callable, command or pytest")
    kind = kinds[0]
    target = reader.get(kind, str, "")
    if kind == "callable" and (":" not in target or target.startswith(":") or target.endswith(":")):
        raise reader.fail(kind, f"must look like 'package.module:function', got {target!r}")
    repeats = reader.number("repeats", int, 5, 1, 1000)
    return BenchmarkSpec(kind=kind, target=target, repeats=repeats,
                         number=reader.number("number", int, 1, 1, 1_000_000),
                         max_repeats=reader.number("max_repeats", int, max(20, repeats), repeats, 10_000))


def _weights(reader: _Reader) -> Weights:
    raw = reader.get("weights", dict, None)
    if raw is None:
        return Weights()
    try:
        return Weights.from_mapping(raw)
    except (ValueError, TypeError) as exc:
        raise reader.fail("weights", f"are invalid: {exc}") from None


def _principles(reader: _Reader) -> PrincipleSettings:
    defaults = PrincipleSettings()
    hard = reader.strings("hard", defaults.hard)
    soft = reader.strings("soft", defaults.soft)
    for name in (*hard, *soft):
        if name not in PRINCIPLES:
            raise reader.fail("hard" if name in hard else "soft",
                              f"names unknown principle {name!r}; known: {', '.join(sorted(PRINCIPLES))}")
    return PrincipleSettings(
        hard=hard, soft=soft,
        protected=reader.strings("protected", ()),
        allowed_imports=reader.strings("allowed_imports", ()),
        complexity_ceiling=reader.number("complexity_ceiling", int, defaults.complexity_ceiling, 1, cap=10_000),
    )


def _search(top: _Reader) -> SearchConfig:
    reader = top.section("search", {f.name for f in dataclasses.fields(SearchConfig)} | {"budget"})
    d = SearchConfig()
    operators = reader.strings("operators", ()) or None
    if operators:
        from mutations.registry import OPERATORS

        for name in operators:
            if name not in OPERATORS:
                raise reader.fail("operators", f"names unknown operator {name!r}; known: {', '.join(sorted(OPERATORS))}")
    population = reader.number("population", int, d.population, 2, cap=MAX_POPULATION)
    budget = reader.section("budget", {"evaluations", "seconds"}) if reader.data.get("budget") else None
    max_evaluations = reader.get("max_evaluations", int, None)
    max_seconds = reader.get("max_seconds", (int, float), None)
    if budget is not None:
        max_evaluations = budget.get("evaluations", int, max_evaluations)
        max_seconds = budget.get("seconds", (int, float), max_seconds)
    if max_evaluations is not None and max_evaluations < 1:
        raise reader.fail("budget", f"evaluations must be at least 1, got {max_evaluations}")
    if max_seconds is not None and not 0 < max_seconds < MAX_COUNT:
        raise reader.fail("budget", f"seconds must be a positive number, got {max_seconds}")
    algorithm, islands = _algorithm(reader, population)
    return SearchConfig(
        algorithm=algorithm,
        islands=islands,
        tabu=reader.number("tabu", int, d.tabu, 0, cap=MAX_POPULATION),
        max_evaluations=max_evaluations,
        max_seconds=None if max_seconds is None else float(max_seconds),
        patience=reader.number("patience", int, d.patience, 0, MAX_COUNT),
        memory=reader.get("memory", bool, d.memory),
        population=population,
        generations=reader.number("generations", int, d.generations, 1, cap=MAX_COUNT),
        survivors=reader.number("survivors", float, d.survivors, 0.01, 1.0),
        elites=reader.number("elites", int, min(d.elites, population - 1), 0, population - 1),
        crossover=reader.number("crossover", float, d.crossover, 0.0, 1.0),
        mutation=reader.number("mutation", float, d.mutation, 0.0, 1.0),
        max_edits=reader.number("max_edits", int, d.max_edits, 1, 100),
        tournament=reader.number("tournament", int, d.tournament, 1, cap=MAX_POPULATION),
        seed=reader.number("seed", int, d.seed, -MAX_COUNT, cap=MAX_COUNT),
        operators=operators,
    )


def _algorithm(reader: _Reader, population: int) -> tuple[str, IslandsConfig]:
    """``search.algorithm`` (a name in the strategies registry) and ``search.islands`` (checked for islands)."""
    from evolve.search.strategies import STRATEGIES

    algorithm = reader.get("algorithm", str, SearchConfig.algorithm)
    if algorithm not in STRATEGIES:
        raise reader.fail("algorithm", f"names unknown search algorithm {algorithm!r}; known: {', '.join(STRATEGIES)}")
    section = reader.section("islands", {f.name for f in dataclasses.fields(IslandsConfig)})
    d = IslandsConfig()
    count = section.number("count", int, d.count, 2, cap=MAX_POPULATION)
    islands = IslandsConfig(count=count,
                            migration_interval=section.number("migration_interval", int, d.migration_interval, 1,
                                                              cap=MAX_COUNT),
                            migrants=section.number("migrants", int, d.migrants, 1, cap=MAX_POPULATION))
    if algorithm == "islands":
        if population < 2 * count:
            raise reader.fail("population", f"must be at least 2 per island ({2 * count} for {count} islands), "
                                            f"got {population}")
        if islands.migrants >= population // count:
            raise section.fail("migrants", f"must be below the island size ({population // count}: the population "
                                           f"{population} shared by {count} islands), got {islands.migrants}")
    return algorithm, islands


_BRANCH_FORBIDDEN = (" ", "~", "^", ":", "?", "*", "[", "\\", "..", "@{", "//")


def _promotion(reader: _Reader) -> PromotionConfig:
    """``auto_into`` must look like a git branch name (git itself has the last word at promotion)."""
    into = reader.get("auto_into", str, None)
    if into is not None and (not into or into.startswith(("-", "/", ".")) or into.endswith(("/", ".", ".lock"))
                             or any(bad in into for bad in _BRANCH_FORBIDDEN)):
        raise reader.fail("auto_into", f"must be a branch name such as main, got {into!r}")
    return PromotionConfig(auto_into=into,
                           verify_repeats=reader.number("verify_repeats", int, PromotionConfig.verify_repeats, 7, 1000))
