"""Semantic operators: rewrites that aim at speed rather than at random variation.

Each one is a known-good refactoring pattern (memoise a function, membership in
a set, hoist a loop invariant, a builtin instead of a Python loop). The guards
are syntactic and conservative: they make sure the rewrite compiles and is
*plausibly* equivalent; the test suite decides whether it really is.

The module is past the usual size (~500 lines) because the two loop operators
share the name analysis below (which names a loop writes, which a call reads)
and the guards that keep each rewrite compilable; splitting it would put that
analysis in a module of its own, which is the next step if a loop operator is
added.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import libcst as cst

from mutations._base import Example, Operator, Params, Rewritten
from mutations._index import MODULE_SCOPE, ModuleIndex

_NESTED_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp,
                  cst.GeneratorExp)


def _walk(node: cst.CSTNode, into_scopes: bool = True) -> Iterator[cst.CSTNode]:
    """``node`` and its descendants in tree order (optionally not entering nested scopes)."""
    yield node
    for child in node.children:
        if into_scopes or not isinstance(child, _NESTED_SCOPES):
            yield from _walk(child, into_scopes)


def _contains(node: cst.CSTNode, kinds: tuple[type[cst.CSTNode], ...]) -> bool:
    return any(isinstance(n, kinds) for n in _walk(node))


def _dotted(node: cst.CSTNode) -> str:
    """``functools.lru_cache`` for a Name/Attribute chain (through a call), else ``""``."""
    if isinstance(node, cst.Call):
        return _dotted(node.func)
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else ""
    return ""


# --- memoisation --------------------------------------------------------------

_CACHES = frozenset({"cache", "lru_cache", "cached_property", "memoize"})


def _functools_aliased(index: ModuleIndex) -> bool:
    """A module-level ``import functools as ft``: the applier would take ``functools``
    for imported and not add the import that ``@functools.cache`` needs."""
    return any(
        isinstance(small, cst.Import) and any(a.asname and a.evaluated_name == "functools" for a in small.names)
        for line in index.module.body if isinstance(line, cst.SimpleStatementLine)
        for small in line.body
    )


class AddCache(Operator):
    """Put ``@functools.cache`` on a module-level function.

    Only plain functions: not async, no generators, no ``global``/``nonlocal``
    (which hint at side effects), not already memoised.
    """

    name = "add_cache"
    description = "memoise a function with functools.cache"
    node_types = (cst.FunctionDef,)
    examples = (
        Example(
            before='"""Numbers."""\n\n\ndef fib(n):\n    # slow\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n',
            after='"""Numbers."""\nimport functools\n\n\n@functools.cache\ndef fib(n):\n    # slow\n'
                  '    return n if n < 2 else fib(n - 1) + fib(n - 2)\n',
        ),
    )

    def _is_site(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> bool:
        assert isinstance(node, cst.FunctionDef)
        if index.scope_of(node_id) != MODULE_SCOPE or node.asynchronous is not None:
            return False
        if any(_dotted(d.decorator).split(".")[-1] in _CACHES for d in node.decorators):
            return False
        return not _contains(node.body, (cst.Yield, cst.Global, cst.Nonlocal)) and not _functools_aliased(index)

    def imports(self, params: Params) -> tuple[str, ...]:
        return ("functools",)

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        assert isinstance(updated, cst.FunctionDef)
        cache = cst.Decorator(decorator=cst.Attribute(value=cst.Name("functools"), attr=cst.Name("cache")))
        return updated.with_changes(decorators=[cache, *updated.decorators])


# --- membership in a set ------------------------------------------------------

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


def _only_tested_for_membership(name: str, binding: cst.CSTNode, index: ModuleIndex) -> bool:
    """Every other mention of ``name`` in the module is ``... in NAME`` (at least one)."""
    uses = [i for i, n in index.nodes.items() if isinstance(n, cst.Name) and n.value == name and n is not binding]
    return bool(uses) and all(_membership_operand(u, index) for u in uses)


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
    when the module only ever tests membership in ``NAMES``."""

    name = "membership_to_set"
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

    def _is_site(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> bool:
        if not _constant_display(node):
            return False
        if _membership_operand(node_id, index):
            return True
        name = _constant_name(node_id, index)
        if name is None:
            return False
        binding = index.nodes[index.parent_of(node_id) or ""].targets[0].target  # type: ignore[attr-defined]
        return _only_tested_for_membership(name, binding, index)

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        return _as_set(updated) if _constant_display(updated) else None  # type: ignore[arg-type]


# --- what a loop writes, what a call reads ------------------------------------

_MUTATORS = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "update", "add", "discard",
                       "sort", "reverse", "setdefault", "popitem", "appendleft", "popleft", "extendleft"})
