"""Repair operators on conditions: a clause added or dropped, a guard inserted.

Their ingredients and the templates a crash calls for come from ``_conditions``;
these make no claim of equivalence.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import libcst as cst

from mutations._base import REPAIR, ChoiceOperator, Example, Params, Rewritten
from mutations._conditions import (
    CONDITION_HOLDERS,
    crash_templates,
    directions,
    guard_templates,
    ingredient_facts,
    ingredients,
    other_bound,
    range_form,
)
from mutations._index import MODULE_SCOPE, ModuleIndex
from mutations._kinds import BOOL, LIST, NONE, NUMERIC, STR, UNKNOWN, join, kinds
from mutations._names import free_names, names
from mutations._render import code, fit_in
from mutations._tree import enclosing_function, returns_of
from mutations.naturalness import (
    bag_similarity,
    naturalness_scores,
    rank_weights,
    tokens,
)
from mutations.repair_exprs import in_function_body
from mutations.statements import _in_loop, _is_block_statement


def _with_test(holder: cst.CSTNode, test: cst.BaseExpression) -> cst.CSTNode:
    """``holder`` (if/while/comprehension if/assert) with a new test, spaced as the keyword needs."""
    space = cst.SimpleWhitespace(" ")
    if isinstance(holder, cst.While):
        ws = holder.whitespace_after_while
        return holder.with_changes(test=test, whitespace_after_while=ws if ws.value else space)
    if isinstance(holder, cst.Assert):
        ws = holder.whitespace_after_assert
        return holder.with_changes(test=test, whitespace_after_assert=ws if ws.value else space)
    ws = holder.whitespace_before_test  # type: ignore[attr-defined]
    return holder.with_changes(test=test, whitespace_before_test=ws if ws.value else space)


def _joined(clause: cst.BaseExpression, op: str, test: cst.BaseExpression, left: bool) -> cst.BooleanOperation:
    operator = cst.And() if op == "and" else cst.Or()
    shell = cst.BooleanOperation(left=cst.Name("_"), operator=operator, right=cst.Name("_"))
    first, second = (clause, test) if left else (test, clause)
    return shell.with_changes(left=fit_in(first, shell, shell.left), right=fit_in(second, shell, shell.right))


class AddConditionClause(ChoiceOperator):
    """``if c:`` -> ``if x is None or c:`` / ``if current and c:`` with an ingredient.

    In: the test of an ``if``, ``while``, comprehension ``if`` or ``assert``
    inside a function. Out: the test joined by ``and``/``or`` with an
    ingredient (see the module docstring), on either side. Params:
    ``{"clause": code, "op": "and" | "or", "side": "left" | "right"}``.
    """

    name = "add_condition_clause"
    family = REPAIR
    description = "add a clause to a condition"
    node_types = CONDITION_HOLDERS
    examples = (
        Example(
            before="def restock(stock, minimum):\n    return [s for s, qty in stock.items() if qty < minimum]\n",
            after="def restock(stock, minimum):\n"
                  "    return [s for s, qty in stock.items() if qty is None or qty < minimum]\n",
            params={"clause": "qty is None", "op": "or", "side": "left"},
        ),
        Example(
            before="def wrap(words, width):\n    line = ''\n    for w in words:\n"
                   "        if len(line) + len(w) > width:  # full\n            yield line\n",
            after="def wrap(words, width):\n    line = ''\n    for w in words:\n"
                  "        if line and len(line) + len(w) > width:  # full\n            yield line\n",
            params={"clause": "line", "op": "and", "side": "left"},
        ),
    )

    def _is_site(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> bool:
        """Cheap: a condition inside a function (the ingredients are drawn when proposed)."""
        return in_function_body(node_id, index)

    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        if not in_function_body(node_id, index):
            return []
        test = node.test  # type: ignore[attr-defined]
        test_id = index.ids[test]
        return [{"clause": c, "op": op, "side": side}
                for c in ingredients(test, test_id, index) for op in ("and", "or") for side in ("left", "right")]

    def option_scores(self, node_id: str, options: list[dict[str, Any]], index: ModuleIndex) -> list[Any]:
        """Ranked by, in order:

        1. answering the failing tests' crash on this test (``crash_templates``: ``qty is None or``
           after a ``TypeError`` about ``NoneType``);
        2. completing a range check: the clause bounds a variable the test compares from the other
           side (``day < 1 or day > days_in_month(...)``), first as such a check is written
           (``range_form``), then written otherwise;
        3. not being a probe joined on the right: a probe never raises, so on the left it gives the
           same truth value and also guards the test (``qty is None or qty < minimum``);
        4. two rankings merged by Borda count (the sum of ``1 / rank``): how natural the new test
           reads (``mutations.naturalness``) and how much the condition the clause was taken from
           looks like this test (``t not in done`` from ``t not in done and not all(p in done for p
           in pre)`` for ``all(p in done for p in pre)``; the context similarity of CapGen, Wen et
           al., ICSE 2018).
        """
        test = index.nodes[node_id].test  # type: ignore[attr-defined]
        test_id = index.ids[test]
        probes, context = ingredient_facts(test, test_id, index)
        answers = crash_templates(test, test_id, index)
        bounds = directions(test)
        own = Counter(tokens(code(index, test)))
        natural = naturalness_scores(self, node_id, options, index)
        similar = [None if n is None else bag_similarity(context.get(o["clause"], Counter()), own)
                   for o, n in zip(options, natural)]
        holder = index.nodes[node_id]
        halves = [other_bound(o["clause"], bounds, index) for o in options]
        return [None if n is None else ((o["clause"], o["op"], o["side"]) in answers,
                                        h + (h and range_form(o["clause"], holder, index) == (o["op"], o["side"])),
                                        not (o["clause"] in probes and o["side"] == "right"), a + b)
                for o, n, h, a, b in zip(options, natural, halves, rank_weights(natural), rank_weights(similar))]

    def answers(self, node_id: str, index: ModuleIndex) -> bool:
        """An option here is one of ``crash_templates``."""
        if not index.crashes_on(node_id):
            return False
        test = index.nodes[node_id].test  # type: ignore[attr-defined]
        answers = crash_templates(test, index.ids[test], index)
        return any((o["clause"], o["op"], o["side"]) in answers for o in self.options(node_id, index))

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        clause = cst.parse_expression(params["clause"])
        test = updated.test  # type: ignore[attr-defined]
        return _with_test(updated, _joined(clause, params["op"], test, params["side"] == "left"))


class DropConditionClause(ChoiceOperator):
    """``a and b`` -> ``a`` (or ``b``): one operand of a boolean operation dropped.

    In: an ``and``/``or`` inside a function. Out: the operand kept, in the
    operation's place. Params: ``{"keep": "left" | "right"}``.
    """

    name = "drop_condition_clause"
    family = REPAIR
    description = "drop a clause from a condition"
    node_types = (cst.BooleanOperation,)
    examples = (
        Example(before="def f(x, y):\n    if x > 0 and y:  # both\n        return 1\n",
                after="def f(x, y):\n    if x > 0:  # both\n        return 1\n", params={"keep": "left"}),
    )

    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        return [{"keep": "left"}, {"keep": "right"}] if in_function_body(node_id, index) else []

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        assert isinstance(updated, cst.BooleanOperation)
        kept = updated.left if params["keep"] == "left" else updated.right
        if updated.lpar:
            return kept.with_changes(lpar=[*updated.lpar, *kept.lpar], rpar=[*kept.rpar, *updated.rpar])
        return kept


_DEFAULT_RETURNS = {NONE: ("None",), BOOL: ("False", "True"), STR: ('""',), LIST: ("[]",),
                    "number": ("0", "-1")}


def _return_choices(node_id: str, index: ModuleIndex) -> list[str]:
    """What a guard may return: the function's own return values, constants the file
    compares the function's result with, and defaults of the kind its returns have."""
    node = index.nodes[node_id]
    function = enclosing_function(index, node)
    if function is None:
        return []
    returns = returns_of(function)
    if not any(r.value is not None for r in returns):
        return ["return"]
    infer = kinds(index)
    kind = join([NONE if r.value is None else infer.of(r.value) for r in returns])
    values = [code(index, r.value) for r in returns if r.value is not None]
    values += _sentinels(function.name.value, index)
    for group, defaults in _DEFAULT_RETURNS.items():
        if kind == UNKNOWN or kind == group or group == "number" and kind in NUMERIC or group == NONE:
            values += defaults
    scope = names(index)
    return [f"return {v}" for v in dict.fromkeys(values)
            if "\n" not in v and scope.can_read(node_id, free_names(cst.parse_expression(v)))]


