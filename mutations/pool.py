"""The site pool: every place each operator can act on, across the target files.

Built once per run from the original trees. The engine draws new edits from it
(an operator by weight, then one of its sites, then parameters). Weights start
equal; credit assignment may change them between generations.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping

import libcst as cst

from mutations._base import Operator
from mutations._index import MODULE_SCOPE, ModuleIndex
from mutations.registry import OPERATORS


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
    in it; a file absent from the mapping may change anywhere.
    """

    def __init__(
        self,
        indexes: Mapping[str, ModuleIndex],
        operators: Iterable[str] | None = None,
        functions: Mapping[str, Iterable[str]] | None = None,
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
                    if _scope_allowed(node_id, index, limit):
                        found.append((file, node_id))
            if found:
                self.sites[name] = found
        self.weights: dict[str, float] = {n: 1.0 for n in self.sites}

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
        weights = [self.weights[n] for n in names]
        for _ in range(attempts):
            name = rng.choices(names, weights=weights)[0]
            file, node_id = rng.choice(self.sites[name])
            params = self.operators[name].propose(node_id, self.indexes[file], rng)
            if params is not None:
                return Edit.make(name, file, node_id, params)
        return None
