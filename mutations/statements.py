"""Classic GI statement operators: delete, copy, replace, swap (as in GenProg, PyGGI, Magpie).

Copy, replace and swap move statements between places, so they guard both
ends: the target must sit in a block of a function body (not an ``elif`` or a
class body), and a donor must still compile where it lands (no ``break`` outside
a loop, no ``await``/``yield`` carried into another function, never a
``global``/``nonlocal`` declaration, which is only legal before the name's use).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import libcst as cst

from mutations._base import Example, Operator, Params, Rewritten
from mutations._index import STATEMENT_TYPES, ModuleIndex

_DONOR_DRAWS = 30
"""How many random donors ``propose`` tries before giving up on a target."""

_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


class _StatementOperator(Operator):
    node_types = STATEMENT_TYPES

    def sites(self, index: ModuleIndex) -> list[str]:
        """Same contract as ``Operator.sites``; walks the statement pool, not every node."""
        return [s for s in index.statements if self._is_site(index.nodes[s], s, index)]


class DeleteStatement(_StatementOperator):
    name = "delete_statement"
    description = "delete a statement"
    examples = (
        Example(
            before="def f(x):\n    y = x * 2\n    # keep me\n    return x\n",
            after="def f(x):\n    # keep me\n    return x\n",
        ),
    )

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        return cst.RemoveFromParent()


# --- where a statement may go, and what it may carry -------------------------


def _enclosing_def(node_id: str, index: ModuleIndex) -> str | None:
    """Id of the innermost function, class or lambda around ``node_id``."""
    return next((a for a in index.ancestors(node_id) if isinstance(index.nodes[a], _SCOPES)), None)


def _is_block_statement(node_id: str, index: ModuleIndex) -> bool:
    """A statement in a function's block: a place any other statement can take.

    Excludes ``elif`` branches (an ``If`` in another ``If``'s ``orelse``),
    class bodies nested in functions, where ``return`` would not compile, and
    statements before the function's last ``global``/``nonlocal``.
    """
    parent = index.parent_of(node_id)
    if parent is None or not isinstance(index.nodes[parent], (cst.IndentedBlock, cst.Module)):
        return False
    scope = _enclosing_def(node_id, index)
    if scope is None or not isinstance(index.nodes[scope], cst.FunctionDef):
        return False
    return index.line_of(node_id) > _last_declaration(index.nodes[scope], index)


def _last_declaration(function: cst.CSTNode, index: ModuleIndex) -> int:
    """The line of the function's last ``global``/``nonlocal`` (0 if none): a statement placed
    before it could use a name before its declaration, which does not compile."""
    found = index.memo.get(("last_declaration", id(function)))
    if found is None:
        lines = [0]
        stack = list(function.children)
        while stack:
            node = stack.pop()
            if isinstance(node, (cst.Global, cst.Nonlocal)):
                lines.append(index.line_of(index.ids[node]))
            elif not isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                stack.extend(node.children)
        found = index.memo[("last_declaration", id(function))] = max(lines)
    return found  # type: ignore[return-value]


def _in_loop(node_id: str, index: ModuleIndex) -> bool:
    """Would ``break``/``continue`` compile at this statement?"""
    previous = index.nodes[node_id]
    for ancestor_id in index.ancestors(node_id):
        ancestor = index.nodes[ancestor_id]
        if isinstance(ancestor, _SCOPES):
            return False
        if isinstance(ancestor, (cst.For, cst.While)) and previous is ancestor.body:
            return True
        previous = ancestor
    return False


@lru_cache(maxsize=8192)
def _traits(node: cst.CSTNode) -> frozenset[str]:
    """What a donor statement carries that constrains where it may go.

    ``loose_jump``: a break/continue not inside a loop of its own; ``bound``:
    await, yield or async constructs, tied to the kind of function they are in;
    ``declares``: global/nonlocal.
    """
    found: set[str] = set()
    _collect_traits(node, False, True, found)
    return frozenset(found)


def _collect_traits(node: cst.CSTNode, in_loop: bool, same_scope: bool, found: set[str]) -> None:
    if isinstance(node, (cst.Global, cst.Nonlocal)):
        found.add("declares")
    elif same_scope and isinstance(node, (cst.Break, cst.Continue)) and not in_loop:
        found.add("loose_jump")
    elif same_scope and isinstance(node, (cst.Await, cst.Yield)):
        found.add("bound")
    elif same_scope and isinstance(node, (cst.For, cst.With)) and node.asynchronous is not None:
        found.add("bound")
    inner = same_scope and not isinstance(node, _SCOPES)
    for child in node.children:
        loop_body = isinstance(node, (cst.For, cst.While)) and child is node.body
        _collect_traits(child, in_loop or loop_body, inner, found)


def fits(donor_id: str, target_id: str, index: ModuleIndex) -> bool:
    """May the statement ``donor_id`` be placed where ``target_id`` is?"""
    if donor_id == target_id or not _is_block_statement(target_id, index):
        return False
    donor = index.nodes.get(donor_id)
    if not isinstance(donor, STATEMENT_TYPES) or donor_id not in index.statements:
        return False
    traits = _traits(donor)
    if "declares" in traits:
        return False
    if "loose_jump" in traits and not _in_loop(target_id, index):
        return False
    return "bound" not in traits or _enclosing_def(donor_id, index) == _enclosing_def(target_id, index)


def _draw(target_id: str, index: ModuleIndex, rng: random.Random, ok: Callable[[str], bool]) -> str | None:
    """A random statement of the pool for which ``ok(candidate)`` holds, or ``None``."""
    pool = index.statements
    for _ in range(_DONOR_DRAWS if pool else 0):
        candidate = pool[rng.randrange(len(pool))]
        if candidate != target_id and ok(candidate):
            return candidate
    return None


def _moved(node: cst.CSTNode, leading_lines: Sequence[cst.EmptyLine]) -> cst.CSTNode:
    """``node`` with the comments and blank lines of the place it moves to."""
    return node.with_changes(leading_lines=leading_lines)


# --- the donor operators ------------------------------------------------------


class _DonorOperator(_StatementOperator):
    def _is_site(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> bool:
        return _is_block_statement(node_id, index)

    def propose(self, node_id: str, index: ModuleIndex, rng: random.Random) -> dict[str, Any] | None:
        donor = _draw(node_id, index, rng, lambda d: fits(d, node_id, index))
        return None if donor is None else {"donor": donor}

    def _donor(self, node_id: str, params: Params, index: ModuleIndex) -> cst.CSTNode:
        donor_id = params["donor"]
        if not fits(donor_id, node_id, index):
            raise ValueError(f"{donor_id} cannot go at {node_id}")
        return index.nodes[donor_id]


class CopyStatement(_DonorOperator):
    """Insert a copy of a donor before the target; the target keeps the comments above it."""

    name = "copy_statement"
    description = "copy a statement from elsewhere in the file before a statement"
    examples = (
        Example(
            before="def f(x):\n    x = x + 1\n    # then\n    return x\n",
            after="def f(x):\n    x = x + 1\n    x = x + 1\n    # then\n    return x\n",
            site=1,
            params={"donor": "SimpleStatementLine@2:4-2:13"},
        ),
    )

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        donor = _moved(self._donor(node_id, params, index), ())
        return cst.FlattenSentinel([donor, updated])


class ReplaceStatement(_DonorOperator):
    name = "replace_statement"
    description = "replace a statement by one from elsewhere in the file"
    examples = (
        Example(
            before="def f(x):\n    y = 1\n    # the answer\n    return y\n",
            after="def f(x):\n    y = 1\n    # the answer\n    y = 1\n",
            site=1,
            params={"donor": "SimpleStatementLine@2:4-2:9"},
        ),
    )

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        return _moved(self._donor(node_id, params, index), updated.leading_lines)  # type: ignore[attr-defined]


class SwapStatements(_StatementOperator):
    name = "swap_statements"
    description = "swap two statements"
    examples = (
        Example(
            before="def f(x):\n    a = 1\n    # b next\n    b = 2\n    return a + b\n",
            after="def f(x):\n    b = 2\n    # b next\n    a = 1\n    return a + b\n",
            params={"other": "SimpleStatementLine@4:4-4:9"},
        ),
    )

    def _is_site(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> bool:
        return _is_block_statement(node_id, index)

    def propose(self, node_id: str, index: ModuleIndex, rng: random.Random) -> dict[str, Any] | None:
        other = _draw(node_id, index, rng, lambda o: _swappable(node_id, o, index))
        return None if other is None else {"other": other}

    def touched(self, node_id: str, params: Params) -> tuple[str, ...]:
        other = params.get("other")
        return (node_id, other) if isinstance(other, str) and other != node_id else (node_id,)

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        other = params["other"]
        if not _swappable(node_id, other, index):
            return None
        incoming = index.nodes[other] if visiting == node_id else index.nodes[node_id]
        return _moved(incoming, updated.leading_lines)  # type: ignore[attr-defined]


def _swappable(a: str, b: str, index: ModuleIndex) -> bool:
    """Both fit in each other's place, neither contains the other, and they differ (a swap of two
    equal statements changes nothing and would cost an evaluation)."""
    if not (fits(a, b, index) and fits(b, a, index)) or index.nodes[a].deep_equals(index.nodes[b]):
        return False
    return a not in index.ancestors(b) and b not in index.ancestors(a)
