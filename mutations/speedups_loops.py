"""Speed-ups that move work out of a loop: an invariant call hoisted (a sort done once: ``speedups_sort``).

Both rewrites change *when* something is computed, never *what*: each
operator's docstring states the precondition under which no input can tell the
difference (``_loops`` does the analysis; the allow-lists are in ``_kinds``).
Introduced names come from the expression (``n_points``, ``lowered``,
``smallest``), never from a counter.
"""

from __future__ import annotations

import random
from typing import Any

import libcst as cst

from mutations._base import SPEEDUP, Example, Operator, Params, Rewritten
from mutations._index import ModuleIndex
from mutations._kinds import ITERATOR, STR, STR_METHODS, UNHASHABLE, kinds
from mutations._loops import NESTED_SCOPES, impure_calls, runs_at_least_once, unguarded, written
from mutations._names import VALUE, free_names, names
from mutations._purity import pure_expression
from mutations._render import bare
from mutations._tree import dotted, enclosing_function, walk, walk_own

# --- naming -------------------------------------------------------------------

_FUNCTION_NAMES = {"min": "smallest", "max": "largest", "sum": "total", "abs": "magnitude", "round": "rounded",
                   "sorted": "ordered", "str": "text", "int": "number", "float": "number", "tuple": "items"}
_METHOD_NAMES = {"lower": "lowered", "upper": "uppercased", "casefold": "folded", "strip": "stripped",
                 "lstrip": "stripped", "rstrip": "stripped", "title": "titled", "capitalize": "capitalized",
                 "replace": "replaced", "split": "parts", "splitlines": "lines", "find": "position",
                 "count": "count", "startswith": "starts", "endswith": "ends", "join": "joined"}


def _root_word(node: cst.CSTNode) -> str:
    """The last plain word of an expression: ``points`` for ``self.points[0]``."""
    while isinstance(node, (cst.Subscript, cst.Call)):
        node = node.value if isinstance(node, cst.Subscript) else node.func
    if isinstance(node, cst.Attribute):
        return node.attr.value.strip("_")
    return node.value.strip("_") if isinstance(node, cst.Name) else "value"


def describe_name(call: cst.Call) -> tuple[str, str]:
    """A name for the value of ``call`` and a longer one for when the first is taken."""
    func = call.func
    argument = _root_word(call.args[0].value) if call.args else ""
    if isinstance(func, cst.Attribute) and not isinstance(func.value, cst.Name) or \
            isinstance(func, cst.Attribute) and func.attr.value in _METHOD_NAMES:
        word = _METHOD_NAMES.get(func.attr.value, func.attr.value)
        return word, f"{_root_word(func.value)}_{word}"
    name = dotted(func).split(".")[-1] or "value"
    if name == "len":
        return f"n_{argument or 'items'}", f"n_{argument or 'items'}_total"
    word = _FUNCTION_NAMES.get(name, f"{name}_{argument}" if argument else name)
    return word, f"{word}_{argument}" if argument and not word.endswith(argument) else f"{word}_value"


def fresh_name(candidates: tuple[str, str], function: cst.CSTNode | None, index: ModuleIndex,
               also_taken: frozenset[str] = frozenset()) -> str:
    """The first candidate no name in the function (or the module), nor ``also_taken``, already uses."""
    scope = function if function is not None else index.module
    taken = _plain_names(scope) | _module_names(index) | also_taken
    for candidate in candidates:
        if candidate.isidentifier() and candidate not in taken:
            return candidate
    base, number = candidates[-1], 2
    while f"{base}_{number}" in taken:
        number += 1
    return f"{base}_{number}"


def _plain_names(node: cst.CSTNode) -> set[str]:
    """Every name mentioned in ``node``, not counting attribute names (``x.name`` takes no name)."""
    attributes = {id(n.attr) for n in walk(node) if isinstance(n, cst.Attribute)}
    return {n.value for n in walk(node) if isinstance(n, cst.Name) and id(n) not in attributes}


def _module_names(index: ModuleIndex) -> set[str]:
    return set().union(*(_plain_names(s) for s in index.module.body
                         if not isinstance(s, (cst.FunctionDef, cst.ClassDef))))


# --- hoisting a call ----------------------------------------------------------

_TOTAL_BUILTINS = frozenset({"len", "str", "repr", "abs", "round", "bool", "isinstance", "tuple", "frozenset", "hash",
                             "ord", "chr", "sorted", "list", "set", "dict"})
"""Builtins that raise at most a TypeError on a wrong type (never on a value of the right type)."""
_SEPARATED = frozenset({"split", "rsplit", "partition", "rpartition"})
_RAISING_METHODS = frozenset({"index", "rindex", "encode", "format", "removeprefix", "removesuffix"})


