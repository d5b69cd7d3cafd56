"""Speed-ups that drop work nobody uses: a local assigned and never read.

A compiler removes such a dead store only when computing the value has no
effect; Python's compiler never does, because any call could have one. This
operator removes it when every call in the value is known to be pure (the
allow-lists of ``_purity`` and ``_kinds``) and the name can be read by nothing
(see ``RemoveDeadStore``'s docstring).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import libcst as cst

from mutations._base import SPEEDUP, ChoiceOperator, Example, Params, Rewritten
from mutations._index import ModuleIndex
from mutations._kinds import kinds
from mutations._purity import pure_expression
from mutations._tree import enclosing_function, walk

_INTROSPECTION = frozenset({"locals", "vars", "eval", "exec", "dir", "globals"})
"""Calls that can read a local by name, not by mention."""


def _dead_target(line: cst.SimpleStatementLine) -> tuple[str, cst.BaseExpression] | None:
    """``(name, value)`` for a line that is exactly ``name = value`` or ``name: T = value``."""
    if len(line.body) != 1:
        return None
    statement = line.body[0]
    if isinstance(statement, cst.Assign) and len(statement.targets) == 1 \
            and isinstance(statement.targets[0].target, cst.Name):
        return statement.targets[0].target.value, statement.value
    if isinstance(statement, cst.AnnAssign) and statement.value is not None and isinstance(statement.target, cst.Name):
        return statement.target.value, statement.value
    return None


def _function_facts(function: cst.FunctionDef, index: ModuleIndex) -> tuple[Counter[str], bool]:
    """How often each name is mentioned in the function, and whether it calls one of ``_INTROSPECTION``
    (memoised per function: every statement line asks)."""
    key = ("dead_store.function", id(function))
    found = index.memo.get(key)
    if found is None:
        mentions: Counter[str] = Counter()
        introspects = False
        for node in walk(function):
            if isinstance(node, cst.Name):
                mentions[node.value] += 1
            elif isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in _INTROSPECTION:
                introspects = True
        found = index.memo[key] = (mentions, introspects)
    return found  # type: ignore[return-value]


def dead_store(node_id: str, index: ModuleIndex) -> bool:
    """Is the line at ``node_id`` a store ``RemoveDeadStore`` may delete (see its docstring)?"""
    line = index.nodes[node_id]
    if not isinstance(line, cst.SimpleStatementLine):
        return False
    target = _dead_target(line)
    if target is None:
        return False
    block = index.nodes.get(index.parent_of(node_id) or "")
    if not isinstance(block, cst.IndentedBlock) or len(block.body) < 2:
        return False
    function = enclosing_function(index, line)
    if function is None:
        return False
    name, value = target
    mentions, introspects = _function_facts(function, index)
    return mentions[name] == 1 and not introspects and pure_expression(value, kinds(index))


class RemoveDeadStore(ChoiceOperator):
    """Delete ``name = <value>`` when nothing ever reads ``name``: the value is computed for nothing.

    Precondition: the line is exactly one assignment to a plain local name
    inside a function, and the function mentions that name nowhere else (no
    other read or write, no nested function, no ``global``/``nonlocal``; a
    ``locals()``, ``vars()``, ``eval`` or ``exec`` in the function rules it
    out); every call in the value is pure (allow-listed builtins and read-only
    methods, ``_purity``), with no ``:=``, ``yield`` or ``await``; and the line
    is not the only one of its block. Then no later result can depend on the
    line. What the deletion can change is an exception the discarded value
    raises on some input (``max`` of an empty window): the original fails
    there, the variant does not. The tests and the property test decide
    whether such an input occurs; a value the code reaches only when it
    cannot raise (the usual case, and the one in the examples) changes
    nothing. Params: none.
    """

    name = "remove_dead_store"
    family = SPEEDUP
    description = "remove a computation whose result is never used"
    node_types = (cst.SimpleStatementLine,)
    examples = (
        Example(
            before="def moving_average(values, window):\n    if window <= 0:\n        raise ValueError(window)\n"
                   "    out = []\n    total = 0\n"
                   "    for i, v in enumerate(values):\n        total += v\n        if i >= window:\n"
                   "            total -= values[i - window]\n        if i >= window - 1:\n"
                   "            peak = max(values[i - window + 1:i + 1])  # unused\n"
                   "            out.append(total / window)\n    return out\n",
            after="def moving_average(values, window):\n    if window <= 0:\n        raise ValueError(window)\n"
                  "    out = []\n    total = 0\n"
                  "    for i, v in enumerate(values):\n        total += v\n        if i >= window:\n"
                  "            total -= values[i - window]\n        if i >= window - 1:\n"
                  "            out.append(total / window)\n    return out\n",
            site=0,
        ),
        Example(
            before="def label(words):\n    n = len(words)\n    return ' '.join(sorted(words))\n",
            after="def label(words):\n    return ' '.join(sorted(words))\n",
        ),
    )

    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        return [{}] if dead_store(node_id, index) else []

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        return cst.RemovalSentinel.REMOVE
