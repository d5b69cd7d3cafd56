"""Maintainability: radon's maintainability index over the target files.

The index (0..100, higher is better) folds Halstead volume, cyclomatic
complexity and size into one figure; a file-size weighted mean keeps a tiny
helper module from counting as much as the module doing the work. Bound to a
baseline with executed lines (``for_baseline``), a file whose variant changes
a function the baseline's tests never ran keeps the baseline's index: a
"simpler" module made by gutting untested code is no gain (``fitness.units``).
Docstrings are left out of the index (replaced by ``pass``), so deleting one
is never a gain either.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import ClassVar

from radon.complexity import cc_visit
from radon.metrics import mi_visit
from radon.visitors import Class, Function

from fitness._base import Objective
from fitness.observation import Observation
from fitness.units import changed_unexecuted, executed_units, without_docstrings

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

    def __init__(self, baseline_sources: Mapping[str, str] | None = None,
                 executed: Mapping[str, frozenset[int]] | None = None) -> None:
        self.baseline_sources = dict(baseline_sources or {})
        self.executed = dict(executed or {})

    def for_baseline(self, baseline: Observation) -> Maintainability:
        return Maintainability(baseline.sources, baseline.executed_lines)

    def _counted(self, file: str, source: str) -> str:
        """The text whose index counts: the baseline's when the variant changed code no test ran."""
        before = self.baseline_sources.get(file)
        if before is None or before == source or file not in self.executed:
            return source
        ran = executed_units(before, self.executed[file])
        return before if changed_unexecuted(source, before, ran) else source

    def measure(self, observation: Observation) -> float | None:
        if not observation.sources:
            return None
        total = weight = 0.0
        for file, variant in observation.sources.items():
            try:
                source = self._counted(file, variant)
                index = _index(without_docstrings(source))
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
