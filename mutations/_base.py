"""The operator contract: where an operator can act, and how it rewrites a node.

An operator is one class with declared attributes (``name``, ``description``,
``node_types``, ``examples``) and a small ``_rewrite`` hook; the base class
does the type checks and the bookkeeping (the pymoo "public method, small hook"
habit). Adding an operator is one class plus one line in ``registry.py``; the
engine never changes.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Union

import libcst as cst

from mutations._index import ModuleIndex
from mutations.naturalness import (
    first_of_each,
    naturalness_scores,
    rank_weights,
    rewrites,
)

Params = Mapping[str, Any]
"""An edit's parameters: JSON-safe scalars only (str, int, float, bool, None)."""

CLASSIC, REPAIR, SPEEDUP = "classic", "repair", "speedup"
"""The operator families (``Operator.family``)."""

Rewritten = Union[cst.CSTNode, cst.RemovalSentinel, cst.FlattenSentinel, None]
"""What ``rewrite`` returns; ``None`` means "not applicable to this node now"."""


@dataclass(frozen=True)
class Example:
    """A before/after pair every operator ships; one shared test runs them all.

    ``site`` picks the operator's site (in ``sites()`` order) and ``params`` the
    parameters; the rewritten ``before`` must equal ``after`` exactly.
    """

    before: str
    after: str
    site: int = 0
    params: Mapping[str, Any] = field(default_factory=dict)


