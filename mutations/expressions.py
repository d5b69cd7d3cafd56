"""Expression operators: swap an operator for a sibling, perturb a constant,
negate a condition, swap two call arguments (the classic mutation-testing set).

Every rewrite keeps the tree's meaning visible in the text: when a new binary
operator binds differently, parentheses are added so that the code parses back
to the tree that was built, not to a third program.
"""

from __future__ import annotations

import math
import random
from typing import Any, ClassVar

import libcst as cst

from mutations._base import ChoiceOperator, Example, Operator, Params, Rewritten
from mutations._index import ModuleIndex
from mutations._loops import hung_loop

# --- operator replacement -----------------------------------------------------


class _OperatorSwap(ChoiceOperator):
    """Replace the ``operator`` field of a node by another one of its group.

    ``groups`` lists interchangeable LibCST operator class names; a node whose
    operator is in no group is not a site. Params: ``{"op": class name}``.
    """

    groups: ClassVar[tuple[tuple[str, ...], ...]]

    def _choices(self, node: cst.CSTNode) -> tuple[str, ...]:
        current = type(node.operator).__name__  # type: ignore[attr-defined]
        group = next((g for g in self.groups if current in g), ())
        return tuple(name for name in group if name != current)

    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        return [{"op": name} for name in self._choices(node)]

    def option_scores(self, node_id: str, options: list[dict[str, Any]], index: ModuleIndex) -> list[Any]:
        """All alike: how often the file writes ``+`` or ``-``, ``<`` or ``<=``, says nothing about which
        one a slip replaced (on the corpus's seven operator bugs, ranking by naturalness gave the fixing
        options a summed share of 1.34 of their sites' draws, against 1.38 for drawing alike)."""
        return [0.0] * len(options)

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        op = params["op"]
        if op not in self._choices(original):
            return None
        old = updated.operator  # type: ignore[attr-defined]
        new = getattr(cst, op)(whitespace_before=old.whitespace_before, whitespace_after=old.whitespace_after)
        return self._finish(node_id, updated.with_changes(operator=new), index)

    def _finish(self, node_id: str, node: cst.CSTNode, index: ModuleIndex) -> cst.CSTNode:
        """Adjust the rewritten node (parentheses); the default keeps it."""
        return node


_PRECEDENCE = {
    "BitOr": 1, "BitXor": 2, "BitAnd": 3, "LeftShift": 4, "RightShift": 4, "Add": 5, "Subtract": 5,
    "Multiply": 6, "MatrixMultiply": 6, "Divide": 6, "FloorDivide": 6, "Modulo": 6, "Power": 8,
}
_UNARY_PRECEDENCE = 7
_LOOSE = (cst.Comparison, cst.BooleanOperation, cst.IfExp, cst.Lambda, cst.NamedExpr, cst.Yield)


def _precedence(node: cst.CSTNode) -> float:
    """How tightly ``node`` binds as an operand (parenthesised nodes are atoms)."""
    if getattr(node, "lpar", None):
        return math.inf
    if isinstance(node, cst.BinaryOperation):
        return _PRECEDENCE[type(node.operator).__name__]
    if isinstance(node, cst.UnaryOperation):
        return 0 if isinstance(node.operator, cst.Not) else _UNARY_PRECEDENCE
    return 0 if isinstance(node, _LOOSE) else math.inf


def _needs_parens(operand: float, op: str, left: bool) -> bool:
    """Does an operand of precedence ``operand`` need parentheses on that side of ``op``?"""
    own = _PRECEDENCE[op]
    if operand != own:
        return operand < own
    return left if op == "Power" else not left  # ** groups right, the others left