def _sentinels(function: str, index: ModuleIndex) -> list[str]:
    """Constants the file compares a call of ``function`` with (``f(x) != -1``)."""
    out = []
    for node in index.ids:
        if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
            sides = (node.left, node.comparisons[0].comparator)
            for call, other in (sides, sides[::-1]):
                if isinstance(call, cst.Call) and isinstance(call.func, cst.Name) and call.func.value == function \
                        and kinds(index).of(other) != UNKNOWN and not free_names(other):
                    out.append(code(index, other))
    return out


def _guard_focus(statement: cst.CSTNode) -> cst.CSTNode:
    """What a guard before ``statement`` protects: its test, its iterable, or the simple statement."""
    if isinstance(statement, (cst.If, cst.While)):
        return statement.test
    return statement.iter if isinstance(statement, cst.For) else statement


def is_docstring(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1 and isinstance(node.body[0], cst.Expr) \
        and isinstance(node.body[0].value, (cst.SimpleString, cst.ConcatenatedString))


def _guard_place(node: cst.CSTNode, node_id: str, index: ModuleIndex) -> bool:
    return node_id in index.statements and _is_block_statement(node_id, index) and not is_docstring(node) \
        and index.scope_of(node_id) != MODULE_SCOPE


class InsertGuard(ChoiceOperator):
    """Insert ``if <condition>: return <value>`` (or ``continue``/``break``) before a statement.

    In: a statement of a function's block. Out: a guard before it, its
    condition an ingredient (see the module docstring), its jump a
    ``continue``/``break`` inside a loop or a ``return`` of a value the
    function returns elsewhere, a constant callers compare its result with, or
    a default of its return kind (``0``, ``""``, ``None``…). Params:
    ``{"test": code, "then": code of the jump}``.
    """

    name = "insert_guard"
    family = REPAIR
    description = "insert a guard before a statement"
    node_types = (cst.SimpleStatementLine, cst.If, cst.For, cst.While, cst.With, cst.Try)
    examples = (
        Example(
            before="def average(text):\n    found = text.split()\n    # mean length\n"
                   "    return sum(len(w) for w in found) / len(found)\n",
            after="def average(text):\n    found = text.split()\n    if not found:\n        return 0\n"
                  "    # mean length\n    return sum(len(w) for w in found) / len(found)\n",
            site=1, params={"test": "not found", "then": "return 0"},
        ),
    )

    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        if not _guard_place(node, node_id, index):
            return []
        jumps = (["continue", "break"] if _in_loop(node_id, index) else []) + _return_choices(node_id, index)
        focus = _guard_focus(node)
        return [{"test": t, "then": j} for t in ingredients(focus, node_id, index) for j in jumps]

    def _is_site(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> bool:
        """Cheap: any statement of a function's block (its options are drawn when proposed)."""
        return _guard_place(node, node_id, index)

    def _templates(self, node_id: str, index: ModuleIndex) -> set[str]:
        """``guard_templates`` for the statement at ``node_id`` (memoised)."""
        key = ("guard_templates", node_id)
        if key not in index.memo:
            focus = _guard_focus(index.nodes[node_id])
            index.memo[key] = guard_templates(focus, index.ids[focus], node_id, index) if index.crashes else set()
        return index.memo[key]  # type: ignore[return-value]

    def option_scores(self, node_id: str, options: list[dict[str, Any]], index: ModuleIndex) -> list[Any]:
        """A guard whose test answers the failing tests' crash on the statement (``guard_templates``:
        ``if reading is None: continue`` before ``stamp, sensor, value = reading`` raised about
        ``NoneType``) ranks first; then how natural the guarded code reads (``mutations.naturalness``)."""
        answers = self._templates(node_id, index)
        natural = naturalness_scores(self, node_id, options, index)
        return [None if n is None else (o["test"] in answers, n) for o, n in zip(options, natural)]

    def answers(self, node_id: str, index: ModuleIndex) -> bool:
        """An option's test is one of ``guard_templates``."""
        answers = self._templates(node_id, index) if _guard_place(index.nodes[node_id], node_id, index) else set()
        return bool(answers) and any(o["test"] in answers for o in self.options(node_id, index))

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        jump = cst.parse_statement(params["then"] + "\n")
        guard = cst.If(test=cst.parse_expression(params["test"]), body=cst.IndentedBlock(body=[jump]))
        return cst.FlattenSentinel([guard, updated])