class Operator(ABC):
    """Base class of every edit operator.

    Subclasses set ``name`` (the registry key, stable across runs because
    patches and the edit memory refer to it), ``description`` (plain words for
    reports and commit messages), ``node_types`` (which original nodes can be
    sites) and ``examples``, and implement ``_rewrite``. They may override
    ``_is_site`` (narrow the sites), ``propose`` (draw parameters), ``touched``
    (an edit that also rewrites other nodes, like a swap), ``footprint`` (the
    code whose running the edit changes, when that is more than the site),
    ``imports`` (modules the rewritten code needs) and ``answers`` (a site
    where the operator has a template for the failing tests' crash).

    ``family`` says what the operator is for: ``"speedup"`` (claims the same
    results under the precondition its docstring states), ``"repair"`` (a
    fix pattern from the program-repair literature: changes behaviour, the
    tests decide) or ``"classic"`` (the statement and expression edits of
    GI, Langdon and Harman). The search starts from a prior over families
    that depends on the run's mode (``evolve.search.credit.family_prior``).
    """

    name: ClassVar[str]
    description: ClassVar[str]
    node_types: ClassVar[tuple[type[cst.CSTNode], ...]]
    examples: ClassVar[tuple[Example, ...]] = ()
    family: ClassVar[str] = CLASSIC

    def sites(self, index: ModuleIndex) -> list[str]:
        """Ids of the original nodes this operator can act on, in tree order."""
        return [
            node_id
            for node, node_id in index.ids.items()
            if isinstance(node, self.node_types) and self._is_site(node, node_id, index)
        ]

    def _is_site(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> bool:
        return True

    def propose(self, node_id: str, index: ModuleIndex, rng: random.Random) -> dict[str, Any] | None:
        """Draw parameters for an edit at ``node_id``; ``None`` if nothing fits."""
        return {}

    def touched(self, node_id: str, params: Params) -> tuple[str, ...]:
        """Every original node id this edit rewrites (``rewrite`` is called for each)."""
        return (node_id,)

    def footprint(self, node_id: str, index: ModuleIndex) -> tuple[str, ...]:
        """The original nodes whose running an edit at ``node_id`` changes (the site first).

        The site pool weighs a site by the hottest of them: turning ``queue = []``
        into a deque speeds up the ``queue.pop(0)`` in the loop, not the line
        that makes the list, which runs once.
        """
        return (node_id,)

    def imports(self, params: Params) -> tuple[str, ...]:
        """Modules the rewritten code needs imported at module level (``import X``)."""
        return ()

    def answers(self, node_id: str, index: ModuleIndex) -> bool:
        """Does one of this operator's edits at ``node_id`` answer what the failing tests showed there
        (``ModuleIndex.crashes``: a null check after a ``NoneType`` error on the line, a step in a loop
        that hung)? The site pool weighs such a site ``pool.ANSWER_WEIGHT`` times. By default no: an
        operator says yes only for evidence it has a template for."""
        return False

    def describe(self, node_id: str, params: Params, index: ModuleIndex) -> str:
        """One line in plain words, for reports and commit messages."""
        scope = index.scope_of(node_id)
        where = f"in {scope}()" if scope != "<module>" else "at module level"
        detail = ", ".join(f"{k}={v}" for k, v in sorted(params.items()))
        return f"{self.description} {where}" + (f" ({detail})" if detail else "")

    def rewrite(
        self,
        visiting: str,
        node_id: str,
        original: cst.CSTNode,
        updated: cst.CSTNode,
        params: Params,
        index: ModuleIndex,
    ) -> Rewritten:
        """Rewrite the node ``visiting`` (one of ``touched(node_id, params)``).

        ``original`` is the node of the original tree, ``updated`` the same node
        with earlier edits to its children applied. Returns ``None`` when the
        edit no longer applies (an earlier edit changed the node's kind); the
        applier then counts the edit as skipped, never as an error.
        """
        if visiting == node_id and not isinstance(updated, self.node_types):
            return None
        try:
            return self._rewrite(visiting, node_id, original, updated, params, index)
        except (KeyError, ValueError, TypeError, IndexError):
            return None

    @abstractmethod
    def _rewrite(
        self,
        visiting: str,
        node_id: str,
        original: cst.CSTNode,
        updated: cst.CSTNode,
        params: Params,
        index: ModuleIndex,
    ) -> Rewritten:
        """The operator's core step."""


class ChoiceOperator(Operator):
    """An operator whose parameters at a site are a finite list it can enumerate.

    Subclasses implement ``_options`` (every parameter set that makes sense at
    the node, in a stable order); the base class memoises them per index and
    derives ``_is_site`` (some option exists), ``propose`` (one at random) and
    the check that an edit's parameters are still among the options before
    ``_rewrite`` runs, so an edit from an older run or a crossover that no
    longer fits is skipped instead of applied somewhere it makes no sense.
    """

    def options(self, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        """Every parameter set this operator offers at ``node_id`` (memoised)."""
        key = (self.name, node_id)
        found = index.memo.get(key)
        if found is None:
            node = index.nodes.get(node_id)
            found = self._options(node, node_id, index) if isinstance(node, self.node_types) else []
            index.memo[key] = found
        return found  # type: ignore[return-value]

    @abstractmethod
    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        """The parameter sets that make sense at ``node`` (empty: not a site)."""

    def _is_site(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> bool:
        return bool(self.options(node_id, index))

    def footprint(self, node_id: str, index: ModuleIndex) -> tuple[str, ...]:
        """The site and every node one of its options rewrites."""
        found = dict.fromkeys((node_id,))
        for option in self.options(node_id, index):
            found.update(dict.fromkeys(self.touched(node_id, option)))
        return tuple(found)

    def option_scores(self, node_id: str, options: list[dict[str, Any]], index: ModuleIndex) -> list[Any]:
        """How likely each option (same order) is the edit a programmer meant, as comparable scores
        (higher first; None: the option does not rewrite). By default how natural the rewritten line
        reads in its file (``mutations.naturalness``); an operator with a better signal overrides this."""
        return naturalness_scores(self, node_id, options, index)

    def option_weights(self, node_id: str, index: ModuleIndex) -> list[float]:
        """How often ``propose`` draws each of ``options`` (same order, memoised): ``1 / rank`` by
        ``option_scores``, so the likeliest is drawn most and every option stays possible; an option
        that writes the same code as an earlier one weighs 0 (it is the same edit)."""
        key = ("option_weights", self.name, node_id)
        found = index.memo.get(key)
        if found is None:
            options = self.options(node_id, index)
            if len(options) < 2:
                found = [1.0] * len(options)
            else:
                ranked = rank_weights(self.option_scores(node_id, options, index))
                first = first_of_each(rewrites(self, node_id, options, index))
                found = [w if keep else 0.0 for w, keep in zip(ranked, first)]
            index.memo[key] = found
        return found  # type: ignore[return-value]

    def propose(self, node_id: str, index: ModuleIndex, rng: random.Random) -> dict[str, Any] | None:
        """One option by ``option_weights`` (options weighing alike: ``rng.choice``, the draw a seed
        always made, so a seeded run whose options rank alike goes as it did)."""
        found = self.options(node_id, index)
        if not found:
            return None
        weights = self.option_weights(node_id, index)
        if len(set(weights)) == 1:
            return dict(rng.choice(found))
        return dict(rng.choices(found, weights=weights)[0])

    def rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                params: Params, index: ModuleIndex) -> Rewritten:
        if visiting == node_id and dict(params) not in self.options(node_id, index):
            return None
        return super().rewrite(visiting, node_id, original, updated, params, index)
