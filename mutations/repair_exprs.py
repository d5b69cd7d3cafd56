"""Repair operators on expressions: off by one, swapped operands and subscripts.

``e -> e + 1 / e - 1`` on integer-valued expressions; the operands of a binary
operator or a comparison, the indexes of a subscript, swapped. Each rewrite
goes through ``_render``, so the code parses back to the tree that was built.
These make no claim of equivalence: the tests decide. ``in_function_body`` and
``value_slot`` say where an expression may be edited at all (shared with
``repair_calls`` and ``guards``).
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from mutations._base import REPAIR, ChoiceOperator, Example, Params, Rewritten
from mutations._index import ModuleIndex
from mutations._kinds import integer_like, kinds
from mutations._loops import hung_reads
from mutations._render import bare, fit, fit_in, parenthesise, precedence
from mutations._tree import dotted

_HOLDERS = (cst.Decorator, cst.Annotation, cst.Param, cst.MatchPattern, cst.Del)


def in_function_body(node_id: str, index: ModuleIndex) -> bool:
    """Inside a function, and not in a decorator, annotation, default, pattern or ``del``."""
    ancestors = index.ancestors(node_id)
    if not any(isinstance(index.nodes[a], cst.FunctionDef) for a in ancestors):
        return False
    return not any(isinstance(index.nodes[a], _HOLDERS) for a in ancestors)


def _parent(node_id: str, index: ModuleIndex) -> cst.CSTNode | None:
    return index.nodes.get(index.parent_of(node_id) or "")


def value_slot(node_id: str, index: ModuleIndex) -> bool:
    """Is the node a value being computed (not a target, a callee or an attribute's owner)?"""
    node = index.nodes[node_id]
    parent = _parent(node_id, index)
    if isinstance(parent, (cst.Assign, cst.AugAssign, cst.AnnAssign, cst.Return)):
        return parent.value is node
    if isinstance(parent, cst.Arg):
        return parent.value is node and not parent.star
    if isinstance(parent, (cst.For, cst.CompFor)):
        return parent.iter is node
    if isinstance(parent, (cst.Index, cst.ComparisonTarget, cst.UnaryOperation, cst.BinaryOperation,
                           cst.Comparison, cst.IfExp, cst.Element)):
        return not _in_target(node_id, index)
    return False


def _in_target(node_id: str, index: ModuleIndex) -> bool:
    child = index.nodes[node_id]
    for ancestor in index.ancestors(node_id):
        owner = index.nodes[ancestor]
        if isinstance(owner, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign, cst.For, cst.CompFor)):
            return getattr(owner, "target", None) is child
        if isinstance(owner, cst.BaseSuite):
            return False
        child = owner
    return False


# --- e + 1, e - 1 -------------------------------------------------------------


def _int_context(node_id: str, index: ModuleIndex) -> bool:
    """An index, a slice bound or an argument of ``range``: integer by position."""
    node = index.nodes[node_id]
    parent = _parent(node_id, index)
    if isinstance(parent, cst.Index) and isinstance(_parent(index.parent_of(node_id) or "", index),
                                                    cst.SubscriptElement):
        return parent.value is node
    if isinstance(parent, cst.Slice):
        return node in (parent.lower, parent.upper)
    if isinstance(parent, cst.Arg) and parent.keyword is None and not parent.star:
        call = _parent(index.parent_of(node_id) or "", index)
        return isinstance(call, cst.Call) and dotted(call.func) == "range" and "range" not in kinds(index).shadowed
    return False


