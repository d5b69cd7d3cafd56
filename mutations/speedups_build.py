"""Speed-ups that replace a hand-written accumulating loop by what the language or the
standard library does in C: ``sum``/``any``/``all``, a comprehension, ``"".join``,
``collections.Counter``.

Each operator's docstring states the shape it accepts and why the result is the
same on every input: same elements, same order, same exceptions at the same
element. Comments of the replaced lines are kept on the line that replaces them.
"""

from __future__ import annotations

import sys
from typing import Any

import libcst as cst

from mutations._base import SPEEDUP, ChoiceOperator, Example, Operator, Params, Rewritten
from mutations._index import ModuleIndex
from mutations._kinds import INT, integer_like, kinds
from mutations._loops import (
    NOT_IN_GENEXP,
    builtin_call,
    contains,
    kept_comments,
    loop_names,
    names_in,
    only_statement,
    plain_loop,
    previous_statement,
)

FLOAT_SUM_IS_SEQUENTIAL = sys.version_info < (3, 12)
"""Before 3.12, ``sum`` adds floats one by one like a loop; 3.12 compensates rounding errors."""


# --- sum / any / all ----------------------------------------------------------


def _sum_shape(loop: cst.For, loop_id: str, names: set[str], index: ModuleIndex) -> cst.AugAssign | None:
    """``for x in xs: total += expr``: ``total`` a local name not read by ``expr`` or ``xs``,
    started by ``total = <int literal>`` just before (0 unless ``expr`` is an integer, or on
    Python >= 3.12, where ``sum`` of floats rounds differently from a loop)."""
    line = only_statement(loop.body)
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        return None
    aug = line.body[0]
    if not isinstance(aug, cst.AugAssign) or not isinstance(aug.operator, cst.AddAssign) \
            or not isinstance(aug.target, cst.Name):
        return None
    if aug.target.value in names_in(aug.value) | names_in(loop.iter) | names or contains(aug.value, NOT_IN_GENEXP):
        return None
    previous = previous_statement(loop_id, index)
    start = _int_start(previous[1], aug.target.value) if previous else None
    if start is None:
        return None
    exact = kinds(index).of(aug.value) == INT or integer_like(aug.value, index)
    return aug if exact or (start == 0 and FLOAT_SUM_IS_SEQUENTIAL) else None


def _int_start(statement: cst.CSTNode, name: str) -> int | None:
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        assign = statement.body[0]
        if isinstance(assign, cst.Assign) and len(assign.targets) == 1 and isinstance(assign.value, cst.Integer) \
                and isinstance(assign.targets[0].target, cst.Name) and assign.targets[0].target.value == name:
            return int(assign.value.evaluated_value)
    return None


def _any_shape(loop: cst.For, names: set[str]) -> cst.If | None:
    """``for x in xs: if cond: return value`` with ``value`` not reading ``x``."""
    branch = only_statement(loop.body)
    if not isinstance(branch, cst.If) or branch.orelse is not None:
        return None
    line = only_statement(branch.body)
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1 or not isinstance(line.body[0], cst.Return):
        return None
    value = line.body[0].value
    if value is not None and names_in(value) & names:
        return None
    return None if contains(branch.test, NOT_IN_GENEXP) else branch


