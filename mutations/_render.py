"""Putting an expression where another was: parentheses exactly where the slot needs them.

An operator that moves, wraps or builds an expression must render code that
parses back to the tree it built. ``fit`` compares how tightly the new
expression binds (``precedence``) with what its slot in the original tree
requires (``_slot_needs``) and adds parentheses only when they are needed, so
``len(a)`` becoming ``len(a) + 1`` under ``x *`` reads ``x * (len(a) + 1)`` and
nowhere else gains brackets.
"""

from __future__ import annotations

import libcst as cst

from mutations._index import ModuleIndex

ATOM = 15
_BINARY = {"BitOr": 6, "BitXor": 7, "BitAnd": 8, "LeftShift": 9, "RightShift": 9, "Add": 10, "Subtract": 10,
           "Multiply": 11, "MatrixMultiply": 11, "Divide": 11, "FloorDivide": 11, "Modulo": 11, "Power": 13}
_UNARY = 12


def precedence(node: cst.CSTNode) -> int:
    """How tightly ``node`` binds as an operand (a parenthesised node is an atom)."""
    if getattr(node, "lpar", None):
        return ATOM
    if isinstance(node, (cst.Lambda, cst.NamedExpr, cst.Yield)):
        return 0
    if isinstance(node, cst.IfExp):
        return 1
    if isinstance(node, cst.BooleanOperation):
        return 2 if isinstance(node.operator, cst.Or) else 3
    if isinstance(node, cst.UnaryOperation):
        return 4 if isinstance(node.operator, cst.Not) else _UNARY
    if isinstance(node, cst.Comparison):
        return 5
    if isinstance(node, cst.BinaryOperation):
        return _BINARY[type(node.operator).__name__]
    if isinstance(node, cst.Await):
        return 14
    if isinstance(node, (cst.Tuple, cst.GeneratorExp)):
        return -1  # a bare tuple or generator stands alone only as a whole statement's value
    return ATOM


def parenthesise(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def bare(node: cst.BaseExpression) -> cst.BaseExpression:
    """``node`` without its own parentheses (a tuple keeps them)."""
    if isinstance(node, cst.Tuple) or not getattr(node, "lpar", None):
        return node
    return node.with_changes(lpar=[], rpar=[])


def _slot_needs(parent: cst.CSTNode | None, original: cst.CSTNode) -> int:
    """The least precedence an expression needs to stand where ``original`` stands in ``parent``."""
    if isinstance(parent, cst.Attribute) and parent.value is original:
        return ATOM
    if isinstance(parent, cst.Subscript) and parent.value is original:
        return ATOM
    if isinstance(parent, cst.Call) and parent.func is original:
        return ATOM
    if isinstance(parent, cst.BinaryOperation):
        own = _BINARY[type(parent.operator).__name__]
        left = parent.left is original
        if own == _BINARY["Power"]:
            return own + 1 if left else _UNARY
        return own if left else own + 1
    if isinstance(parent, cst.UnaryOperation):
        return 4 if isinstance(parent.operator, cst.Not) else _UNARY
    if isinstance(parent, (cst.Comparison, cst.ComparisonTarget)):
        return 6
    if isinstance(parent, cst.BooleanOperation):
        return 3 if isinstance(parent.operator, cst.And) else 2
    if isinstance(parent, cst.IfExp):
        return 1 if parent.orelse is original else 2
    if isinstance(parent, cst.Await):
        return ATOM
    if isinstance(parent, (cst.CompIf, cst.CompFor)):
        return 2
    if isinstance(parent, (cst.Assign, cst.AugAssign, cst.AnnAssign, cst.Return, cst.Expr)):
        return -1
    return 0


def fit(new: cst.BaseExpression, node_id: str, index: ModuleIndex) -> cst.BaseExpression:
    """``new`` ready to replace the original node ``node_id``: parenthesised if its slot needs it."""
    parent = index.nodes.get(index.parent_of(node_id) or "")
    if precedence(new) < _slot_needs(parent, index.nodes[node_id]) or _bare_generator(new):
        return parenthesise(new)
    return new


def _bare_generator(node: cst.BaseExpression) -> bool:
    """A generator expression that borrowed its parentheses from a call (``any(x for x in xs)``):
    anywhere else it needs its own."""
    return isinstance(node, cst.GeneratorExp) and not node.lpar


def fit_in(new: cst.BaseExpression, parent: cst.CSTNode, original: cst.CSTNode) -> cst.BaseExpression:
    """Like ``fit`` for a slot of a node being built (``original`` is the slot's old value)."""
    if precedence(new) < _slot_needs(parent, original) or _bare_generator(new):
        return parenthesise(new)
    return new


def code(index: ModuleIndex, node: cst.CSTNode) -> str:
    """The source of a node, on one line if it is short and has no comments."""
    return index.module.code_for_node(node).strip()
