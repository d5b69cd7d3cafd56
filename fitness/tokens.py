"""Tokens: how much code there is, counted in significant tokens of the code the tests execute.

Tokens rather than lines so that reformatting, comments and blank lines
neither reward nor punish a variant; docstrings are not counted either (a
deleted docstring is never a gain). Bound to a baseline (``for_baseline``)
with executed lines, a function or method the baseline's tests never ran keeps
its baseline count whatever a variant does to it (see ``fitness.units``):
deleting code no test sees is not "smaller".
"""

from __future__ import annotations

import tokenize
from collections.abc import Mapping
from typing import ClassVar

from fitness._base import Objective
from fitness.observation import Observation
from fitness.units import executed_units, tokens_by_unit

_UNREADABLE = (tokenize.TokenError, SyntaxError, ValueError, RecursionError)


def count_tokens(source: str) -> int:
    """Significant tokens in ``source``, docstrings excluded; raises ``tokenize.TokenError``/``SyntaxError``."""
    return sum(tokens_by_unit(source).values())


class Tokens(Objective):
    """Significant tokens over all target files, unexecuted units at their baseline count; lower is better."""

    name: ClassVar[str] = "tokens"
    unit: ClassVar[str] = "tokens"
    higher_is_better: ClassVar[bool] = False

    def __init__(self, baseline_sources: Mapping[str, str] | None = None,
                 executed: Mapping[str, frozenset[int]] | None = None) -> None:
        self.baseline_sources = dict(baseline_sources or {})
        self.executed = dict(executed or {})

    def for_baseline(self, baseline: Observation) -> Tokens:
        return Tokens(baseline.sources, baseline.executed_lines)

    def measure(self, observation: Observation) -> float | None:
        if not observation.sources:
            return None
        try:
            return float(sum(self._file(file, source) for file, source in observation.sources.items()))
        except _UNREADABLE:
            return None

    def _file(self, file: str, source: str) -> int:
        before = self.baseline_sources.get(file)
        if before is None or before == source or file not in self.executed:
            return count_tokens(source)
        variant, baseline = tokens_by_unit(source), tokens_by_unit(before)
        ran = executed_units(before, self.executed[file])
        names = set(variant) | set(baseline)
        return sum(baseline[n] if n in baseline and n not in ran else variant.get(n, 0) for n in names)