def _any_test(test: cst.BaseExpression, loop: cst.For) -> cst.BaseExpression:
    """``any(test ...)``, or ``not all(t ...)`` when ``test`` is ``not t``."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not) and not test.lpar:
        inner = test.expression
        if inner.lpar and not isinstance(inner, cst.Tuple):
            inner = inner.with_changes(lpar=[], rpar=[])
        return cst.UnaryOperation(operator=cst.Not(), expression=builtin_call("all", inner, loop))
    return builtin_call("any", test, loop)


class LoopToBuiltin(Operator):
    """Replace an accumulating loop by ``sum``/``any``/``all`` over a generator.

    Two shapes. ``for x in xs: total += expr`` becomes ``total += sum(expr for
    x in xs)`` when the line before the loop is ``total = <int literal>``:
    ``sum`` starts from the integer 0 and adds in the loop's order, so the
    result is the same — for floats only when the accumulator starts at 0 and
    the interpreter is older than 3.12 (3.12's ``sum`` compensates rounding);
    strings, lists and other non-numbers are never summed (the accumulator is
    an integer). ``for x in xs: if cond: return value`` becomes ``if any(cond
    for x in xs): return value`` (``if not c`` becomes ``if not all(c ...)``):
    the same short-circuit at the same element. The loop variable must not be
    read after the loop, as the generator does not leave it bound.
    Params: none.
    """

    name = "loop_to_builtin"
    family = SPEEDUP
    description = "replace a loop by sum/any/all over a generator"
    node_types = (cst.For,)
    examples = (
        Example(
            before="def f(xs):\n    total = 0\n    # add up\n    for x in xs:\n        total += x * x  # square\n"
                   "    return total\n",
            after="def f(xs):\n    total = 0\n    # add up\n    total += sum(x * x for x in xs)  # square\n"
                  "    return total\n",
        ),
        Example(
            before="def has_neg(xs):\n    for x in xs:  # scan\n        if x < 0:\n            return True\n"
                   "    return False\n",
            after="def has_neg(xs):\n    # scan\n    if any(x < 0 for x in xs):\n        return True\n"
                  "    return False\n",
        ),
        Example(
            before="def ok(rows):\n    for k, v in rows:\n        if not (v > k):\n            return False\n"
                   "    return True\n",
            after="def ok(rows):\n    if not all(v > k for k, v in rows):\n        return False\n"
                  "    return True\n",
        ),
    )

    def _shape(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> cst.CSTNode | None:
        names = plain_loop(node, node_id, index)
        if names is None or kinds(index).shadowed & {"sum", "any", "all"}:
            return None
        assert isinstance(node, cst.For)
        return _sum_shape(node, node_id, names, index) or _any_shape(node, names)

    def _is_site(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> bool:
        return self._shape(node, node_id, index) is not None

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        if self._shape(original, node_id, index) is None:
            return None
        assert isinstance(updated, cst.For)
        names = loop_names(updated) or set()
        line = only_statement(updated.body)
        sum_line = line if isinstance(line, cst.SimpleStatementLine) else None
        if sum_line is not None and isinstance(sum_line.body[0], cst.AugAssign):
            inner = sum_line.body[0]
            body = [inner.with_changes(value=builtin_call("sum", inner.value, updated))]
            return sum_line.with_changes(body=body, leading_lines=kept_comments(updated, sum_line))
        branch = _any_shape(updated, names)
        if branch is not None:
            space = branch.whitespace_before_test if branch.whitespace_before_test.value else cst.SimpleWhitespace(" ")
            return branch.with_changes(test=_any_test(branch.test, updated), whitespace_before_test=space,
                                       leading_lines=kept_comments(updated, branch))
        return None


# --- collections.Counter ------------------------------------------------------


def _counting_shape(loop: cst.For, counts: str, key: str) -> bool:
    """``if k in counts: counts[k] += 1 else: counts[k] = 1`` or ``counts[k] = counts.get(k, 0) + 1``."""
    module = cst.Module([])
    body = only_statement(loop.body)
    if body is None:
        return False
    text = module.code_for_node(body).strip()
    shapes = (
        f"if {key} in {counts}:\n    {counts}[{key}] += 1\nelse:\n    {counts}[{key}] = 1",
        f"{counts}[{key}] = {counts}.get({key}, 0) + 1",
        f"{counts}[{key}] += 1 if {key} in {counts} else 1",
    )
    normal = "\n".join(line.rstrip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#"))
    return normal in shapes or normal.replace("    ", "").replace("\n", "") in {s.replace("    ", "").replace("\n", "")
                                                                             for s in shapes}


def counter_site(loop_id: str, index: ModuleIndex) -> tuple[str, str, str | None] | None:
    """For a counting loop: (init line id, counted name, id of a ``return counts`` right after)."""
    loop = index.nodes[loop_id]
    names = plain_loop(loop, loop_id, index)
    previous = previous_statement(loop_id, index)
    if names is None or len(names) != 1 or previous is None or "collections" in kinds(index).shadowed - \
            _imports(index):
        return None
    assert isinstance(loop, cst.For)
    init_id, init = previous
    if not (isinstance(init, cst.SimpleStatementLine) and len(init.body) == 1 and isinstance(init.body[0], cst.Assign)
            and len(init.body[0].targets) == 1 and isinstance(init.body[0].targets[0].target, cst.Name)
            and isinstance(init.body[0].value, cst.Dict) and not init.body[0].value.elements):
        return None
    counts = init.body[0].targets[0].target.value
    if counts in names_in(loop.iter) or not _counting_shape(loop, counts, next(iter(names))):
        return None
    following = _following(loop_id, index)
    returned = None
    if following is not None and isinstance(following[1], cst.SimpleStatementLine) \
            and cst.Module([]).code_for_node(following[1]).strip().split("#")[0].strip() == f"return {counts}":
        returned = following[0]
    return init_id, counts, returned


def _following(node_id: str, index: ModuleIndex) -> tuple[str, cst.CSTNode] | None:
    block = index.nodes.get(index.parent_of(node_id) or "")
    if not isinstance(block, cst.IndentedBlock):
        return None
    position = next(i for i, s in enumerate(block.body) if s is index.nodes[node_id])
    if position + 1 >= len(block.body):
        return None
    return index.ids[block.body[position + 1]], block.body[position + 1]


def _imports(index: ModuleIndex) -> frozenset[str]:
    return frozenset(a.evaluated_name for n in index.module.body if isinstance(n, cst.SimpleStatementLine)
                     for s in n.body if isinstance(s, cst.Import) for a in s.names if a.asname is None)


class LoopToCounter(ChoiceOperator):
    """A hand-written counting loop becomes ``dict(collections.Counter(xs))``.

    Shape: ``counts = {}`` just before ``for x in xs:`` whose only statement
    counts ``x`` (``if x in counts: counts[x] += 1 else: counts[x] = 1``, or
    ``counts[x] = counts.get(x, 0) + 1``), ``x`` not read after the loop.
    ``Counter`` counts with the same ``get(x, 0) + 1`` in the same order, so
    keys, their first-seen order and the counts are the same, and an
    unhashable element raises the same ``TypeError`` at the same element;
    ``dict(...)`` keeps the plain ``dict`` type. When the next statement is
    ``return counts``, the three statements become ``return dict(...)``.
    Params: ``{"init": id of counts = {}, "ret": id of the return or ""}``.
    """

    name = "loop_to_counter"
    family = SPEEDUP
    description = "count with collections.Counter instead of a loop"
    node_types = (cst.For,)
    examples = (
        Example(
            before="def char_counts(text):\n    counts = {}\n    for ch in text:\n        if ch in counts:\n"
                   "            counts[ch] += 1\n        else:\n            counts[ch] = 1\n    return counts\n",
            after="import collections\n\n\ndef char_counts(text):\n    return dict(collections.Counter(text))\n",
            params={"init": "SimpleStatementLine@2:4-2:15", "ret": "SimpleStatementLine@8:4-8:17"},
        ),
    )

    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        found = counter_site(node_id, index)
        return [] if found is None else [{"init": found[0], "ret": found[2] or ""}]

    def touched(self, node_id: str, params: Params) -> tuple[str, ...]:
        extra = tuple(params[k] for k in ("init", "ret") if isinstance(params.get(k), str) and params[k])
        return (node_id, *extra)

    def imports(self, params: Params) -> tuple[str, ...]:
        return ("collections",)

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        loop = index.nodes[node_id]
        assert isinstance(loop, cst.For)
        call = cst.Call(func=cst.Name("dict"), args=[cst.Arg(cst.Call(
            func=cst.Attribute(value=cst.Name("collections"), attr=cst.Name("Counter")), args=[cst.Arg(loop.iter)]))])
        if visiting == node_id:
            return cst.RemoveFromParent()
        if visiting == params["ret"]:
            assert isinstance(updated, cst.SimpleStatementLine)
            return updated.with_changes(body=[cst.Return(value=call)])
        assert isinstance(updated, cst.SimpleStatementLine)
        if params["ret"]:
            return cst.RemoveFromParent()
        assign = updated.body[0]
        assert isinstance(assign, cst.Assign)
        return updated.with_changes(body=[assign.with_changes(value=call)])
