"""Speed-ups that build a collection in one go: an append loop becomes a comprehension,
a string grown with ``+`` becomes ``"".join`` of its parts."""

from __future__ import annotations

from typing import Any

import libcst as cst

from mutations._base import SPEEDUP, ChoiceOperator, Example, Params, Rewritten
from mutations._index import ModuleIndex
from mutations._kinds import STR, kinds
from mutations._loops import (
    NOT_IN_GENEXP,
    contains,
    kept_comments,
    names_in,
    only_statement,
    plain_loop,
    previous_statement,
)
from mutations._tree import enclosing_function, walk
from mutations.speedups_loops import fresh_name

# --- append loop -> comprehension ---------------------------------------------


def _empty_list_init(statement: cst.CSTNode) -> str | None:
    """``out`` for a line ``out = []``."""
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        assign = statement.body[0]
        if isinstance(assign, cst.Assign) and len(assign.targets) == 1 \
                and isinstance(assign.targets[0].target, cst.Name) \
                and isinstance(assign.value, cst.List) and not assign.value.elements:
            return assign.targets[0].target.value
    return None


def _append_of(statement: cst.CSTNode | None, name: str) -> cst.BaseExpression | None:
    """``e`` for a line ``name.append(e)``."""
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr)):
        return None
    call = statement.body[0].value
    if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and call.func.attr.value == "append" \
            and isinstance(call.func.value, cst.Name) and call.func.value.value == name and len(call.args) == 1 \
            and call.args[0].keyword is None and not call.args[0].star:
        return call.args[0].value
    return None


def _comprehension_parts(loop: cst.For, name: str) -> tuple[cst.BaseExpression, cst.BaseExpression | None,
                                                             cst.SimpleStatementLine] | None:
    """(element, condition or None, the append line) of ``for x in xs: [if c:] name.append(e)``."""
    inner = only_statement(loop.body)
    condition = None
    if isinstance(inner, cst.If) and inner.orelse is None:
        condition, inner = inner.test, only_statement(inner.body)
    element = _append_of(inner, name)
    if element is None:
        return None
    parts = [element, loop.iter] + ([condition] if condition is not None else [])
    if any(name in names_in(p) or contains(p, NOT_IN_GENEXP) for p in parts):
        return None
    return element, condition, inner  # type: ignore[return-value]


def _inside_try(node_id: str, index: ModuleIndex) -> bool:
    for ancestor in index.ancestors(node_id):
        node = index.nodes[ancestor]
        if isinstance(node, (cst.Try, cst.TryStar, cst.With)):
            return True
        if isinstance(node, cst.FunctionDef):
            return False
    return False


class AppendToComprehension(ChoiceOperator):
    """``out = []`` + ``for x in xs: [if c:] out.append(e)`` -> ``out = [e for x in xs [if c]]``.

    Precondition: ``out = []`` is the statement just before the loop; the
    loop's only statement appends (under at most one ``if`` without ``else``);
    ``out`` is not read by ``e``, ``c`` or ``xs``; the loop variables are not
    read after the loop; no ``:=``/``await``/``yield``; not inside a
    ``try``/``with`` (whose handler could see a half-built list). The
    comprehension evaluates ``xs``, ``c`` and ``e`` in the same order and
    raises at the same element. Params: ``{"init": id of the out = [] line}``.
    """

    name = "append_to_comprehension"
    family = SPEEDUP
    description = "build a list with a comprehension instead of an append loop"
    node_types = (cst.For,)
    examples = (
        Example(
            before="def evens(xs):\n    out = []\n    # keep the even ones\n    for x in xs:\n        if x % 2 == 0:\n"
                   "            out.append(x * 10)  # scaled\n    return out\n",
            after="def evens(xs):\n    # keep the even ones\n    out = [x * 10 for x in xs if x % 2 == 0]  # scaled\n"
                  "    return out\n",
            params={"init": "SimpleStatementLine@2:4-2:12"},
        ),
    )

    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        previous = previous_statement(node_id, index)
        if plain_loop(node, node_id, index) is None or previous is None or _inside_try(node_id, index):
            return []
        name = _empty_list_init(previous[1])
        if name is None or "list" in kinds(index).shadowed:
            return []
        assert isinstance(node, cst.For)
        return [{"init": previous[0]}] if _comprehension_parts(node, name) is not None else []

    def touched(self, node_id: str, params: Params) -> tuple[str, ...]:
        init = params.get("init")
        return (node_id, init) if isinstance(init, str) else (node_id,)

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        if visiting == node_id:
            return cst.RemoveFromParent()
        loop = index.nodes[node_id]
        assert isinstance(loop, cst.For) and isinstance(updated, cst.SimpleStatementLine)
        name = _empty_list_init(updated)
        parts = _comprehension_parts(loop, name or "")
        if name is None or parts is None:
            return None
        element, condition, line = parts
        ifs = [cst.CompIf(test=condition)] if condition is not None else []
        comp = cst.ListComp(elt=element, for_in=cst.CompFor(target=loop.target, iter=loop.iter, ifs=ifs))
        assign = updated.body[0]
        assert isinstance(assign, cst.Assign)
        trailing = line.trailing_whitespace if line.trailing_whitespace.comment else updated.trailing_whitespace
        inner_lines = [*line.leading_lines]
        branch = only_statement(loop.body)
        if condition is not None and isinstance(branch, cst.If):
            header = branch.body.header.comment if isinstance(branch.body, cst.IndentedBlock) else None
            inner_lines = [*branch.leading_lines, *([cst.EmptyLine(comment=header)] if header else []), *inner_lines]
        comments = kept_comments(loop, cst.SimpleStatementLine(body=[], leading_lines=inner_lines))
        return updated.with_changes(body=[assign.with_changes(value=comp)], trailing_whitespace=trailing,
                                    leading_lines=[*updated.leading_lines, *comments])


