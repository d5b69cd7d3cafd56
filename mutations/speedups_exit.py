"""Stop a loop as soon as its result can no longer change: ``break`` after the decisive assignment."""

from __future__ import annotations

from typing import Any

import libcst as cst

from mutations._base import SPEEDUP, ChoiceOperator, Example, Params, Rewritten
from mutations._index import ModuleIndex
from mutations._kinds import INT, kinds
from mutations._loops import names_in, roots, used_outside
from mutations._purity import pure_expression
from mutations._tree import enclosing_function, walk


def _assignments(block: cst.BaseSuite) -> dict[str, cst.BaseExpression] | None:
    """``{name: value}`` when the block is only ``name = value`` lines (plain names)."""
    if not isinstance(block, cst.IndentedBlock):
        return None
    out: dict[str, cst.BaseExpression] = {}
    for line in block.body:
        if not isinstance(line, cst.SimpleStatementLine):
            return None
        for small in line.body:
            if not (isinstance(small, cst.Assign) and len(small.targets) == 1
                    and isinstance(small.targets[0].target, cst.Name)):
                return None
            out[small.targets[0].target.value] = small.value
    return out


def _constant(value: cst.BaseExpression) -> bool:
    if isinstance(value, cst.Name):
        return value.value in ("True", "False", "None")
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus):
        return isinstance(value.expression, (cst.Integer, cst.Float))
    return isinstance(value, (cst.Integer, cst.Float, cst.SimpleString))


def _sentinel_checks(test: cst.BaseExpression) -> dict[str, str]:
    """``{name: sentinel code}`` for the ``name == -1`` / ``name is None`` conjuncts of ``test``."""
    conjuncts = []
    stack = [test]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.And) and not node.lpar:
            stack += [node.left, node.right]
        else:
            conjuncts.append(node)
    found = {}
    for node in conjuncts:
        if isinstance(node, cst.Comparison) and len(node.comparisons) == 1 and isinstance(node.left, cst.Name) \
                and isinstance(node.comparisons[0].operator, (cst.Equal, cst.Is)) \
                and _constant(node.comparisons[0].comparator):
            found[node.left.value] = cst.Module([]).code_for_node(node.comparisons[0].comparator)
    return found


def _never_equal(value: cst.BaseExpression, sentinel: str, loop: cst.For, index: ModuleIndex) -> bool:
    """Can ``value`` never be the sentinel? An ``enumerate``/``range(len(...))`` position is a
    non-negative int (never ``-1`` or ``None``)."""
    if sentinel not in ("None", "-1"):
        return False
    if not isinstance(value, cst.Name):
        return False
    iterable = loop.iter
    target = loop.target
    if isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Name) and len(iterable.args) == 1:
        func = iterable.func.value
        if func == "enumerate" and isinstance(target, cst.Tuple) and \
                isinstance(target.elements[0].value, cst.Name) and target.elements[0].value.value == value.value:
            return True
        argument = iterable.args[0].value
        if func == "range" and isinstance(target, cst.Name) and target.value == value.value and \
                isinstance(argument, cst.Call) and isinstance(argument.func, cst.Name) and argument.func.value == "len":
            return True
    return sentinel == "None" and kinds(index).of(value) == INT


def settling_branch(loop_id: str, index: ModuleIndex) -> cst.If | None:
    """The loop's last statement ``if cond: x = v`` after which nothing can change (see ``EarlyBreak``)."""
    loop = index.nodes[loop_id]
    function = enclosing_function(index, loop)
    if not isinstance(loop, cst.For) or loop.asynchronous is not None or loop.orelse is not None or function is None:
        return None
    body = loop.body
    if not isinstance(body, cst.IndentedBlock) or not isinstance(body.body[-1], cst.If):
        return None
    branch = body.body[-1]
    assigned = _assignments(branch.body)
    if branch.orelse is not None or not assigned or not pure_expression(branch.test, kinds(index)):
        return None
    if not _settles(assigned, branch, loop, index):
        return None
    loop_vars = roots(loop.target)
    before = body.body[:-1]
    locals_ = set(loop_vars)
    for statement in before:
        if not isinstance(statement, cst.SimpleStatementLine) or \
                not all(isinstance(s, cst.Assign) for s in statement.body):
            return None
        for small in statement.body:
            if not pure_expression(small.value, kinds(index)):  # type: ignore[attr-defined]
                return None
            locals_ |= set().union(*(roots(t.target) for t in small.targets))  # type: ignore[attr-defined]
    if locals_ & set(assigned) or used_outside(loop_id, locals_, index):
        return None
    if isinstance(loop.iter, cst.Name) and used_outside(loop_id, {loop.iter.value}, index) and \
            _iterated_elsewhere(loop.iter.value, loop, function):
        return None
    return branch


