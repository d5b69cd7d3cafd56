"""The site pool: every place each operator can act on, across the target files.

Built once per run from the original trees. The engine draws new edits from it
(an operator by weight, then one of its sites, then parameters: a
``ChoiceOperator`` draws its options by ``option_weights``). Weights start
equal; credit assignment may change them between generations. With
``site_weights`` (``evolve.search.attention``), a site of weight 0 is left out,
an operator is drawn by its weight times its best site's, and a site by its weight.
A site weighs as the hottest node of its ``Operator.footprint`` (the code whose
running the edit changes), so a data-structure change made where a list is built
weighs as much as the loop that pops from it. Where the operator has a template
for the failing tests' crash at the site (``Operator.answers``), the site weighs
``ANSWER_WEIGHT`` times.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping

import libcst as cst

from mutations._base import Operator
from mutations._index import MODULE_SCOPE, ModuleIndex
from mutations.registry import OPERATORS

ANSWER_WEIGHT = 4.0
"""How many times its weight a site gets where its operator has a template for the failing tests' crash
there (``Operator.answers``: PAR picks its fix template by such evidence, Kim et al., ICSE 2013). It
also raises the operator's draw, which goes by its best site. A prior, not a measurement: the drawing
odds in BENCHMARKS.md show its effect."""


def _scope_allowed(node_id: str, index: ModuleIndex, functions: frozenset[str] | None) -> bool:
    """Is the node inside (or the definition of) one of ``functions``?"""
    if functions is None:
        return True
    scope = index.scope_of(node_id)
    names = [] if scope == MODULE_SCOPE else [scope]
    node = index.nodes[node_id]
    if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        names.append(node.name.value if scope == MODULE_SCOPE else f"{scope}.{node.name.value}")
    return any(n == f or n.startswith(f + ".") for n in names for f in functions)


class SitePool:
    """Sites per (operator, file), filtered to the functions a user allowed.

    ``functions`` maps a file to the qualified function names that may change
    in it; a file absent from the mapping may change anywhere. ``site_weights``
    gives a (file, node id) its weight (0: never edited, neither as a site nor
    as a node an edit also rewrites); None draws every site alike.
    """

    def __init__(
        self,
        indexes: Mapping[str, ModuleIndex],
        operators: Iterable[str] | None = None,
        functions: Mapping[str, Iterable[str]] | None = None,
        site_weights: Callable[[str, str], float] | None = None,
    ) -> None:
        self.indexes = dict(indexes)
        names = list(operators) if operators is not None else sorted(OPERATORS)
        self.operators: dict[str, Operator] = {n: OPERATORS[n] for n in names}
        allowed = {f: frozenset(v) for f, v in (functions or {}).items()}
        self.sites: dict[str, list[tuple[str, str]]] = {}
        for name, operator in self.operators.items():
            found: list[tuple[str, str]] = []
            for file, index in sorted(self.indexes.items()):
                limit = allowed.get(file)
                for node_id in operator.sites(index):
                    if _scope_allowed(node_id, index, limit) and (site_weights is None
                                                                  or site_weights(file, node_id) > 0):
                        found.append((file, node_id))
            if found:
                self.sites[name] = found
        self.weights: dict[str, float] = {n: 1.0 for n in self.sites}
        self.site_weights = site_weights
        self.drawn: dict[str, list[float]] | None = None
        """Per operator, its sites' weights (None: all alike)."""
        if site_weights is not None:
            self.reweigh(site_weights)
        self.edit_filter: Callable[[str, str, str, Mapping[str, object]], bool] | None = None
        """Vetoes proposed edits: (operator, file, node id, params) -> may it be proposed (the immune memory,
        ``evolve.search.immunity.Memory.allows``). Drawing tries again within its bounded attempts."""

    def reweigh(self, site_weights: Callable[[str, str], float]) -> None:
        """Draw the same sites by new weights (``drawn`` recomputed; which sites exist does not change,
        nor does any draw already made)."""
        self.site_weights = site_weights
        self.drawn = {n: [self._footprint_weight(n, f, i) for f, i in found] for n, found in self.sites.items()}

    def _footprint_weight(self, name: str, file: str, node_id: str) -> float:
        """The weight of the hottest node the edit's running changes (the site's own at least), times
        ``ANSWER_WEIGHT`` where the operator answers the failing tests' crash (``Operator.answers``)."""
        weigh = self.site_weights
        assert weigh is not None
        index = self.indexes[file]
        operator = self.operators[name]
        found = max(weigh(file, n) for n in operator.footprint(node_id, index) if n in index.nodes)
        return found * ANSWER_WEIGHT if found > 0 and operator.answers(node_id, index) else found

    @property
    def size(self) -> int:
        return sum(len(v) for v in self.sites.values())

    def counts(self) -> dict[str, int]:
        return {name: len(found) for name, found in self.sites.items()}

    def random_edit(self, rng: random.Random, attempts: int = 20):  # -> Edit | None
        """Draw one edit; ``None`` only if no operator has a site that accepts parameters."""
        from populations.patch import Edit  # populations depends on mutations, not the reverse

        if not self.sites:
            return None
        names = sorted(self.sites)
        drawn = self.drawn
        weights = [self.weights[n] * (1.0 if drawn is None else max(drawn[n])) for n in names]
        for _ in range(attempts):
            name = rng.choices(names, weights=weights)[0]
            if drawn is None:
                file, node_id = rng.choice(self.sites[name])
            else:
                file, node_id = rng.choices(self.sites[name], weights=drawn[name])[0]
            params = self.operators[name].propose(node_id, self.indexes[file], rng)
            if params is not None and self.may_touch(name, file, node_id, params):
                return Edit.make(name, file, node_id, params)
        return None

    def may_touch(self, name: str, file: str, node_id: str, params: Mapping[str, object]) -> bool:
        """Every node the edit rewrites may be edited (a swap's partner is no docstring, say), and
        ``edit_filter`` lets the edit be proposed."""
        weigh = self.site_weights
        if weigh is not None and not all(weigh(file, n) > 0 for n in self.operators[name].touched(node_id, params)):
            return False
        return self.edit_filter is None or self.edit_filter(name, file, node_id, params)