# --- str += in a loop -> "".join ----------------------------------------------


def _concatenation(statement: cst.CSTNode, name: str) -> cst.BaseExpression | None:
    """The appended part of ``name = name + a + b`` (``a + b``) or ``name += e`` (``e``)."""
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
        return None
    small = statement.body[0]
    if isinstance(small, cst.AugAssign) and isinstance(small.operator, cst.AddAssign) \
            and isinstance(small.target, cst.Name) and small.target.value == name:
        return small.value
    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name) \
            and small.targets[0].target.value == name:
        return _strip_leftmost(small.value, name)
    return None


def _strip_leftmost(value: cst.BaseExpression, name: str) -> cst.BaseExpression | None:
    """``a + b`` for ``name + a + b`` (a left-leaning chain of ``+`` starting with ``name``)."""
    if not (isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add)) or value.lpar:
        return None
    if isinstance(value.left, cst.Name) and value.left.value == name and not value.left.lpar:
        return value.right
    rest = _strip_leftmost(value.left, name)  # type: ignore[arg-type]
    return None if rest is None else value.with_changes(left=rest)


def concat_plan(init_id: str, index: ModuleIndex) -> tuple[list[str], str] | None:
    """For ``text = ""`` at ``init_id``: (ids of the lines that append, id of ``return text``)."""
    init = index.nodes[init_id]
    if not (isinstance(init, cst.SimpleStatementLine) and len(init.body) == 1 and isinstance(init.body[0], cst.Assign)):
        return None
    assign = init.body[0]
    value = assign.value
    if not (len(assign.targets) == 1 and isinstance(assign.targets[0].target, cst.Name)
            and isinstance(value, cst.SimpleString) and value.evaluated_value == ""):
        return None
    name = assign.targets[0].target.value
    function = enclosing_function(index, init)
    if function is None or index.parent_of(init_id) != index.ids.get(function.body):
        return None
    infer = kinds(index)
    appends, returned = [], None
    for node in walk(function.body):
        if not isinstance(node, cst.SimpleStatementLine) or node is init:
            continue
        if name not in names_in(node):
            continue
        part = _concatenation(node, name)
        text = cst.Module([]).code_for_node(node).split("#")[0].strip()
        if part is not None and name not in names_in(part) and infer.of(part) == STR and returned is None:
            appends.append(index.ids[node])
        elif text == f"return {name}" and returned is None \
                and index.parent_of(index.ids[node]) == index.parent_of(init_id):
            returned = index.ids[node]
        else:
            return None
    uses = sum(1 for n in walk(function) if isinstance(n, cst.Name) and n.value == name)
    lines = sum(1 for n in walk(function.body) if isinstance(n, cst.SimpleStatementLine) and name in names_in(n))
    if not appends or returned is None or lines != len(appends) + 2 or uses < 2:
        return None
    return appends, returned


class ConcatToJoin(ChoiceOperator):
    """A string grown with ``text = text + part`` / ``text += part`` becomes a list of parts
    joined once: ``parts.append(part)`` … ``return "".join(parts)``.

    Precondition: ``text = ""`` at the top level of a function; every other line
    that mentions ``text`` either appends a part the inference proves to be a
    string (a ``+`` chain with a string literal, an f-string, ``str(...)``, a
    ``str`` method) without reading ``text``, or is the single ``return text``
    of the function's top level, after the appends. Joining the same strings in
    the same order gives the same string. Params: ``{"lines": comma-separated
    ids of the appending lines, "ret": id of the return}``.
    """

    name = "concat_to_join"
    family = SPEEDUP
    description = "collect string parts and join them once"
    node_types = (cst.SimpleStatementLine,)
    examples = (
        Example(
            before='def render(rows):\n    text = ""\n    for k, v in rows:\n'
                   '        text = text + k + " = " + str(v) + "\\n"\n    text += "end"\n    return text\n',
            after='def render(rows):\n    parts = []\n    for k, v in rows:\n'
                  '        parts.append(k + " = " + str(v) + "\\n")\n    parts.append("end")\n'
                  '    return "".join(parts)\n',
            params={"lines": "SimpleStatementLine@4:8-4:47,SimpleStatementLine@5:4-5:17",
                    "ret": "SimpleStatementLine@6:4-6:15"},
        ),
    )

    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        plan = concat_plan(node_id, index)
        return [] if plan is None else [{"lines": ",".join(plan[0]), "ret": plan[1]}]

    def touched(self, node_id: str, params: Params) -> tuple[str, ...]:
        lines = params.get("lines", "")
        extra = tuple(x for x in lines.split(",") if x) if isinstance(lines, str) else ()
        return (node_id, *extra, *((params["ret"],) if isinstance(params.get("ret"), str) else ()))

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        init = index.nodes[node_id]
        assert isinstance(init, cst.SimpleStatementLine) and isinstance(init.body[0], cst.Assign)
        text = init.body[0].targets[0].target.value  # type: ignore[attr-defined]
        parts = fresh_name(("parts", f"{text}_parts"), enclosing_function(index, init), index)
        assert isinstance(updated, cst.SimpleStatementLine)
        if visiting == node_id:
            return updated.with_changes(body=[cst.parse_statement(f"{parts} = []\n").body[0]])  # type: ignore
        if visiting == params["ret"]:
            return updated.with_changes(body=[cst.parse_statement(f'return "".join({parts})\n').body[0]])  # type: ignore
        part = _concatenation(index.nodes[visiting], text)
        if part is None:
            return None
        call = cst.Call(func=cst.Attribute(value=cst.Name(parts), attr=cst.Name("append")), args=[cst.Arg(part)])
        return updated.with_changes(body=[cst.Expr(value=call)])
