"""A speed-up that moves work out of a loop: a sort done on every iteration done once, before it.

Like hoisting (``speedups_loops``), the rewrite changes *when* the list is
sorted, never what the loop sees; ``SortOnce``'s docstring states when.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from mutations._base import SPEEDUP, ChoiceOperator, Example, Params, Rewritten
from mutations._index import ModuleIndex
from mutations._kinds import kinds
from mutations._loops import runs_at_least_once, unguarded, written
from mutations._purity import pure_expression
from mutations._tree import enclosing_function, walk
from mutations.speedups_loops import aliased


def _sort_statement(loop: cst.For, loop_id: str, index: ModuleIndex) -> cst.SimpleStatementLine | None:
    """The loop's ``x.sort()`` line that ``SortOnce`` may move (see its docstring)."""
    infer = kinds(index)
    function = enclosing_function(index, loop)
    block = loop.body
    if function is None or loop.asynchronous is not None or not isinstance(block, cst.IndentedBlock):
        return None
    for line in block.body:
        if not (isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1
                and isinstance(line.body[0], cst.Expr) and isinstance(line.body[0].value, cst.Call)):
            continue
        call = line.body[0].value
        if not (isinstance(call.func, cst.Attribute) and call.func.attr.value == "sort"
                and isinstance(call.func.value, cst.Name)):
            continue
        target = call.func.value.value
        if not all(a.keyword is not None and (a.keyword.value == "reverse" and isinstance(a.value, cst.Name)
                                              or a.keyword.value == "key" and pure_expression(a.value, infer))
                   for a in call.args):
            continue
        if not unguarded(index.ids[call], loop_id, index) or aliased({target}, function):
            continue
        values = infer.bound_in(function, target)
        if not values or any(isinstance(v, str) or infer.of(v) != "list" for v in values):
            continue
        others = [s for s in block.body if s is not line]
        if target in written(loop.with_changes(body=block.with_changes(body=others)), infer):
            continue
        if _read_after(target, loop, function) and not runs_at_least_once(loop_id, index):
            continue
        return line
    return None


def _read_after(name: str, loop: cst.For, function: cst.FunctionDef) -> bool:
    """Is ``name`` mentioned outside the loop after it starts (or anywhere else in a loop around it)?"""
    seen = False
    for node in walk(function.body):
        if node is loop:
            seen = True
            continue
        if seen and isinstance(node, cst.Name) and node.value == name and not any(node is n for n in walk(loop)):
            return True
    return False


def _binding_line(name: str, loop_id: str, index: ModuleIndex) -> str:
    """The id of the line ``name = ...`` in the loop's block when nothing between it and the
    loop mentions ``name`` (the sort goes right after it), else ``""`` (just before the loop)."""
    block = index.nodes.get(index.parent_of(loop_id) or "")
    if not isinstance(block, cst.IndentedBlock):
        return ""
    position = next(i for i, s in enumerate(block.body) if s is index.nodes[loop_id])
    for statement in reversed(block.body[:position]):
        if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 \
                and isinstance(statement.body[0], cst.Assign) and len(statement.body[0].targets) == 1 \
                and isinstance(statement.body[0].targets[0].target, cst.Name) \
                and statement.body[0].targets[0].target.value == name:
            return index.ids[statement]
        if any(isinstance(n, cst.Name) and n.value == name for n in walk(statement)):
            return ""
    return ""


class SortOnce(ChoiceOperator):
    """Sort once, where the list is made, instead of on every iteration of a loop.

    Precondition: the loop's ``xs.sort()`` is unguarded (it runs on every
    iteration, before anything that could skip it); ``xs`` is a local bound
    only to new lists (``list(...)``, a display or comprehension); nothing else
    in the loop writes or mutates ``xs`` or could through a call, so from the
    second iteration on the sort finds it sorted and changes nothing (sorting
    is stable); ``key`` is pure. When the loop may run zero times, ``xs`` must
    not be read after it (it would now be sorted). A sort of incomparable
    elements raises before a loop that would not have run: a ``TypeError`` on
    values the sort would reject on its first iteration. The sort goes right
    after ``xs = ...`` when nothing in between uses ``xs``, else just before
    the loop. Params: ``{"after": id of the xs = ... line, or ""}``.
    """

    name = "sort_once"
    family = SPEEDUP
    description = "sort once before the loop instead of on every iteration"
    node_types = (cst.For,)
    examples = (
        Example(
            before="def ranks(scores, queries):\n    ordered = list(scores)\n    out = []\n    for q in queries:\n"
                   "        ordered.sort()\n        out.append(bisect.bisect_left(ordered, q))\n    return out\n",
            after="def ranks(scores, queries):\n    ordered = list(scores)\n    ordered.sort()\n    out = []\n"
                  "    for q in queries:\n        out.append(bisect.bisect_left(ordered, q))\n    return out\n",
            params={"after": "SimpleStatementLine@2:4-2:26"},
        ),
    )

    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        line = _sort_statement(node, node_id, index)  # type: ignore[arg-type]
        if line is None:
            return []
        name = line.body[0].value.func.value.value  # type: ignore[attr-defined]
        return [{"after": _binding_line(name, node_id, index)}]

    def touched(self, node_id: str, params: Params) -> tuple[str, ...]:
        after = params.get("after")
        return (node_id, after) if isinstance(after, str) and after else (node_id,)

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        loop = index.nodes[node_id]
        assert isinstance(loop, cst.For)
        line = _sort_statement(loop, node_id, index)
        if line is None:
            return None
        if visiting != node_id:
            return cst.FlattenSentinel([updated, line.with_changes(leading_lines=[])])
        assert isinstance(updated, cst.For)
        block = updated.body
        assert isinstance(block, cst.IndentedBlock)
        kept = [s for s in block.body if not s.deep_equals(line)]
        if len(kept) != len(block.body) - 1 or not kept:
            return None
        moved = updated.with_changes(body=block.with_changes(body=kept))
        if params["after"]:
            return moved
        before = line.with_changes(leading_lines=updated.leading_lines)
        return cst.FlattenSentinel([before, moved.with_changes(leading_lines=[])])
