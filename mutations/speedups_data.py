"""Speed-ups by a better data structure: membership in a set, a queue that pops from the left.

A list only tested for membership becomes a set; a list used as a FIFO queue
becomes a ``collections.deque``. Each is offered only when every use of the
container is one the new type answers the same way (the docstrings list them).
"""

from __future__ import annotations

import re
from typing import Any

import libcst as cst

from mutations._base import SPEEDUP, ChoiceOperator, Example, Operator, Params, Rewritten
from mutations._index import ModuleIndex
from mutations._kinds import kinds
from mutations._tree import enclosing_function, walk

# --- membership in a constant display -----------------------------------------

_CONSTANT_NODES = (cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString)
_ALL_CAPS = re.compile(r"[A-Z][A-Z0-9_]*\Z")


def _is_constant(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Name):
        return node.value in ("True", "False", "None")
    if isinstance(node, cst.UnaryOperation):
        return isinstance(node.operator, cst.Minus) and isinstance(node.expression, _CONSTANT_NODES)
    return isinstance(node, _CONSTANT_NODES)


def _constant_display(node: cst.CSTNode) -> bool:
    """A non-empty list or tuple display of hashable constants only."""
    if not isinstance(node, (cst.List, cst.Tuple)) or not node.elements:
        return False
    return all(isinstance(e, cst.Element) and _is_constant(e.value) for e in node.elements)


def _membership_operand(node_id: str, index: ModuleIndex) -> bool:
    """Is the node the right-hand side of an ``in``/``not in``?"""
    parent = index.nodes.get(index.parent_of(node_id) or "")
    return (isinstance(parent, cst.ComparisonTarget) and isinstance(parent.operator, (cst.In, cst.NotIn))
            and parent.comparator is index.nodes[node_id])


def _constant_name(node_id: str, index: ModuleIndex) -> str | None:
    """``NAME`` if the node is the value of a module-level ``NAME = ...`` statement."""
    assign_id = index.parent_of(node_id) or ""
    assign = index.nodes.get(assign_id)
    if not isinstance(assign, cst.Assign) or assign.value is not index.nodes[node_id]:
        return None
    line = index.parent_of(assign_id) or ""
    if not isinstance(index.nodes.get(index.parent_of(line) or ""), cst.Module) or len(assign.targets) != 1:
        return None
    target = assign.targets[0].target
    return target.value if isinstance(target, cst.Name) and _ALL_CAPS.match(target.value) else None


def _constant_uses(node_id: str, index: ModuleIndex) -> list[str] | None:
    """For the value of ``NAME = ...`` (see ``_constant_name``), the ids of every other mention of
    ``NAME`` in the module; ``None`` for any other node."""
    name = _constant_name(node_id, index)
    if name is None:
        return None
    binding = index.nodes[index.parent_of(node_id) or ""].targets[0].target  # type: ignore[attr-defined]
    return [i for i, n in index.nodes.items() if isinstance(n, cst.Name) and n.value == name and n is not binding]


def _as_set(node: cst.List | cst.Tuple) -> cst.Set:
    """The same elements between braces; the display's own brackets give their spacing."""
    if isinstance(node, cst.List):
        return cst.Set(elements=node.elements, lpar=node.lpar, rpar=node.rpar,
                       lbrace=cst.LeftCurlyBrace(whitespace_after=node.lbracket.whitespace_after),
                       rbrace=cst.RightCurlyBrace(whitespace_before=node.rbracket.whitespace_before))
    if not node.lpar:
        return cst.Set(elements=node.elements)
    return cst.Set(elements=node.elements, lpar=node.lpar[:-1], rpar=node.rpar[1:],
                   lbrace=cst.LeftCurlyBrace(whitespace_after=node.lpar[-1].whitespace_after),
                   rbrace=cst.RightCurlyBrace(whitespace_before=node.rpar[0].whitespace_before))


