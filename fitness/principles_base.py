"""What every principle is built on: its settings, the parsed sides it compares, and its base class.

``PrincipleSettings`` (which principles are hard or soft, and their knobs),
``parse`` (a source's tree, cached and shared), ``Modules`` (one side's target
files and why those that do not parse do not), the helpers that pair the
baseline's files with the variant's and name their definitions, and
``Principle``, the base class whose ``check`` guards every rule so that a
failure comes back as a violation, never as an exception. The rules
themselves are in ``principles_rules``.
"""

from __future__ import annotations

import ast
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import ClassVar

Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
Grouped = Mapping[str, tuple[str, ...]]
#: Distinct file texts whose facts (imports, signatures, docstrings...) are
#: kept: every check of every variant re-reads the unchanged files and the
#: baseline. Trees are large, so only a few are kept, long enough for every
#: check to read a new text once.
CACHED_SOURCES = 512
CACHED_TREES = 32


@dataclass(frozen=True)
class PrincipleSettings:
    """Which principles are gates (hard) and which only cost fitness (soft), and their knobs."""

    hard: tuple[str, ...] = ("no_eval_exec", "protected_names", "public_signatures", "import_allowlist",
                             "bodies_kept")
    soft: tuple[str, ...] = ("docstrings_kept", "complexity_ceiling")
    protected: tuple[str, ...] = ()
    allowed_imports: tuple[str, ...] = ()
    complexity_ceiling: int = 15


@lru_cache(maxsize=CACHED_TREES)
def parse(source: str) -> ast.Module:
    """The source's tree, shared between callers: read it, never change it."""
    return ast.parse(source)


@lru_cache(maxsize=CACHED_SOURCES)
def _parse_error(source: str) -> str | None:
    try:
        parse(source)
    except Exception as exc:  # SyntaxError, ValueError (NUL), RecursionError, MemoryError
        return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return None


@dataclass(frozen=True)
class Modules:
    """One side's target files, and why those that do not parse do not."""

    sources: Mapping[str, str]
    errors: Mapping[str, str]

    @classmethod
    def read(cls, sources: Mapping[str, str]) -> Modules:
        errors = {file: why for file, source in sources.items() if (why := _parse_error(source)) is not None}
        return cls(sources=dict(sources), errors=errors)

    @property
    def parsed(self) -> dict[str, str]:
        """The files that parse, by name."""
        return {file: source for file, source in self.sources.items() if file not in self.errors}


def _pairs(variant: Modules, baseline: Modules) -> Iterator[tuple[str, str, str | None]]:
    """(file, baseline source, variant source or None if the file is gone); unparsable variants skipped."""
    for file, source in baseline.parsed.items():
        if file not in variant.errors:
            yield file, source, variant.sources.get(file)


def _definitions(node: ast.AST, prefix: str = "") -> Iterator[tuple[str, Definition]]:
    """Every function and class under ``node``, with its dotted name (``Class.method.inner``)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, Definition):
            name = prefix + child.name
            yield name, child
            yield from _definitions(child, name + ".")
        else:
            yield from _definitions(child, prefix)


def _group(definitions: Iterable[tuple[str, Definition]], render: Callable[[Definition], str]) -> Grouped:
    """Rendered text of each definition by dotted name, sorted (a name may be defined twice)."""
    out: dict[str, list[str]] = {}
    for name, node in definitions:
        out.setdefault(name, []).append(render(node))
    return MappingProxyType({name: tuple(sorted(texts)) for name, texts in out.items()})


class Principle(ABC):
    """One rule. ``check`` parses and guards; a principle writes only ``_check``."""

    name: ClassVar[str]
    description: ClassVar[str]

    def check(self, variant_sources: Mapping[str, str], baseline_sources: Mapping[str, str],
              settings: PrincipleSettings) -> list[str]:
        """Violations in plain words; an empty list means the principle is kept."""
        return self.check_modules(Modules.read(variant_sources), Modules.read(baseline_sources), settings)

    def check_modules(self, variant: Modules, baseline: Modules, settings: PrincipleSettings) -> list[str]:
        """``check`` for sources already read (``check_principles`` reads them once for all)."""
        violations = [f"{file} does not parse ({why})" for file, why in variant.errors.items()]
        try:
            violations.extend(self._check(variant, baseline, settings))
        except Exception as exc:  # a checker bug must not cross the evaluation boundary
            violations.append(f"could not be checked ({type(exc).__name__}: {exc})")
        return violations

    @abstractmethod
    def _check(self, variant: Modules, baseline: Modules, settings: PrincipleSettings) -> list[str]:
        """Violations found in the variant's parsable files (``parse`` gives their cached trees)."""
