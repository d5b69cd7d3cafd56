"""Maintainability: radon's maintainability index over the target files.

The index (0..100, higher is better) folds Halstead volume, cyclomatic
complexity and size into one figure; a file-size weighted mean keeps a tiny
helper module from counting as much as the module doing the work.
"""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from radon.complexity import cc_visit
from radon.metrics import mi_visit
from radon.visitors import Class, Function

from fitness._base import Objective
from fitness.observation import Observation

#: What radon raises for source it cannot read (bad syntax, null bytes, absurd nesting).
UNPARSABLE = (SyntaxError, ValueError, RecursionError)
#: Distinct file texts whose figures are kept: unchanged files recur in every variant.
CACHED_SOURCES = 512


def function_complexities(source: str) -> dict[str, int]:
    """Cyclomatic complexity of every function, method and closure, by dotted name.

    radon reports closures and inner classes only under their parents, so the
    tree is walked here. Raises ``SyntaxError`` for source radon cannot parse.
    A name defined twice keeps its highest figure.
    """
    return dict(_complexities(source))


@lru_cache(maxsize=CACHED_SOURCES)
def _complexities(source: str) -> tuple[tuple[str, int], ...]:
    out: dict[str, int] = {}

    def visit(block: Function | Class, prefix: str) -> None:
        name = prefix + block.name
        if isinstance(block, Class):
            for child in (*block.methods, *block.inner_classes):
                visit(child, name + ".")
            return
        out[name] = max(out.get(name, 0), block.complexity)
        for closure in block.closures:
            visit(closure, name + ".")

    for block in cc_visit(source):
        if isinstance(block, Function) and block.is_method:
            continue  # cc_visit lists methods again at top level; reached via their class
        visit(block, "")
    return tuple(out.items())


@lru_cache(maxsize=CACHED_SOURCES)
def _index(source: str) -> float:
    return mi_visit(source, multi=True)


def _lines(source: str) -> int:
    return max(1, sum(1 for line in source.splitlines() if line.strip()))


class Maintainability(Objective):
    """Line-weighted mean maintainability index of the target files; higher is better."""

    name: ClassVar[str] = "maintainability"
    unit: ClassVar[str] = "MI"
    higher_is_better: ClassVar[bool] = True

    def measure(self, observation: Observation) -> float | None:
        if not observation.sources:
            return None
        total = weight = 0.0
        for source in observation.sources.values():
            try:
                index = _index(source)
            except UNPARSABLE:
                return None
            lines = _lines(source)
            total += index * lines
            weight += lines
        return total / weight

    def details(self, observation: Observation) -> dict[str, float]:
        figures: list[int] = []
        for source in observation.sources.values():
            try:
                figures.extend(figure for _, figure in _complexities(source))
            except UNPARSABLE:
                return {}
        return {"complexity_total": float(sum(figures)),
                "complexity_max": float(max(figures, default=0))}