"""Method names that change their receiver: ``data.append(x)`` writes ``data``."""


def _roots(target: cst.CSTNode) -> set[str]:
    """Names a binding target writes to (``a.b[c] = ..`` writes ``a``)."""
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Attribute, cst.Subscript, cst.Element, cst.StarredElement)):
        return _roots(target.value)
    if isinstance(target, (cst.Tuple, cst.List)):
        return set().union(*(_roots(e) for e in target.elements))
    return set()


def _written_by(node: cst.CSTNode) -> set[str]:
    """Names this one node binds or mutates (not its descendants)."""
    if isinstance(node, cst.Assign):
        return set().union(*(_roots(t.target) for t in node.targets))
    if isinstance(node, (cst.AugAssign, cst.AnnAssign, cst.For, cst.CompFor, cst.NamedExpr, cst.Del)):
        return _roots(node.target)
    if isinstance(node, cst.AsName):
        return _roots(node.name)
    if isinstance(node, cst.ImportAlias) and node.asname is None:
        return {node.evaluated_name.split(".")[0]}
    if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        return {node.name.value}
    if isinstance(node, (cst.Global, cst.Nonlocal)):
        return {item.name.value for item in node.names}
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in _MUTATORS:
        return _roots(node.func.value)
    return set()


@lru_cache(maxsize=1024)
def _written(loop: cst.For) -> frozenset[str]:
    """Every name the loop's target and body may rebind or mutate (conservative)."""
    names = _roots(loop.target)
    for node in _walk(loop.body):
        names |= _written_by(node)
    return frozenset(names)


def _reads(expr: cst.CSTNode) -> set[str] | None:
    """Root names an expression of names, attributes, constants and such calls reads;
    ``None`` for anything else."""
    if isinstance(expr, cst.Name):
        return {expr.value}
    if isinstance(expr, cst.Attribute):
        return _reads(expr.value)
    if isinstance(expr, cst.Call):
        return _call_reads(expr)
    return set() if isinstance(expr, _CONSTANT_NODES) else None


_IMPURE = frozenset({"print", "input", "next", "open", "iter", "id", "random", "choice", "randint", "sample",
                     "shuffle", "time", "sleep", "write", "read", "readline", "send"})
"""Calls never hoisted: they act or answer differently on each call."""


def _call_reads(call: cst.Call) -> set[str] | None:
    """Names a call reads, if it is ``f(a, b.c, 1, g(d))``-shaped with at least one argument."""
    if not call.args or _dotted(call.func).split(".")[-1] in _IMPURE:
        return None
    found = _reads(call.func)
    for arg in call.args:
        value = _reads(arg.value)
        if found is None or value is None:
            return None
        found |= value
    return found


def _invariant_calls(loop_id: str, index: ModuleIndex) -> list[str]:
    """Ids of calls in the loop body that read nothing the loop writes."""
    loop = index.nodes[loop_id]
    if not isinstance(loop, cst.For) or loop.asynchronous is not None:
        return []
    written = _written(loop)
    found = []
    for node in _walk(loop.body, into_scopes=False):
        reads = _call_reads(node) if isinstance(node, cst.Call) else None
        if reads is None or reads & written:
            continue
        call_id = index.ids[node]
        if not isinstance(index.nodes.get(index.parent_of(call_id) or ""), (cst.Expr, cst.Await)):
            found.append(call_id)
    return found


class _ReplaceCall(cst.CSTTransformer):
    """Replace every call equal to ``target`` by ``name``, outside nested scopes."""

    def __init__(self, target: cst.Call, name: str) -> None:
        super().__init__()
        self.target, self.name, self.count = target, name, 0

    def on_visit(self, node: cst.CSTNode) -> bool:
        return not isinstance(node, _NESTED_SCOPES)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if not original_node.deep_equals(self.target):
            return updated_node
        self.count += 1
        return cst.Name(self.name, lpar=original_node.lpar, rpar=original_node.rpar)