def _total(call: cst.Call, index: ModuleIndex) -> bool:
    """Can the call only fail on an argument of the wrong type? (``max([])`` fails on a value.)"""
    for node in walk(call):
        if not isinstance(node, cst.Call):
            continue
        func = node.func
        if isinstance(func, cst.Name) and func.value in _TOTAL_BUILTINS and not _has_key(node):
            continue
        if isinstance(func, cst.Attribute) and func.attr.value in STR_METHODS and \
                func.attr.value not in _RAISING_METHODS:
            if func.attr.value not in _SEPARATED or all(_non_empty_literal(a.value) for a in node.args):
                continue
        if isinstance(func, cst.Attribute) and func.attr.value in ("join", "count", "replace") \
                and kinds(index).of(func.value) == STR:
            continue  # str.join/count/replace raise only on arguments that are not strings
        return False
    return True


def _has_key(call: cst.Call) -> bool:
    return any(a.keyword is not None for a in call.args)


def _non_empty_literal(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.SimpleString) and len(node.evaluated_value) > 0  # type: ignore[arg-type]


def _reads(expr: cst.CSTNode) -> bool:
    """Only names, attributes, subscripts, constants, arithmetic and calls: no comprehension."""
    return not any(isinstance(n, NESTED_SCOPES) for n in walk(expr))


def aliased(names_: set[str], function: cst.FunctionDef | None) -> bool:
    """Is one of the names bound to, or from, another plain name (``alias = values``)?"""
    if function is None:
        return True
    for node in walk_own(function.body):
        if isinstance(node, cst.Assign) and isinstance(node.value, cst.Name):
            targets = {t.target.value for t in node.targets if isinstance(t.target, cst.Name)}
            if node.value.value in names_ or targets & names_:
                return True
    return False


def hoistable_calls(loop_id: str, index: ModuleIndex) -> list[str]:
    """Ids of the calls in the loop's body that ``HoistInvariantCall`` may hoist (see its docstring)."""
    key = ("hoistable", loop_id)
    if key in index.memo:
        return index.memo[key]  # type: ignore[return-value]
    found: list[str] = []
    loop = index.nodes[loop_id]
    function = enclosing_function(index, loop)
    if isinstance(loop, cst.For) and loop.asynchronous is None and function is not None:
        infer = kinds(index)
        writes = written(loop, infer)
        impure = impure_calls(loop.body, infer)
        once = runs_at_least_once(loop_id, index)
        module = names(index).bindings(names(index).scope(index.module))  # type: ignore[arg-type]
        globals_ = {n for n, b in module.items() if b.kind == VALUE}
        local = set(names(index).visible(loop_id)) - set(module)
        for node in walk_own(loop.body, into_comprehensions=False):
            if not isinstance(node, cst.Call) or not _reads(node) or not pure_expression(node, infer):
                continue
            call_id = index.ids[node]
            if isinstance(index.nodes.get(index.parent_of(call_id) or ""), (cst.Expr, cst.Await)):
                continue
            reads = set(free_names(node))
            if reads & writes or infer.of(node) in UNHASHABLE | {ITERATOR}:
                continue
            if (reads & globals_ and impure) or aliased(reads & local, function):
                continue
            if not unguarded(call_id, loop_id, index) or not (once or _total(node, index)):
                continue
            found.append(call_id)
    index.memo[key] = found
    return found


_DEFINITIONS = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


class _ReplaceEqual(cst.CSTTransformer):
    """Replace every expression equal to ``target`` by the name ``name``, not entering ``opaque`` nodes."""

    def __init__(self, target: cst.BaseExpression, name: str, opaque: tuple[type[cst.CSTNode], ...]) -> None:
        super().__init__()
        self.target, self.name, self.opaque, self.count = target, name, opaque, 0

    def on_visit(self, node: cst.CSTNode) -> bool:
        return not isinstance(node, self.opaque)

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> cst.CSTNode:
        if type(original_node) is not type(self.target) or not original_node.deep_equals(self.target):
            return updated_node
        self.count += 1
        return cst.Name(self.name, lpar=original_node.lpar, rpar=original_node.rpar)  # type: ignore[attr-defined]


def bind_before(loop: cst.For, updated: cst.For, values: list[tuple[cst.BaseExpression, cst.BaseExpression,
                                                                    tuple[str, str]]],
                index: ModuleIndex, opaque: tuple[type[cst.CSTNode], ...] = _DEFINITIONS) -> Rewritten:
    """``updated`` (the rewrite of the original ``loop``) with each ``(target, value, names)`` bound
    before it: ``name = value`` under a fresh name from ``names``, and every expression equal to
    ``target`` in the loop's body (not inside ``opaque`` nodes) reading ``name`` instead. A target no
    longer found (it was inside one bound before it) is skipped; ``None`` if none is found. The loop's
    leading comments go above the first new line. Shared by ``HoistInvariantCall`` and
    ``speedups_alias.AliasAttribute``."""
    function = enclosing_function(index, loop)
    body, assigns, taken = updated.body, [], frozenset[str]()
    for target, value, names_ in values:
        name = fresh_name(names_, function, index, taken)
        replacer = _ReplaceEqual(target, name, opaque)
        body = body.visit(replacer)
        if not replacer.count:
            continue  # inside a target bound before it: computed within that one, once
        taken |= {name}
        assigns.append(cst.SimpleStatementLine(body=[cst.Assign(targets=[cst.AssignTarget(cst.Name(name))],
                                                                value=value)]))
    if not assigns:
        return None
    assigns[0] = assigns[0].with_changes(leading_lines=updated.leading_lines)
    return cst.FlattenSentinel([*assigns, updated.with_changes(body=body, leading_lines=[])])


