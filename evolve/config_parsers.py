"""The config's section parsers: one function per section, from a ``_Reader`` to its value.

Each parser validates one section of the YAML (``target``, ``tests``,
``benchmark``, ``fitness.weights``, ``principles``, ``search`` with its
budget and islands, ``sandbox``, ``scheduler``, ``promotion``) and returns its
dataclass; ``config._build`` puts them together into a ``Config``. Paths are
made relative to the project root, and every problem is one ``ConfigError``.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from evolve.config_reader import _choice, _Reader
from evolve.config_sections import (
    DEFAULT_DISK_MB,
    MAX_COUNT,
    MAX_MEMORY_MB,
    MAX_POPULATION,
    MAX_SECONDS,
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
from fitness.principles import PRINCIPLES, PrincipleSettings


def _sandbox(top: _Reader) -> tuple[str, int]:
    """``sandbox: auto`` (a level), or ``sandbox: {level: auto, disk_mb: 1024}``."""
    if isinstance(top.data.get("sandbox"), dict):
        section = top.section("sandbox", {"level", "disk_mb"})
        return (_choice(section, "level", SANDBOXES, "auto"),
                section.number("disk_mb", int, DEFAULT_DISK_MB, 16, MAX_MEMORY_MB))
    return _choice(top, "sandbox", SANDBOXES, "auto"), DEFAULT_DISK_MB


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
