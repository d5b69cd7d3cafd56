"""A site's weight in one target file, from the baseline's senses (see ``evolve.search.attention``).

``FileWeights`` adds to a file's ``SiteFacts`` what the senses say about its
lines: whether the tests run them, how many of the benchmark's samples pass
through them (``heat``), how suspicious they are in repair mode, and from that
each node's weight relative to the run's top figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Protocol

from evolve.evaluation.senses import Profile, Senses
from evolve.search.localisation import Suspicion
from evolve.search.site_facts import SiteFacts
from mutations._index import ModuleIndex

__all__ = ["FLOOR", "UNTESTED", "FileWeights", "WeightSource"]

FLOOR = 0.01
"""The weight of a site that may be edited but that neither the benchmark's time nor a failing test points at."""
UNTESTED = "no test runs it"
_NONE = Suspicion(0.0, 0, 0)


class WeightSource(Protocol):
    """What a file's weights read from the run's ``Attention``."""

    senses: Senses | None
    mode: str
    untested: frozenset[str]
    profile: Profile | None
    suspicion: dict[tuple[str, int], Suspicion] | None

    @property
    def top(self) -> float: ...


class FileWeights(SiteFacts):
    """The facts of one target file that weights are made of, computed once: its ``SiteFacts`` and what the
    senses say about its lines."""

    def __init__(self, attention: WeightSource, file: str, index: ModuleIndex) -> None:
        super().__init__(file, index)
        self.attention = attention
        senses = attention.senses
        self.executed: frozenset[int] | None = senses.executed(file) if senses and senses.measured else None
        self.opted_in = file in attention.untested

    @cached_property
    def stacks_by_line(self) -> dict[int, set[int]]:
        """Line -> the profile's stacks (by position) that count for it (see ``evolve.search.attention``)."""
        profile = self.attention.profile
        found: dict[int, set[int]] = {}
        if profile is None:
            return found
        for i, (_, frames) in enumerate(profile.stacks):
            for depth, (line, fn) in enumerate(frames):
                if profile.functions[fn][0] != self.file:
                    continue
                spread = self.innermost_loop.get(line, frozenset((line,))) if depth == 0 else (line,)
                for one in spread:
                    found.setdefault(one, set()).add(i)
        return found

    def heat(self, lines: Iterable[int]) -> int:
        """Samples during which one of ``lines`` ran (see ``stacks_by_line``)."""
        profile, by_line = self.attention.profile, self.stacks_by_line
        assert profile is not None
        hit: set[int] = set()
        for line in lines:
            hit |= by_line.get(line, set())
        return sum(profile.stacks[i][0] for i in hit)

    def raw(self, node_id: str, lines: frozenset[int]) -> float:
        """The site's figure before normalising: samples (improve), suspiciousness (repair), else 1."""
        attention = self.attention
        if attention.mode == "repair" and attention.suspicion is not None:
            return max((attention.suspicion.get((self.file, n), _NONE).score for n in lines), default=0.0)
        if attention.profile is not None and attention.top > 0:
            found = self.heat(lines)
            if not self.in_function[node_id]:
                reads = set().union(*(self.readers.get(n, frozenset()) for n in self.bound_names(node_id)))
                if reads:
                    found = max(found, self.heat(reads))
            return float(found)
        return 1.0

    def weight(self, node_id: str) -> tuple[float, str | None]:
        if node_id not in self.index.nodes:
            return 0.0, "unknown node"
        if node_id in self.protected:
            return 0.0, self.protected[node_id]
        lines = self.lines(node_id)
        if self.executed is not None and not (lines & self.executed):
            return (FLOOR, None) if self.opted_in else (0.0, UNTESTED)
        top = self.attention.top
        value = self.raw(node_id, lines) / top if top > 0 else 1.0
        return max(FLOOR, min(1.0, value)), None
