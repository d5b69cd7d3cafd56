"""Corpus cases: ``case.toml`` loaded into a frozen, validated :class:`Case`.

The layout is defined in ``benchmarks/corpus/README.md``. Loading never imports
anything from the case: ``oracle.py`` is only parsed (to see that it defines
``inputs``), the project only listed.
"""

from __future__ import annotations

import ast
import fnmatch
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "cases"

REPAIR_KINDS = frozenset({
    "comparison_operator", "arithmetic_operator", "operand_swap", "off_by_one", "replace_name",
    "constant_to_name", "condition_clause", "wrap_unwrap_call", "copy_expression", "insert_guard",
    "insert_statement", "two_edits",
})
SPEEDUP_KINDS = frozenset({
    "exponential_recursion", "nested_recursion", "pop0_queue", "list_membership", "str_concat",
    "loop_invariant_call", "invariant_receiver_method", "excess_iterations", "stdlib_equivalent",
    "slower_twin", "redundant_sort", "dead_computation", "attribute_lookup", "control",
})

_REQUIRED = ("kind", "fix_kind", "description", "files", "entry", "test_timeout", "call_timeout",
             "baseline_hangs", "edits")
_OPTIONAL = ("functions", "speedup")
_SPEEDUP_REQUIRED = ("benchmark", "min_ratio", "control")
_CASE_ID = re.compile(r"^(?P<letter>[rs])(?P<number>\d\d)_[a-z0-9_]+$")
_CALLABLE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


class CaseError(ValueError):
    """A case folder that does not follow the corpus layout; the message lists every problem."""


@dataclass(frozen=True)
class Speedup:
    """The ``[speedup]`` table: ``benchmark`` is ``module:callable`` (no arguments),
    ``min_ratio`` the baseline/variant CPU ratio that counts as found, ``control``
    true for the hard controls."""

    benchmark: str
    min_ratio: float
    control: bool


@dataclass(frozen=True)
class Case:
    """One validated corpus case.

    ``root`` is the case folder; ``files`` and ``functions`` are relative to
    ``root/project``; ``entry`` are ``module:function`` names; timeouts are in
    seconds; ``packages`` are the project's top-level packages (not ``tests``).
    """

    id: str
    root: Path
    kind: str
    fix_kind: str
    description: str
    files: tuple[str, ...]
    functions: tuple[str, ...]
    entry: tuple[str, ...]
    test_timeout: float
    call_timeout: float
    baseline_hangs: bool
    edits: int
    packages: tuple[str, ...]
    speedup: Speedup | None

    @property
    def project(self) -> Path:
        return self.root / "project"

    @property
    def known(self) -> Path:
        return self.root / "known"

    @property
    def oracle(self) -> Path:
        return self.root / "oracle.py"

    @property
    def is_repair(self) -> bool:
        return self.kind == "repair"

    @property
    def is_control(self) -> bool:
        return self.speedup is not None and self.speedup.control

    @property
    def group(self) -> str:
        """The reporting group: ``repair``, ``speedup`` or ``control``."""
        return "control" if self.is_control else self.kind

    def known_files(self) -> tuple[str, ...]:
        """Files under ``known/``, relative to it, sorted (``__pycache__`` left out)."""
        return tuple(sorted(
            p.relative_to(self.known).as_posix() for p in self.known.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        ))


def discover(corpus: Path = CORPUS, pattern: str = "*") -> list[Path]:
    """Case folders (those holding a ``case.toml``) under ``corpus`` whose name matches
    the glob ``pattern`` (several patterns may be given comma-separated), sorted by name."""
    if not corpus.is_dir():
        return []
    patterns = [p.strip() for p in pattern.split(",") if p.strip()] or ["*"]
    return sorted(
        d for d in corpus.iterdir()
        if d.is_dir() and (d / "case.toml").is_file() and any(fnmatch.fnmatch(d.name, p) for p in patterns)
    )