def _parenthesise(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


class ReplaceBinaryOperator(_OperatorSwap):
    name = "replace_binary_operator"
    description = "replace an arithmetic or bitwise operator"
    node_types = (cst.BinaryOperation,)
    groups = (
        ("Add", "Subtract", "Multiply", "Divide", "FloorDivide", "Modulo", "Power"),
        ("BitAnd", "BitOr", "BitXor", "LeftShift", "RightShift"),
    )
    examples = (
        Example(before="def f(a, b):\n    return a + b  # sum\n",
                after="def f(a, b):\n    return a - b  # sum\n", params={"op": "Subtract"}),
        Example(before="y = a + b * c\n", after="y = a * (b * c)\n", params={"op": "Multiply"}),
        Example(before="y = a * b * c\n", after="y = (a + b) * c\n", site=1, params={"op": "Add"}),
        Example(before="y = -a + b\n", after="y = (-a) ** b\n", params={"op": "Power"}),
    )

    def _finish(self, node_id: str, node: cst.CSTNode, index: ModuleIndex) -> cst.CSTNode:
        assert isinstance(node, cst.BinaryOperation)
        op = type(node.operator).__name__
        left, right = node.left, node.right
        if _needs_parens(_precedence(left), op, left=True):
            left = _parenthesise(left)
        if _needs_parens(_precedence(right), op, left=False):
            right = _parenthesise(right)
        node = node.with_changes(left=left, right=right)
        return _parenthesise(node) if self._parent_needs_parens(node_id, node, index) else node

    def _parent_needs_parens(self, node_id: str, node: cst.BinaryOperation, index: ModuleIndex) -> bool:
        """Would the (original) parent expression now split this node apart?"""
        parent = index.nodes.get(index.parent_of(node_id) or "")
        own = _precedence(node)
        if isinstance(parent, cst.UnaryOperation):
            return own < _UNARY_PRECEDENCE
        if isinstance(parent, cst.BinaryOperation) and type(parent.operator).__name__ in _PRECEDENCE:
            left = parent.left is index.nodes[node_id]
            return _needs_parens(own, type(parent.operator).__name__, left)
        return False


_BOUNDARY = {"LessThan": "LessThanEqual", "LessThanEqual": "LessThan",
             "GreaterThan": "GreaterThanEqual", "GreaterThanEqual": "GreaterThan"}
"""A comparison operator -> its boundary slip (strictness flipped, same direction)."""


class ReplaceComparisonOperator(_OperatorSwap):
    name = "replace_comparison_operator"
    description = "replace a comparison operator"
    node_types = (cst.ComparisonTarget,)
    groups = (
        ("LessThan", "LessThanEqual", "GreaterThan", "GreaterThanEqual", "Equal", "NotEqual"),
        ("Is", "IsNot"),
        ("In", "NotIn"),
    )
    examples = (
        Example(before="def f(x):\n    return x < 10\n", after="def f(x):\n    return x <= 10\n",
                params={"op": "LessThanEqual"}),
        Example(before="ok = a is None\n", after="ok = a is not None\n", params={"op": "IsNot"}),
        Example(before="ok = a not in b\n", after="ok = a in b\n", params={"op": "In"}),
        Example(before="ok = 0 < a < 9\n", after="ok = 0 < a != 9\n", site=1, params={"op": "NotEqual"}),
    )

    def option_scores(self, node_id: str, options: list[dict[str, Any]], index: ModuleIndex) -> list[Any]:
        """The boundary slip first: the same direction with strictness flipped (``<`` <-> ``<=``,
        ``>`` <-> ``>=``), the others alike. A slip at the boundary is the comparison fault that
        mutation testing singles out for its own operator (PIT's conditionals-boundary mutator), and
        every comparison fix in the corpus (r01-r04, both of r40) is one; how often the file writes
        ``<`` or ``<=`` says nothing about which one was meant, so the rest stay alike."""
        current = type(index.nodes[node_id].operator).__name__  # type: ignore[attr-defined]
        boundary = _BOUNDARY.get(current)
        return [o["op"] == boundary for o in options]

    def answers(self, node_id: str, index: ModuleIndex) -> bool:
        """The comparison is in the test of a loop that hung (``while lo <= hi``: ``<`` lets it end)."""
        loop = hung_loop(node_id, index)
        return loop is not None and index.ids[loop.test] in (node_id, *index.ancestors(node_id))


class ReplaceBooleanOperator(_OperatorSwap):
    """``and`` <-> ``or``; never needs parentheses, as ``and`` binds tighter than ``or``."""

    name = "replace_boolean_operator"
    description = "swap and/or"
    node_types = (cst.BooleanOperation,)
    groups = (("And", "Or"),)
    examples = (
        Example(before="if a and b:\n    pass\n", after="if a or b:\n    pass\n", params={"op": "Or"}),
    )


class ReplaceAugmentedAssignment(_OperatorSwap):
    name = "replace_augmented_assignment"
    description = "replace an augmented assignment operator"
    node_types = (cst.AugAssign,)
    groups = (
        ("AddAssign", "SubtractAssign", "MultiplyAssign", "DivideAssign", "FloorDivideAssign",
         "ModuloAssign", "PowerAssign"),
        ("BitAndAssign", "BitOrAssign", "BitXorAssign", "LeftShiftAssign", "RightShiftAssign"),
    )
    examples = (
        Example(before="def f(t, x):\n    t += x  # grow\n    return t\n",
                after="def f(t, x):\n    t -= x  # grow\n    return t\n", params={"op": "SubtractAssign"}),
    )


# --- constants ----------------------------------------------------------------


def _in_pattern(node_id: str, index: ModuleIndex) -> bool:
    """Inside a ``case`` pattern, where only some literals are allowed."""
    kinds = (cst.MatchPattern, cst.MatchMappingElement)
    return any(isinstance(index.nodes[a], kinds) for a in index.ancestors(node_id))


def _constant_modes(node: cst.CSTNode) -> dict[str, Any]:
    """Mode name -> new value (``None`` renders as the name ``None``)."""
    if isinstance(node, cst.Name):
        return {"flip": node.value == "False", "none": None}
    if isinstance(node, (cst.Integer, cst.Float)):
        value = node.evaluated_value
        kind = type(value)
        wanted = {"inc": value + 1, "dec": value - 1, "zero": kind(0), "one": kind(1)}
        modes: dict[str, Any] = {}
        for mode, new in wanted.items():
            if new >= 0 and new != value and new not in modes.values() and (kind is int or mode in ("zero", "one")):
                modes[mode] = new
        return {**modes, "none": None}
    return {"none": None}


class PerturbConstant(Operator):
    """Nudge a literal: ints by one or to 0/1, floats to 0.0/1.0, booleans flipped, any to None.

    New numbers are never negative, so a literal never has to become a unary
    expression (which would bind differently after ``**`` or before ``.attr``).
    """

    name = "perturb_constant"
    description = "change a constant"
    node_types = (cst.Integer, cst.Float, cst.SimpleString, cst.Name)
    examples = (
        Example(before="def f(x):\n    return x + 1  # one\n", after="def f(x):\n    return x + 2  # one\n",
                params={"mode": "inc"}),
        Example(before="limit = 10\n", after="limit = 9\n", params={"mode": "dec"}),
        Example(before="limit = 10\n", after="limit = 0\n", params={"mode": "zero"}),
        Example(before="flag = True\n", after="flag = False\n", params={"mode": "flip"}),
        Example(before="name = 'x'\n", after="name = None\n", params={"mode": "none"}),
        Example(before="rate = 0.5\n", after="rate = 1.0\n", params={"mode": "one"}),
    )

    def _is_site(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> bool:
        if isinstance(node, cst.Name) and node.value not in ("True", "False"):
            return False
        parent = index.nodes.get(index.parent_of(node_id) or "")
        if isinstance(node, cst.SimpleString) and isinstance(parent, (cst.ConcatenatedString, cst.Expr)):
            return False  # "a" "b" -> None "b" does not parse; docstrings are not data
        return not _in_pattern(node_id, index)

    def propose(self, node_id: str, index: ModuleIndex, rng: random.Random) -> dict[str, Any] | None:
        return {"mode": rng.choice(sorted(_constant_modes(index.nodes[node_id])))}

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        modes = _constant_modes(original)
        if params["mode"] not in modes:
            return None
        new = modes[params["mode"]]
        parens = {"lpar": updated.lpar, "rpar": updated.rpar}  # type: ignore[attr-defined]
        if new is None or isinstance(new, bool):
            return cst.Name(str(new), **parens)
        if isinstance(new, float):
            return cst.Float(repr(new), **parens)
        return cst.Integer(str(new), **parens)


# --- conditions ---------------------------------------------------------------


_ATOMS = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer, cst.Float, cst.SimpleString)


def _is_not(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not)


def _negated(test: cst.BaseExpression) -> cst.UnaryOperation:
    """``not test``, with parentheses unless ``test`` is an atom."""
    plain = isinstance(test, _ATOMS) or bool(getattr(test, "lpar", None))
    return cst.UnaryOperation(operator=cst.Not(), expression=test if plain else _parenthesise(test))


class NegateCondition(Operator):
    name = "negate_condition"
    description = "negate a condition"
    node_types = (cst.If, cst.While, cst.UnaryOperation)
    examples = (
        Example(before="def f(x):\n    if x > 0:  # positive\n        return x\n    return 0\n",
                after="def f(x):\n    if not (x > 0):  # positive\n        return x\n    return 0\n"),
        Example(before="while running:\n    step()\n", after="while not running:\n    step()\n"),
        Example(before="if not done:\n    go()\n", after="if done:\n    go()\n"),
        Example(before="ok = a and (not b)\n", after="ok = a and (b)\n"),
    )

    def _is_site(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> bool:
        if isinstance(node, (cst.If, cst.While)):
            return not _is_not(node.test)  # that ``not`` is a site of its own
        return _is_not(node)

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        if isinstance(updated, cst.UnaryOperation):
            if not _is_not(updated):
                return None
            inner = updated.expression
            return inner.with_changes(lpar=[*updated.lpar, *inner.lpar], rpar=[*inner.rpar, *updated.rpar])
        if isinstance(updated, cst.If):
            space = updated.whitespace_before_test
            return updated.with_changes(test=_negated(updated.test),
                                        whitespace_before_test=space if space.value else cst.SimpleWhitespace(" "))
        assert isinstance(updated, cst.While)
        space = updated.whitespace_after_while
        return updated.with_changes(test=_negated(updated.test),
                                    whitespace_after_while=space if space.value else cst.SimpleWhitespace(" "))


# --- call arguments -----------------------------------------------------------


def _positional(call: cst.Call) -> list[int]:
    """Indexes of plain positional arguments (no ``*``, no keyword)."""
    return [i for i, arg in enumerate(call.args) if arg.keyword is None and not arg.star]


class SwapArguments(Operator):
    name = "swap_arguments"
    description = "swap two positional arguments of a call"
    node_types = (cst.Call,)
    examples = (
        Example(before="def f(a, b):\n    return pow(a, b)\n", after="def f(a, b):\n    return pow(b, a)\n",
                params={"i": 0, "j": 1}),
        Example(before="g(x, *rest, y, key=1)\n", after="g(y, *rest, x, key=1)\n", params={"i": 0, "j": 2}),
    )

    def _pairs(self, call: cst.Call) -> list[tuple[int, int]]:
        """Pairs of positional arguments whose swap changes the code."""
        found = _positional(call)
        args = call.args
        return [(i, j) for i in found for j in found
                if i < j and not args[i].value.deep_equals(args[j].value)]

    def _is_site(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> bool:
        return bool(self._pairs(node))  # type: ignore[arg-type]

    def propose(self, node_id: str, index: ModuleIndex, rng: random.Random) -> dict[str, Any] | None:
        pairs = self._pairs(index.nodes[node_id])  # type: ignore[arg-type]
        if not pairs:
            return None
        i, j = rng.choice(pairs)
        return {"i": i, "j": j}

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        assert isinstance(updated, cst.Call)
        i, j = params["i"], params["j"]
        if i == j or not {i, j} <= set(_positional(updated)):
            return None
        args = list(updated.args)
        args[i], args[j] = args[i].with_changes(value=args[j].value), args[j].with_changes(value=args[i].value)
        return updated.with_changes(args=args)