class MembershipToSet(Operator):
    """``x in [1, 2, 3]`` -> ``x in {1, 2, 3}``, and ``NAMES = [...]`` -> ``NAMES = {...}``
    when the module only ever tests membership in ``NAMES``.

    Precondition: a display of hashable constants, tested only for
    membership. Membership by hash then equality answers as the list's
    equality scan does, for every hashable operand; an unhashable operand
    (a list) raises ``TypeError`` instead of answering ``False``, which the
    tests see if they exercise it. Params: none.
    """

    name = "membership_to_set"
    family = SPEEDUP
    description = "test membership in a set instead of a list or tuple"
    node_types = (cst.List, cst.Tuple)
    examples = (
        Example(before="def f(x):\n    return x in [1, 2, 3]  # small\n",
                after="def f(x):\n    return x in {1, 2, 3}  # small\n"),
        Example(before="ok = c not in ( 'a', 'b' )\n", after="ok = c not in { 'a', 'b' }\n"),
        Example(
            before='STOPWORDS = ["a", "the"]\n\n\ndef keep(w):\n    return w not in STOPWORDS\n',
            after='STOPWORDS = {"a", "the"}\n\n\ndef keep(w):\n    return w not in STOPWORDS\n',
        ),
    )

    def footprint(self, node_id: str, index: ModuleIndex) -> tuple[str, ...]:
        """The display and, for ``NAMES = [...]``, every ``... in NAMES`` of the module."""
        return (node_id, *(_constant_uses(node_id, index) or ()))

    def _is_site(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> bool:
        if not _constant_display(node):
            return False
        if _membership_operand(node_id, index):
            return True
        uses = _constant_uses(node_id, index)  # NAME = [...]: tested only for membership, at least once
        return bool(uses) and all(_membership_operand(u, index) for u in uses)

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        return _as_set(updated) if _constant_display(updated) else None  # type: ignore[arg-type]


# --- a local list: the shared analysis ----------------------------------------


def _list_value(node: cst.CSTNode) -> bool:
    """``[]``, ``[a, b]``, ``[e for ...]`` or ``list(x)``."""
    if isinstance(node, (cst.List, cst.ListComp)):
        return True
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "list" \
        and len(node.args) == 1 and node.args[0].keyword is None and not node.args[0].star


def _uses(node_id: str, index: ModuleIndex, allowed: tuple[str, ...]) -> dict[str, list[str]] | None:
    """For ``name = <list>`` at ``node_id`` (the value's id): the ids of every other use of
    ``name`` in the function, by kind of use, if all are among ``allowed`` (``member``,
    ``truth``, ``len``, and method names), else ``None``. The name must be bound once."""
    value = index.nodes[node_id]
    assign = index.nodes.get(index.parent_of(node_id) or "")
    if not (isinstance(assign, cst.Assign) and assign.value is value and len(assign.targets) == 1
            and isinstance(assign.targets[0].target, cst.Name) and _list_value(value)):
        return None
    function = enclosing_function(index, assign)
    if function is None or "list" in kinds(index).shadowed:
        return None
    name = assign.targets[0].target.value
    binding = assign.targets[0].target
    found: dict[str, list[str]] = {}
    for node in walk(function):
        if not (isinstance(node, cst.Name) and node.value == name) or node is binding:
            continue
        use_id = index.ids[node]
        kind, where = _use_kind(use_id, index)
        if kind not in allowed or _in_nested_def(use_id, function, index):
            return None
        found.setdefault(kind, []).append(where)
    if any(isinstance(n, (cst.Global, cst.Nonlocal)) for n in walk(function)):
        return None
    return found


def _in_nested_def(node_id: str, function: cst.FunctionDef, index: ModuleIndex) -> bool:
    for ancestor in index.ancestors(node_id):
        node = index.nodes[ancestor]
        if node is function:
            return False
        if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            return True
    return False


def _use_kind(use_id: str, index: ModuleIndex) -> tuple[str, str]:
    """How the name at ``use_id`` is used: ``("member", id)``, ``("truth", id)``,
    ``("len", id)``, ``("<method>", call id)``, ``("pop0", call id)`` or ``("other", id)``."""
    node = index.nodes[use_id]
    parent_id = index.parent_of(use_id) or ""
    parent = index.nodes.get(parent_id)
    if _membership_operand(use_id, index):
        return "member", use_id
    if isinstance(parent, (cst.If, cst.While)) and parent.test is node or \
            isinstance(parent, cst.UnaryOperation) and isinstance(parent.operator, cst.Not):
        return "truth", use_id
    if isinstance(parent, cst.Attribute) and parent.value is node:
        call_id = index.parent_of(parent_id) or ""
        call = index.nodes.get(call_id)
        if isinstance(call, cst.Call) and call.func is parent:
            method = parent.attr.value
            if method == "pop" and len(call.args) == 1 and isinstance(call.args[0].value, cst.Integer) \
                    and call.args[0].value.value == "0":
                return "pop0", call_id
            return method, call_id
    if isinstance(parent, cst.Arg):
        call = index.nodes.get(index.parent_of(parent_id) or "")
        if isinstance(call, cst.Call) and isinstance(call.func, cst.Name) and call.func.value == "len" \
                and len(call.args) == 1:
            return "len", use_id
    return "other", use_id


def _with_method(call: cst.CSTNode, method: str) -> cst.CSTNode:
    assert isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
    return call.with_changes(func=call.func.with_changes(attr=cst.Name(method)))


# --- a local list only tested for membership ----------------------------------

_SET_METHODS = {"append": "add", "extend": "update"}


class LocalListToSet(ChoiceOperator):
    """A local list only tested for membership becomes a set: ``seen = []`` -> ``seen = set()``,
    ``seen.append(x)`` -> ``seen.add(x)``, ``[e for ...]`` -> ``{e for ...}``.

    Precondition: the list is a local bound once (to ``[]``, a display, a
    comprehension or ``list(x)``), and every other use in the function is
    ``... in name``/``not in name``, ``name.append(x)`` or ``name.extend(xs)``
    (not in a nested function): no order, length, index or identity is ever
    observed, only membership, which a set answers the same way for hashable
    elements. An unhashable element raises ``TypeError``, which the tests see.
    Params: ``{"calls": comma-separated ids of the append/extend calls}``.
    """

    name = "local_list_to_set"
    family = SPEEDUP
    description = "keep a membership-only local list as a set"
    node_types = (cst.List, cst.ListComp, cst.Call)
    examples = (
        Example(
            before="def unique(items):\n    seen = []\n    out = []\n    for item in items:\n"
                   "        if item not in seen:\n            seen.append(item)\n            out.append(item)\n"
                   "    return out\n",
            after="def unique(items):\n    seen = set()\n    out = []\n    for item in items:\n"
                  "        if item not in seen:\n            seen.add(item)\n            out.append(item)\n"
                  "    return out\n",
            params={"calls": "Call@6:12-6:29"},
        ),
        Example(
            before="def keep(words, banned):\n    low = [b.lower() for b in banned]\n"
                   "    return [w for w in words if w.lower() not in low]\n",
            after="def keep(words, banned):\n    low = {b.lower() for b in banned}\n"
                  "    return [w for w in words if w.lower() not in low]\n",
            params={"calls": ""},
        ),
    )

    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        uses = _uses(node_id, index, ("member", "append", "extend"))
        if uses is None or "member" not in uses or "set" in kinds(index).shadowed:
            return []
        return [{"calls": ",".join(uses.get("append", []) + uses.get("extend", []))}]

    def footprint(self, node_id: str, index: ModuleIndex) -> tuple[str, ...]:
        """The list and every use of it: the membership tests are what gets faster."""
        uses = _uses(node_id, index, ("member", "append", "extend")) or {}
        return (node_id, *(i for found in uses.values() for i in found))

    def touched(self, node_id: str, params: Params) -> tuple[str, ...]:
        return (node_id, *_ids(params))

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        if visiting != node_id:
            method = updated.func.attr.value if isinstance(updated, cst.Call) and \
                isinstance(updated.func, cst.Attribute) else ""
            return _with_method(updated, _SET_METHODS[method]) if method in _SET_METHODS else None
        return _to_set(updated)


def _ids(params: Params) -> tuple[str, ...]:
    calls = params.get("calls", "")
    return tuple(c for c in calls.split(",") if c) if isinstance(calls, str) else ()


def _to_set(node: cst.CSTNode) -> cst.CSTNode:
    if isinstance(node, cst.ListComp):
        return cst.SetComp(elt=node.elt, for_in=node.for_in, lpar=node.lpar, rpar=node.rpar,
                           lbrace=cst.LeftCurlyBrace(whitespace_after=node.lbracket.whitespace_after),
                           rbrace=cst.RightCurlyBrace(whitespace_before=node.rbracket.whitespace_before))
    if isinstance(node, cst.List):
        if not node.elements:
            return cst.Call(func=cst.Name("set"), lpar=node.lpar, rpar=node.rpar)
        return _as_set(node)
    assert isinstance(node, cst.Call)
    return node.with_changes(func=cst.Name("set"))


# --- a list used as a FIFO queue ----------------------------------------------


class Pop0ToDeque(ChoiceOperator):
    """A local list served with ``pop(0)`` becomes a ``collections.deque`` served with ``popleft()``.

    Precondition: the list is a local bound once (to ``[]``, a display, a
    comprehension or ``list(x)``); every other use in the function is
    ``q.pop(0)``, ``q.pop()``, ``q.append(x)``, ``q.extend(xs)``, truth
    (``while q``, ``not q``), ``len(q)`` or membership, with at least one
    ``pop(0)``: operations a deque answers exactly as a list does (an empty
    queue raises ``IndexError`` in both). It is never indexed, sliced,
    returned, compared or handed to another call. A list comprehension becomes
    the generator the deque consumes; the module's other imports are kept
    and ``import collections`` added if missing.
    Params: ``{"calls": comma-separated ids of the pop(0) calls}``.
    """

    name = "pop0_to_deque"
    family = SPEEDUP
    description = "use collections.deque for a queue served from the left"
    node_types = (cst.List, cst.ListComp, cst.Call)
    examples = (
        Example(
            before="def serve(jobs):\n    queue = [j for j in jobs if j]\n    done = []\n    while queue:\n"
                   "        job = queue.pop(0)  # oldest\n        done.append(job)\n    return done\n",
            after="import collections\n\n\ndef serve(jobs):\n    queue = collections.deque(j for j in jobs if j)\n"
                  "    done = []\n    while queue:\n        job = queue.popleft()  # oldest\n        done.append(job)\n"
                  "    return done\n",
            params={"calls": "Call@5:14-5:26"},
        ),
    )

    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        allowed = ("pop0", "pop", "append", "extend", "truth", "len", "member")
        uses = _uses(node_id, index, allowed)
        if uses is None or "pop0" not in uses or "collections" in kinds(index).shadowed - _imported(index):
            return []
        if any(len(index.nodes[c].args) for c in uses.get("pop", [])):  # type: ignore[attr-defined]
            return []
        return [{"calls": ",".join(uses["pop0"])}]

    def touched(self, node_id: str, params: Params) -> tuple[str, ...]:
        return (node_id, *_ids(params))

    def imports(self, params: Params) -> tuple[str, ...]:
        return ("collections",)

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        if visiting != node_id:
            return _with_method(updated, "popleft").with_changes(args=[])  # type: ignore[attr-defined]
        deque = cst.Attribute(value=cst.Name("collections"), attr=cst.Name("deque"))
        if isinstance(updated, cst.ListComp):
            inner = cst.GeneratorExp(elt=updated.elt, for_in=updated.for_in, lpar=[], rpar=[])
            return cst.Call(func=deque, args=[cst.Arg(inner)], lpar=updated.lpar, rpar=updated.rpar)
        if isinstance(updated, cst.List):
            args = [cst.Arg(updated)] if updated.elements else []
            return cst.Call(func=deque, args=args)
        assert isinstance(updated, cst.Call)
        return updated.with_changes(func=deque)


def _imported(index: ModuleIndex) -> frozenset[str]:
    return frozenset(alias.evaluated_name for node in walk(index.module) if isinstance(node, cst.Import)
                     for alias in node.names if alias.asname is None)