class HoistInvariantCall(Operator):
    """Compute a loop-invariant call once, before the loop.

    Params: ``{"call": id of the call}``. Every equal call in the loop body is
    replaced by ``_hoisted_N`` (N: the call's rank among the module's calls, so
    two hoists never share a name). If another edit changed the call, the
    hoist no longer applies and is skipped.
    """

    name = "hoist_invariant_call"
    description = "hoist a loop-invariant call out of a loop"
    node_types = (cst.For,)
    examples = (
        Example(
            before="def f(data):\n    out = []\n    # scale\n    for x in data:\n"
                   "        out.append(x / len(data))  # share\n    return out\n",
            after="def f(data):\n    out = []\n    # scale\n    _hoisted_1 = len(data)\n    for x in data:\n"
                  "        out.append(x / _hoisted_1)  # share\n    return out\n",
            params={"call": "Call@5:23-5:32"},
        ),
    )

    def _is_site(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> bool:
        return bool(_invariant_calls(node_id, index))

    def propose(self, node_id: str, index: ModuleIndex, rng: random.Random) -> dict[str, Any] | None:
        calls = _invariant_calls(node_id, index)
        return {"call": rng.choice(calls)} if calls else None

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        assert isinstance(updated, cst.For)
        call_id = params["call"]
        if call_id not in _invariant_calls(node_id, index):
            return None
        call = index.nodes[call_id]
        name = f"_hoisted_{[n for n in index.nodes if n.startswith('Call@')].index(call_id)}"
        replacer = _ReplaceCall(call, name)  # type: ignore[arg-type]
        body = updated.body.visit(replacer)
        if not replacer.count:
            return None
        value = call.with_changes(lpar=[], rpar=[])
        assign = cst.SimpleStatementLine(body=[cst.Assign(targets=[cst.AssignTarget(cst.Name(name))], value=value)],
                                         leading_lines=updated.leading_lines)
        return cst.FlattenSentinel([assign, updated.with_changes(body=body, leading_lines=[])])


# --- accumulating loops -------------------------------------------------------

_NOT_IN_GENEXP = (cst.NamedExpr, cst.Await, cst.Yield)
"""Walrus cannot rebind a comprehension variable; await/yield change the generator's kind."""


@lru_cache(maxsize=1024)
def _name_counts(node: cst.CSTNode) -> Counter[str]:
    return Counter(n.value for n in _walk(node) if isinstance(n, cst.Name))


def _names(node: cst.CSTNode) -> set[str]:
    return set(_name_counts(node))


@lru_cache(maxsize=64)
def _bound_anywhere(module: cst.Module) -> frozenset[str]:
    """Every name bound somewhere in the module (to spot a shadowed ``sum``/``any``/``all``)."""
    names: set[str] = set()
    for node in _walk(module):
        names |= _written_by(node)
        if isinstance(node, cst.Param):
            names.add(node.name.value)
    return frozenset(names)


def _loop_names(loop: cst.For) -> set[str] | None:
    """Names the loop target binds, if it is a name or a tuple/list of names."""
    target = loop.target
    elements = target.elements if isinstance(target, (cst.Tuple, cst.List)) else [target]
    values = [e.value if isinstance(e, cst.Element) else e for e in elements]
    return {v.value for v in values} if all(isinstance(v, cst.Name) for v in values) else None


def _only_statement(block: cst.BaseSuite) -> cst.BaseStatement | None:
    if isinstance(block, cst.IndentedBlock) and len(block.body) == 1:
        return block.body[0]
    return None


def _sum_shape(loop: cst.For, names: set[str]) -> cst.AugAssign | None:
    """``for x in xs: total += expr`` with ``total`` not read by ``expr`` or ``xs``,
    and no loop variable in ``total`` (as in ``counts[x] += 1``)."""
    line = _only_statement(loop.body)
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        return None
    aug = line.body[0]
    if not isinstance(aug, cst.AugAssign) or not isinstance(aug.operator, cst.AddAssign):
        return None
    clash = (_roots(aug.target) & (_names(aug.value) | _names(loop.iter))) or (_names(aug.target) & names)
    return None if clash or _contains(aug.value, _NOT_IN_GENEXP) else aug


def _any_shape(loop: cst.For, names: set[str]) -> cst.If | None:
    """``for x in xs: if cond: return value`` with ``value`` not reading ``x``."""
    branch = _only_statement(loop.body)
    if not isinstance(branch, cst.If) or branch.orelse is not None:
        return None
    line = _only_statement(branch.body)
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1 or not isinstance(line.body[0], cst.Return):
        return None
    value = line.body[0].value
    if value is not None and _names(value) & names:
        return None
    return None if _contains(branch.test, _NOT_IN_GENEXP) else branch


def _used_outside(loop_id: str, names: set[str], index: ModuleIndex) -> bool:
    """Does the enclosing function mention a loop variable outside the loop?"""
    function = next((index.nodes[a] for a in index.ancestors(loop_id)
                     if isinstance(index.nodes[a], cst.FunctionDef)), None)
    if function is None:
        return True  # module level: the loop variable is a global someone may read
    inside, everywhere = _name_counts(index.nodes[loop_id]), _name_counts(function)
    return any(everywhere[n] != inside[n] for n in names)


def _loop_shape(loop: cst.CSTNode) -> cst.CSTNode | None:
    """The loop's AugAssign or If if it has one of the two shapes, else ``None``."""
    if not isinstance(loop, cst.For) or loop.asynchronous is not None or loop.orelse is not None:
        return None
    names = _loop_names(loop)
    if names is None:
        return None
    return _sum_shape(loop, names) or _any_shape(loop, names)


def _genexp(elt: cst.BaseExpression, loop: cst.For) -> cst.GeneratorExp:
    """``(elt for target in iter)`` without its own parentheses (the call's serve)."""
    if isinstance(elt, cst.Tuple) and not elt.lpar:
        elt = elt.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    source = loop.iter
    if isinstance(source, (cst.Tuple, cst.IfExp, cst.Lambda, cst.NamedExpr, cst.Yield)) and not source.lpar:
        source = source.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.GeneratorExp(elt=elt, for_in=cst.CompFor(target=loop.target, iter=source), lpar=[], rpar=[])


def _call(function: str, elt: cst.BaseExpression, loop: cst.For) -> cst.Call:
    return cst.Call(func=cst.Name(function), args=[cst.Arg(_genexp(elt, loop))])


def _kept_comments(loop: cst.For, inner: cst.CSTNode) -> list[cst.EmptyLine]:
    """The loop's comments (above, on the ``for`` line, in its block) in reading order."""
    block = loop.body
    assert isinstance(block, cst.IndentedBlock)
    header = [cst.EmptyLine(comment=block.header.comment)] if block.header.comment else []
    footer = [line for line in block.footer if line.comment is not None]
    return [*loop.leading_lines, *header, *inner.leading_lines, *footer]  # type: ignore[attr-defined]


def _any_test(test: cst.BaseExpression, loop: cst.For) -> cst.BaseExpression:
    """``any(test ...)``, or ``not all(t ...)`` when ``test`` is ``not t``."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not) and not test.lpar:
        inner = test.expression
        if inner.lpar and not isinstance(inner, cst.Tuple):
            inner = inner.with_changes(lpar=[], rpar=[])
        return cst.UnaryOperation(operator=cst.Not(), expression=_call("all", inner, loop))
    return _call("any", test, loop)


class LoopToBuiltin(Operator):
    """Replace an accumulating loop by ``sum``/``any``/``all`` over a generator.

    Two shapes: the body is only ``total += expr`` (becomes ``total +=
    sum(expr for x in xs)``), or only ``if cond: return value`` (becomes ``if
    any(cond for x in xs): return value``; ``if not c`` becomes ``if not
    all(c ...)``). The loop variable must not be read after the loop, as the
    generator does not leave it bound.
    """

    name = "loop_to_builtin"
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

    def _is_site(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> bool:
        if _loop_shape(node) is None or _bound_anywhere(index.module) & {"sum", "any", "all"}:
            return False
        names = _loop_names(node)  # type: ignore[arg-type]
        return names is not None and not _used_outside(node_id, names, index)

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        if not self._is_site(original, node_id, index):
            return None
        assert isinstance(updated, cst.For)
        inner = _loop_shape(updated)
        line = _only_statement(updated.body)
        if isinstance(inner, cst.AugAssign) and isinstance(line, cst.SimpleStatementLine):
            body = [inner.with_changes(value=_call("sum", inner.value, updated))]
            return line.with_changes(body=body, leading_lines=_kept_comments(updated, line))
        if isinstance(inner, cst.If):
            space = inner.whitespace_before_test if inner.whitespace_before_test.value else cst.SimpleWhitespace(" ")
            return inner.with_changes(test=_any_test(inner.test, updated), whitespace_before_test=space,
                                      leading_lines=_kept_comments(updated, inner))
        return None