def _settles(assigned: dict[str, cst.BaseExpression], branch: cst.If, loop: cst.For, index: ModuleIndex) -> bool:
    """Once the branch has run, can no later iteration change what it assigned?"""
    sentinels = _sentinel_checks(branch.test)
    others = [s for s in loop.body.body if s is not branch]  # type: ignore[attr-defined]
    for name, value in assigned.items():
        mentions = sum(1 for n in walk(branch.body) if isinstance(n, cst.Name) and n.value == name)
        if mentions != 1 or name in roots(loop.target) or any(name in names_in(s) for s in others):
            return False
        if _constant(value):
            continue
        if name in sentinels and _never_equal(value, sentinels[name], loop, index):
            continue
        return False
    return True


def _iterated_elsewhere(name: str, loop: cst.For, function: cst.FunctionDef) -> bool:
    """Is the loop's iterable read again after the loop (an iterator would show how far it got)?"""
    return any(isinstance(n, (cst.For, cst.CompFor)) and n is not loop and name in names_in(n.iter)
               for n in walk(function))


class EarlyBreak(ChoiceOperator):
    """Add ``break`` after the loop's decisive assignment, once nothing can change its result.

    Shape: the loop's last statement is ``if cond: x = v`` (only plain
    assignments, no ``else``) and the loop has no ``else``. Precondition:
    each assigned ``x`` is touched nowhere else in the loop and is *settled*
    once assigned: ``v`` is a constant (a later iteration could only assign it
    again), or ``cond`` holds ``x == -1``/``x is None`` and ``v`` is an
    ``enumerate`` or ``range(len(...))`` position, which is never the sentinel;
    the statements before the ``if`` only assign, from pure expressions,
    variables that are dead after the loop; ``cond`` is pure; the loop
    variables are not read after the loop. The iterations skipped would then
    change nothing; what can differ is an exception a later element would
    have raised (a ``TypeError`` comparing values of mixed types, say), and
    how far a one-shot iterator passed in was consumed.
    Params: none.
    """

    name = "early_break"
    family = SPEEDUP
    description = "stop the loop once its result is settled"
    node_types = (cst.For,)
    examples = (
        Example(
            before="def first_above(xs, limit):\n    found = -1\n    for i, x in enumerate(xs):\n"
                   "        if x > limit and found == -1:\n            found = i  # first\n    return found\n",
            after="def first_above(xs, limit):\n    found = -1\n    for i, x in enumerate(xs):\n"
                  "        if x > limit and found == -1:\n            found = i  # first\n            break\n"
                  "    return found\n",
        ),
        Example(
            before="def is_sorted(xs):\n    ok = True\n    for i in range(1, len(xs)):\n"
                   "        a, b = xs[i - 1], xs[i]\n        if b < a:\n            ok = False\n    return ok\n",
            after="def is_sorted(xs):\n    ok = True\n    for i in range(1, len(xs)):\n"
                  "        a, b = xs[i - 1], xs[i]\n        if b < a:\n            ok = False\n            break\n"
                  "    return ok\n",
        ),
    )

    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        return [{}] if settling_branch(node_id, index) is not None else []

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        assert isinstance(updated, cst.For)
        body = updated.body
        assert isinstance(body, cst.IndentedBlock)
        branch = body.body[-1]
        if not isinstance(branch, cst.If) or not isinstance(branch.body, cst.IndentedBlock):
            return None
        stop = cst.SimpleStatementLine(body=[cst.Break()])
        inner = branch.body.with_changes(body=[*branch.body.body, stop])
        return updated.with_changes(body=body.with_changes(body=[*body.body[:-1], branch.with_changes(body=inner)]))