EVERY = "every"
"""``HoistInvariantCall``'s parameter for hoisting each of the loop's hoistable calls in one edit."""


class HoistInvariantCall(Operator):
    """Compute a loop-invariant call once, before the loop, in a variable named after it.

    Precondition (all checked; otherwise the call is not offered):

    - the call and every call inside it are pure (``_kinds``: allow-listed
      builtins, ``str`` methods by name, read-only methods on receivers of a
      known kind, some ``math``/``bisect`` functions; never ``heapq.heappop``,
      ``random.randrange``, ``queue.get``), and its value is not a new list,
      dict, set or iterator (hoisting would share one object between iterations);
    - the loop writes none of the names it reads: no assignment, no mutating
      method, no passing them to a call off the allow-list; a module-level name
      counts as written if the loop makes any call off the allow-list; no local
      is an alias of another (``alias = values``);
    - it is not guarded: it runs on every iteration, before anything that could
      skip it (an ``if`` branch, ``continue``, the right of ``and``, a ``try``…);
    - the hoisted call also runs when the loop runs zero times. So either the
      loop provably runs (an ``if not xs: return`` before ``for x in xs``), or
      the call cannot fail on values of the right type (``len``, ``str``
      methods without a separator argument…), or the loop would raise the same
      error on its first iteration anyway. Arguments are taken to be
      collections, not one-shot iterators (an iterator consumed by the call and
      by the loop breaks the original code already).

    Every equal call in the loop is replaced. Params: ``{"call": id of the
    call}``, or ``{"call": "every"}`` (offered when the loop has two or more
    different hoistable calls, as ``min(values)`` and ``max(values)``): each
    is hoisted, in the loop's order, in one edit, because hoisting one of
    two quadratic calls leaves the loop quadratic and earns the search little.
    """

    name = "hoist_invariant_call"
    family = SPEEDUP
    description = "hoist a loop-invariant call out of a loop"
    node_types = (cst.For,)
    examples = (
        Example(
            before="def f(data):\n    out = []\n    # scale\n    for x in data:\n"
                   "        out.append(x / len(data))  # share\n    return out\n",
            after="def f(data):\n    out = []\n    # scale\n    n_data = len(data)\n    for x in data:\n"
                  "        out.append(x / n_data)  # share\n    return out\n",
            params={"call": "Call@5:23-5:32"},
        ),
        Example(
            before="def matching(names, typed):\n    found = []\n    for name in names:\n"
                   "        if name.lower().startswith(typed.strip().lower()):\n            found.append(name)\n"
                   "    return found\n",
            after="def matching(names, typed):\n    found = []\n    lowered = typed.strip().lower()\n"
                  "    for name in names:\n        if name.lower().startswith(lowered):\n"
                  "            found.append(name)\n    return found\n",
            params={"call": "Call@4:35-4:56"},
        ),
        Example(
            before="def scale(values):\n    if not values:\n        return []\n    out = []\n"
                   "    for v in values:\n        out.append(v - min(values))\n    return out\n",
            after="def scale(values):\n    if not values:\n        return []\n    out = []\n"
                  "    smallest = min(values)\n    for v in values:\n        out.append(v - smallest)\n"
                  "    return out\n",
            params={"call": "Call@6:23-6:34"},
        ),
        Example(
            before="def scale(values):\n    if not values:\n        return []\n    out = []\n"
                   "    for v in values:\n        out.append((v - min(values)) / (max(values) - min(values)))\n"
                   "    return out\n",
            after="def scale(values):\n    if not values:\n        return []\n    out = []\n"
                  "    smallest = min(values)\n    largest = max(values)\n    for v in values:\n"
                  "        out.append((v - smallest) / (largest - smallest))\n    return out\n",
            params={"call": EVERY},
        ),
    )

    def _is_site(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> bool:
        return bool(hoistable_calls(node_id, index))

    def propose(self, node_id: str, index: ModuleIndex, rng: random.Random) -> dict[str, Any] | None:
        calls = hoistable_calls(node_id, index)
        choices = calls + ([EVERY] if len(_distinct(calls, index)) > 1 else [])
        return {"call": rng.choice(choices)} if calls else None

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        assert isinstance(updated, cst.For)
        calls = hoistable_calls(node_id, index)
        if params["call"] == EVERY:
            targets = _distinct(calls, index)
            if len(targets) < 2:
                return None
        elif params["call"] in calls:
            targets = [params["call"]]
        else:
            return None
        assert isinstance(original, cst.For)
        found = [index.nodes[c] for c in targets]
        return bind_before(original, updated, [(c, bare(c), describe_name(c)) for c in found],  # type: ignore[misc]
                           index)


def _distinct(calls: list[str], index: ModuleIndex) -> list[str]:
    """The first of each group of equal calls (``min(values)`` twice counts once), in order."""
    found: list[str] = []
    for call_id in calls:
        if not any(index.nodes[call_id].deep_equals(index.nodes[other]) for other in found):
            found.append(call_id)
    return found