def _shifted(node: cst.BaseExpression, delta: int) -> cst.BaseExpression:
    """``node + delta``, folding into a trailing ``+ k``/``- k`` when there is one."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.right, cst.Integer) and not node.lpar \
            and isinstance(node.operator, (cst.Add, cst.Subtract)):
        sign = 1 if isinstance(node.operator, cst.Add) else -1
        value = sign * int(node.right.value) + delta
        if value == 0:
            return node.left
        op = cst.Add() if value > 0 else cst.Subtract()
        return node.with_changes(operator=op, right=cst.Integer(str(abs(value))))
    left = node if precedence(node) >= 10 else parenthesise(node)
    op = cst.Add() if delta > 0 else cst.Subtract()
    return cst.BinaryOperation(left=left, operator=op, right=cst.Integer(str(abs(delta))))


class OffByOne(ChoiceOperator):
    """``e`` -> ``e + 1`` or ``e - 1`` on an integer-valued expression.

    In: an index, a slice bound, an argument of ``range``, or an assigned or
    returned value the inference finds to be an ``int`` (never a literal:
    ``perturb_constant`` nudges those). Out: the expression plus or minus one;
    ``e + 1`` minus one gives back ``e``. Params: ``{"delta": 1 or -1}``.
    """

    name = "off_by_one"
    family = REPAIR
    description = "add or subtract one"
    node_types = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.BinaryOperation, cst.UnaryOperation)
    examples = (
        Example(before="def primes(limit):\n    return list(range(2, limit))\n",
                after="def primes(limit):\n    return list(range(2, limit + 1))\n", params={"delta": 1}),
        Example(before="def last(xs):\n    return xs[len(xs) - 1]\n", after="def last(xs):\n    return xs[len(xs)]\n",
                params={"delta": 1}),
        Example(before="def f(lo, hi):\n    mid = (lo + hi) // 2\n    lo = mid\n    return x * len(lo)\n",
                after="def f(lo, hi):\n    mid = (lo + hi) // 2\n    lo = mid - 1\n    return x * len(lo)\n",
                site=1, params={"delta": -1}),
    )

    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        if not in_function_body(node_id, index) or isinstance(node, cst.UnaryOperation) and \
                isinstance(node.expression, cst.Integer):
            return []
        if not _int_context(node_id, index):
            parent = _parent(node_id, index)
            if not (isinstance(parent, (cst.Assign, cst.Return)) and parent.value is node):
                return []
            if not integer_like(node, index):
                return []
        return [{"delta": 1}, {"delta": -1}]

    def answers(self, node_id: str, index: ModuleIndex) -> bool:
        """The expression is the value a loop that hung assigns to a name its test reads (``lo = mid``
        in ``while lo < hi``: ``mid + 1`` moves on)."""
        parent = _parent(node_id, index)
        if not isinstance(parent, cst.Assign) or parent.value is not index.nodes[node_id]:
            return False
        stuck = hung_reads(node_id, index)
        return any(isinstance(t.target, cst.Name) and t.target.value in stuck for t in parent.targets)

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        return fit(_shifted(updated, int(params["delta"])), node_id, index)  # type: ignore[arg-type]


# --- swaps --------------------------------------------------------------------


class SwapOperands(ChoiceOperator):
    """``a - b`` -> ``b - a``; ``a < b`` -> ``b < a`` (a comparison of two operands).

    In: a binary operation or a single comparison whose operands differ. Out:
    the operands exchanged, parenthesised where the operator's grouping needs
    it. Params: none.
    """

    name = "swap_operands"
    family = REPAIR
    description = "swap the operands of an operator"
    node_types = (cst.BinaryOperation, cst.Comparison)
    examples = (
        Example(before="def minutes(start, end):\n    return (end_of(start) - end_of(end)) % 1440\n",
                after="def minutes(start, end):\n    return (end_of(end) - end_of(start)) % 1440\n", site=1),
        Example(before="y = a - b - c\n", after="y = c - (a - b)\n"),
        Example(before="ok = x in seen\n", after="ok = seen in x\n"),
    )

    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        if isinstance(node, cst.Comparison):
            if len(node.comparisons) != 1:
                return []
            pair = (node.left, node.comparisons[0].comparator)
        else:
            pair = (node.left, node.right)  # type: ignore[attr-defined]
        return [] if pair[0].deep_equals(pair[1]) else [{}]

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        if isinstance(updated, cst.Comparison):
            target = updated.comparisons[0]
            left, right = bare(target.comparator), bare(updated.left)
            new_left = fit_in(left, updated, updated.left)
            new_target = target.with_changes(comparator=fit_in(right, target, target.comparator))
            return updated.with_changes(left=new_left, comparisons=[new_target])
        assert isinstance(updated, cst.BinaryOperation)
        left, right = updated.right, updated.left
        return updated.with_changes(left=fit_in(left, updated, updated.left),
                                    right=fit_in(right, updated, updated.right))


def _single_index(node: cst.Subscript) -> cst.BaseExpression | None:
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index) and node.slice[0].slice.star is None:
        return node.slice[0].slice.value
    return None


def _with_index(node: cst.Subscript, value: cst.BaseExpression) -> cst.Subscript:
    element = node.slice[0]
    return node.with_changes(slice=[element.with_changes(slice=element.slice.with_changes(value=value))])


class SwapSubscripts(ChoiceOperator):
    """``b[j][k]`` -> ``b[k][j]``, ``m[i, j]`` -> ``m[j, i]``, ``s[i:j]`` -> ``s[j:i]``.

    In: a subscript of a subscript (both single indexes), a subscript with two
    indexes, or a slice with both bounds. Out: the indexes or bounds
    exchanged. Params: ``{"mode": "chain" | "elements" | "bounds"}``.
    """

    name = "swap_subscripts"
    family = REPAIR
    description = "swap two subscripts"
    node_types = (cst.Subscript,)
    examples = (
        Example(before="def dot(a, b, i, j, k):\n    return a[i][k] * b[j][k]\n",
                after="def dot(a, b, i, j, k):\n    return a[i][k] * b[k][j]\n", site=1, params={"mode": "chain"}),
        Example(before="cell = grid[r, c]\n", after="cell = grid[c, r]\n", params={"mode": "elements"}),
        Example(before="part = s[i:j]\n", after="part = s[j:i]\n", params={"mode": "bounds"}),
    )

    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        assert isinstance(node, cst.Subscript)
        if _in_target(node_id, index):
            return []
        out = []
        outer = _single_index(node)
        inner = _single_index(node.value) if isinstance(node.value, cst.Subscript) else None
        if outer is not None and inner is not None and not outer.deep_equals(inner):
            out.append({"mode": "chain"})
        if len(node.slice) == 2 and not node.slice[0].slice.deep_equals(node.slice[1].slice):
            out.append({"mode": "elements"})
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Slice):
            bounds = node.slice[0].slice
            if bounds.lower is not None and bounds.upper is not None and not bounds.lower.deep_equals(bounds.upper):
                out.append({"mode": "bounds"})
        return out

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        assert isinstance(updated, cst.Subscript)
        mode = params["mode"]
        if mode == "chain":
            inner = updated.value
            assert isinstance(inner, cst.Subscript)
            outer_value, inner_value = _single_index(updated), _single_index(inner)
            if outer_value is None or inner_value is None:
                return None
            return _with_index(updated, inner_value).with_changes(value=_with_index(inner, outer_value))
        if mode == "elements":
            first, second = updated.slice
            return updated.with_changes(slice=[first.with_changes(slice=second.slice),
                                               second.with_changes(slice=first.slice)])
        element = updated.slice[0]
        bounds = element.slice
        assert isinstance(bounds, cst.Slice)
        swapped = bounds.with_changes(lower=bounds.upper, upper=bounds.lower)
        return updated.with_changes(slice=[element.with_changes(slice=swapped)])