def load_case(folder: Path) -> Case:
    """Load and validate ``folder/case.toml`` against the folder's contents.

    Raises :class:`CaseError` listing every problem found (not only the first).
    """
    try:
        data = tomllib.loads((folder / "case.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CaseError(f"case.toml: {exc}") from exc
    problems = _check_keys(data) + _check_types(data)
    if problems:
        raise CaseError("; ".join(problems))
    case = _build(folder, data)
    problems = _check_id(case) + _check_kinds(case) + _check_files(case)
    if problems:
        raise CaseError("; ".join(problems))
    return case


def package_clashes(cases: Iterable[Case]) -> dict[str, list[str]]:
    """Package names claimed by more than one case: name -> case ids (empty when all unique)."""
    owners: dict[str, list[str]] = {}
    for case in cases:
        for package in case.packages:
            owners.setdefault(package, []).append(case.id)
    return {name: ids for name, ids in owners.items() if len(ids) > 1}


def _check_keys(data: Mapping[str, Any]) -> list[str]:
    problems = [f"missing key {key!r}" for key in _REQUIRED if key not in data]
    problems += [f"unknown key {key!r}" for key in data if key not in _REQUIRED + _OPTIONAL]
    speedup = data.get("speedup")
    if data.get("kind") == "speedup":
        if not isinstance(speedup, dict):
            problems.append("a speed-up case needs a [speedup] table")
        else:
            problems += [f"missing key 'speedup.{k}'" for k in _SPEEDUP_REQUIRED if k not in speedup]
            problems += [f"unknown key 'speedup.{k}'" for k in speedup if k not in _SPEEDUP_REQUIRED]
    elif speedup is not None:
        problems.append("[speedup] given for a case whose kind is not 'speedup'")
    return problems


def _check_types(data: Mapping[str, Any]) -> list[str]:
    expected: dict[str, tuple[type, ...]] = {
        "kind": (str,), "fix_kind": (str,), "description": (str,), "files": (list,), "functions": (list,),
        "entry": (list,), "test_timeout": (int, float), "call_timeout": (int, float),
        "baseline_hangs": (bool,), "edits": (int,),
    }
    problems = [f"{key!r} must be {' or '.join(t.__name__ for t in types)}"
                for key, types in expected.items() if key in data and not _is(data[key], types)]
    for key in ("files", "functions", "entry"):
        if isinstance(data.get(key), list) and not all(isinstance(x, str) for x in data[key]):
            problems.append(f"{key!r} must be a list of strings")
    for key in ("test_timeout", "call_timeout", "edits"):
        if isinstance(data.get(key), (int, float)) and not isinstance(data[key], bool) and data[key] <= 0:
            problems.append(f"{key!r} must be positive")
    speedup = data.get("speedup")
    if isinstance(speedup, dict):
        if not isinstance(speedup.get("benchmark", ""), str):
            problems.append("'speedup.benchmark' must be a string")
        ratio = speedup.get("min_ratio", 2.0)
        if not isinstance(ratio, (int, float)) or isinstance(ratio, bool) or ratio <= 1:
            problems.append("'speedup.min_ratio' must be a number above 1")
        if not isinstance(speedup.get("control", False), bool):
            problems.append("'speedup.control' must be true or false")
    return problems


def _is(value: Any, types: tuple[type, ...]) -> bool:
    """isinstance, except that a bool is not accepted as a number (TOML ``true`` is no timeout)."""
    return isinstance(value, types) and (isinstance(value, bool) == (bool in types))


def _build(folder: Path, data: Mapping[str, Any]) -> Case:
    raw = data.get("speedup")
    speedup = (Speedup(raw["benchmark"], float(raw["min_ratio"]), raw["control"])
               if isinstance(raw, dict) else None)
    project = folder / "project"
    packages = tuple(sorted(
        d.name for d in project.iterdir()
        if d.is_dir() and d.name != "tests" and (d / "__init__.py").is_file()
    )) if project.is_dir() else ()
    return Case(
        id=folder.name, root=folder, kind=data["kind"], fix_kind=data["fix_kind"],
        description=data["description"], files=tuple(data["files"]), functions=tuple(data.get("functions", [])),
        entry=tuple(data["entry"]), test_timeout=float(data["test_timeout"]),
        call_timeout=float(data["call_timeout"]), baseline_hangs=data["baseline_hangs"], edits=data["edits"],
        packages=packages, speedup=speedup,
    )


def _check_id(case: Case) -> list[str]:
    match = _CASE_ID.match(case.id)
    if match is None:
        return [f"case id {case.id!r} is not r<NN>_<name> or s<NN>_<name>"]
    letter = "r" if case.is_repair else "s"
    return [] if match["letter"] == letter else [f"case id {case.id!r} does not start with {letter!r} for kind {case.kind!r}"]


def _check_kinds(case: Case) -> list[str]:
    if case.kind not in ("repair", "speedup"):
        return [f"unknown kind {case.kind!r} (repair or speedup)"]
    kinds = REPAIR_KINDS if case.is_repair else SPEEDUP_KINDS
    problems = [] if case.fix_kind in kinds else [f"unknown fix_kind {case.fix_kind!r} for a {case.kind} case"]
    if case.speedup is not None:
        if (case.fix_kind == "control") != case.speedup.control:
            problems.append("speedup.control must be true exactly when fix_kind is 'control'")
        if not _CALLABLE.match(case.speedup.benchmark):
            problems.append(f"speedup.benchmark {case.speedup.benchmark!r} is not module:callable")
    return problems


def _check_files(case: Case) -> list[str]:
    problems = [f"missing {name}" for name in ("project", "project/tests", "known", "oracle.py")
                if not (case.root / name).exists()]
    if problems:
        return problems
    if not case.files:
        problems.append("'files' is empty")
    problems += [f"target file {f!r} not in project/" for f in case.files if not (case.project / f).is_file()]
    problems += _check_functions(case) + _check_entries(case)
    known = case.known_files()
    if not known:
        problems.append("known/ holds no file")
    problems += [f"known/{f} is not one of the target files" for f in known if f not in case.files]
    problems += _check_oracle(case.oracle)
    if not case.packages:
        problems.append("project/ holds no package (a folder with __init__.py besides tests/)")
    return problems


def _check_functions(case: Case) -> list[str]:
    problems = []
    for spec in case.functions:
        file, sep, name = spec.partition("::")
        if not sep or not name:
            problems.append(f"function {spec!r} is not 'file::name'")
        elif file not in case.files:
            problems.append(f"function {spec!r} is not in a target file")
    return problems


def _check_entries(case: Case) -> list[str]:
    problems = [] if case.entry else ["'entry' is empty"]
    names = list(case.entry) + ([case.speedup.benchmark] if case.speedup else [])
    for name in names:
        if not _CALLABLE.match(name):
            problems.append(f"{name!r} is not module:callable")
            continue
        module = name.split(":")[0].replace(".", "/")
        if not ((case.project / f"{module}.py").is_file() or (case.project / module / "__init__.py").is_file()):
            problems.append(f"module of {name!r} not found in project/")
        elif module.split("/")[0] not in case.packages:
            problems.append(f"{name!r} is outside the project's packages {list(case.packages)}")
    return problems


def _check_oracle(path: Path) -> list[str]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, UnicodeDecodeError) as exc:
        return [f"oracle.py does not parse: {exc}"]
    defines = any(isinstance(node, ast.FunctionDef) and node.name == "inputs" for node in tree.body)
    return [] if defines else ["oracle.py defines no top-level inputs(rng, n)"]
