"""Memoise a pure function: module-level, nested, or a method.

A cache changes behaviour whenever the function reads state that can change,
returns an object callers may mutate, is called with equal arguments of
different types, or recurses deeper than the wrapper leaves room for.
``AddCache``'s docstring lists what is checked; the checks are most of this
module, which is why it is longer than most.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from mutations._base import SPEEDUP, Example, Operator, Params, Rewritten
from mutations._index import MODULE_SCOPE, ModuleIndex
from mutations._kinds import IMMUTABLE, NUMBER, UNHASHABLE, UNKNOWN, Kinds, join, kinds
from mutations._names import VALUE, free_names, names
from mutations._purity import function_purity, method_of, pure_call
from mutations._tree import dotted, returns_of, walk, walk_own

_CACHES = frozenset({"cache", "lru_cache", "cached_property", "memoize"})


def _decorator_names(function: cst.FunctionDef) -> list[str]:
    names_ = []
    for decorator in function.decorators:
        expression = decorator.decorator
        names_.append(dotted(expression.func if isinstance(expression, cst.Call) else expression))
    return names_


def container(function_id: str, index: ModuleIndex) -> cst.CSTNode | None:
    """What a ``def`` is defined in: the module, a function, a class (through their block)."""
    parent = index.nodes.get(index.parent_of(function_id) or "")
    if isinstance(parent, cst.IndentedBlock):
        parent = index.nodes.get(index.parent_of(index.ids[parent]) or "")
    return parent


class _Place:
    """Where a function sits: ``module``, ``nested`` (in a function) or ``method`` (of a class)."""

    def __init__(self, function_id: str, index: ModuleIndex) -> None:
        self.function = index.nodes[function_id]
        parent = container(function_id, index)
        if isinstance(parent, cst.Module):
            self.kind, self.owner = "module", parent
        elif isinstance(parent, cst.FunctionDef):
            self.kind, self.owner = "nested", parent
        elif isinstance(parent, cst.ClassDef) and index.scope_of(index.ids[parent]) == MODULE_SCOPE:
            self.kind, self.owner = "method", parent
        else:
            self.kind, self.owner = "other", parent

    def is_self_call(self, call: cst.Call) -> bool:
        name = self.function.name.value  # type: ignore[attr-defined]
        if self.kind == "method":
            return dotted(call.func) == f"self.{name}"
        return isinstance(call.func, cst.Name) and call.func.value == name


class AddCache(Operator):
    """Put ``@functools.cache`` on a pure function: module-level, nested, or a method.

    Precondition, checked statically (anything unproven: not a site):

    - *pure*: not async, no ``yield``/``global``/``nonlocal``/nested ``def``; it
      writes only locals (and items of containers it built); every call is
      on the purity allow-list (``_kinds``), a recursive call, another pure
      function of the module, a pure method of the same class, or builds the
      exception of a ``raise``.
    - *reads nothing that changes*: module-level names it reads are functions,
      classes, imports or constants bound once to an immutable value; a nested
      function's free variables are the enclosing function's parameters or
      locals bound once before the ``def`` and never mutated; a method reads
      only attributes ``__init__`` alone assigns, each to an immutable value, and
      its class has no ``__eq__`` (so ``self`` hashes by identity).
    - *immutable result*: every ``return`` gives an immutable kind (numbers,
      strings, tuples, ``None``…; a list would be shared by every caller that
      mutates it), a parameter, or a recursive call.
    - *hashable arguments*: no call in the module passes a list, dict or set.
      Callers elsewhere (the tests) that pass one get a ``TypeError``, which the
      tests see.
    - *recursion*: each level of a memoised recursion also goes through the C
      wrapper, which counts against the recursion limit (measured on CPython
      3.11: 997 levels plain, 498 memoised), so a deep recursion that worked
      would raise ``RecursionError``. Linear recursion (one recursive call per
      level) gains nothing from a cache within a call, so a recursive function
      is a site only when it recurses more than once per level (two calls, or
      one in a loop or comprehension). The residual risk — a tree recursion
      between 499 and 997 levels deep that the tests do not reach — is why this
      is said here.
    - what stays different: ``functools.cache`` keys equal arguments as one,
      so after ``f(1)``, ``f(1.0)`` returns ``f(1)``'s result (an equal value,
      possibly of another numeric type); a method's cache keeps its instances
      alive. Neither changes a value a test compares with ``==``.

    Params: none.
    """

    name = "add_cache"
    family = SPEEDUP
    description = "memoise a function with functools.cache"
    node_types = (cst.FunctionDef,)
    examples = (
        Example(
            before='"""Numbers."""\n\n\ndef fib(n):\n    # slow\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n',
            after='"""Numbers."""\nimport functools\n\n\n@functools.cache\ndef fib(n):\n'
                  '    # slow\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n',
        ),
        Example(
            before="def ways(n, largest):\n    if n == 0:\n        return 1\n    if n < 0 or largest < 1:\n"
                   "        return 0\n    return ways(n - largest, largest) + ways(n, largest - 1)\n",
            after="import functools\n\n\n@functools.cache\ndef ways(n, largest):\n    if n == 0:\n        return 1\n"
                  "    if n < 0 or largest < 1:\n        return 0\n"
                  "    return ways(n - largest, largest) + ways(n, largest - 1)\n",
        ),
        Example(
            before="def distance(a, b):\n\n    def d(i, j):\n        if i == 0 or j == 0:\n            return i + j\n"
                   "        return min(d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + (a[i - 1] != b[j - 1]))\n\n"
                   "    return d(len(a), len(b))\n",
            after="import functools\n\n\ndef distance(a, b):\n\n    @functools.cache\n    def d(i, j):\n"
                  "        if i == 0 or j == 0:\n            return i + j\n"
                  "        return min(d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + (a[i - 1] != b[j - 1]))\n\n"
                  "    return d(len(a), len(b))\n",
        ),
    )

    def _is_site(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> bool:
        return _cache_decorator(node_id, index) is not None

    def imports(self, params: Params) -> tuple[str, ...]:
        return ("functools",)

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        assert isinstance(updated, cst.FunctionDef)
        cache = cst.Decorator(decorator=cst.Attribute(value=cst.Name("functools"), attr=cst.Name("cache")))
        return updated.with_changes(decorators=[cache, *updated.decorators])


def _cache_decorator(node_id: str, index: ModuleIndex) -> str | None:
    """``"cache"``, or ``None`` when the function is no site."""
    key = ("add_cache", node_id)
    if key not in index.memo:
        index.memo[key] = _decide(node_id, index)
    return index.memo[key]  # type: ignore[return-value]


def _decide(node_id: str, index: ModuleIndex) -> str | None:
    function = index.nodes[node_id]
    assert isinstance(function, cst.FunctionDef)
    place = _Place(node_id, index)
    if place.kind == "other" or function.decorators or _has_star_params(function):
        return None
    if place.kind == "method" and (not function.params.params or function.params.params[0].name.value != "self"
                                   or function.name.value.startswith("__") or method_of(place.owner, "__eq__")
                                   or place.owner.decorators):  # type: ignore[union-attr]
        return None
    purity = function_purity(index)
    if not purity.function(function, place):
        return None
    if not (_reads_constant_state(function, node_id, place, index) and _result_immutable(function, place, index)):
        return None
    if not _arguments_hashable(function, place, index) or not _recursion_ok(function, place):
        return None
    return "cache"


def _has_star_params(function: cst.FunctionDef) -> bool:
    params = function.params
    return bool(params.star_kwarg) or isinstance(params.star_arg, cst.Param)


def _reads_constant_state(function: cst.FunctionDef, node_id: str, place: _Place, index: ModuleIndex) -> bool:
    """Every name the function reads from outside is a function, class, import, builtin,
    a module constant bound once to an immutable value, or a safe closure variable."""
    scope = names(index)
    body_scope = next(scope.chain(function.body.body[0]), None) if function.body.body else None  # type: ignore
    local = set(scope.bindings(body_scope)) if body_scope is not None else set()
    infer = kinds(index)
    module_scope = scope.scope(index.module)
    module = scope.bindings(module_scope) if module_scope is not None else {}
    for name in free_names(function.body) - local - {function.name.value}:
        if place.kind == "nested" and name in _outer_names(place, scope):
            if not _closure_ok(name, place, index):
                return False
            continue
        binding = module.get(name)
        if binding is None:
            if not scope.can_read(node_id, {name}):
                return False  # bound in a class body or unknown
            continue  # a builtin
        if binding.kind != VALUE:
            continue
        values = infer.module_values(name)
        if not values or not all(not isinstance(v, str) and infer.of(v) in IMMUTABLE for v in values):
            return False
    return place.kind != "method" or _self_reads_ok(function, place, index)


def _outer_names(place: _Place, scope: Any) -> set[str]:
    outer = place.owner
    assert isinstance(outer, cst.FunctionDef)
    inner = next(scope.chain(outer.body.body[0]), None) if outer.body.body else None  # type: ignore
    return set(scope.bindings(inner)) if inner is not None else set()


def _closure_ok(name: str, place: _Place, index: ModuleIndex) -> bool:
    """A free variable of a nested function: a parameter of the enclosing function, or a local
    bound once before the ``def``, never rebound, mutated or handed to a call after it."""
    outer = place.owner
    assert isinstance(outer, cst.FunctionDef)
    is_param = any(isinstance(p, cst.Param) and p.name.value == name for p in walk(outer.params))
    bindings = [n for n in walk_own(outer.body) if isinstance(n, cst.Name) and n.value == name and _is_store(n, outer)]
    if not is_param and len(bindings) != 1:
        return False
    if is_param and bindings:
        return False
    for node in walk_own(outer.body):
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and \
                isinstance(node.func.value, cst.Name) and node.func.value.value == name and \
                not pure_call(node, kinds(index)):
            return False
    return True


def _is_store(name: cst.Name, function: cst.FunctionDef) -> bool:
    for node in walk_own(function.body):
        if isinstance(node, cst.AssignTarget) and node.target is name:
            return True
        if isinstance(node, (cst.AugAssign, cst.AnnAssign, cst.For, cst.NamedExpr)) and node.target is name:
            return True
    return False


def _self_reads_ok(function: cst.FunctionDef, place: _Place, index: ModuleIndex) -> bool:
    """Every ``self.attr`` read is assigned only in ``__init__``, to an immutable value."""
    cls = place.owner
    assert isinstance(cls, cst.ClassDef)
    init = method_of(cls, "__init__")
    infer = kinds(index)
    methods = {s.name.value for s in cls.body.body if isinstance(s, cst.FunctionDef)}
    for node in walk_own(function.body):
        if not (isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self"):
            continue
        attr = node.attr.value
        if attr in methods:
            continue
        assigned = [(m, n) for m in cls.body.body if isinstance(m, cst.FunctionDef) for n in walk(m.body)
                    if isinstance(n, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign))
                    and dotted(n.target) == f"self.{attr}"]
        if not assigned or any(m is not init or not isinstance(n, cst.AssignTarget) for m, n in assigned):
            return False
        for _, target in assigned:
            value = next(s.value for s in walk(init.body) if isinstance(s, cst.Assign) and target in s.targets)  # type: ignore
            if infer.of(value) not in IMMUTABLE and not _local_immutable(value, init, infer):
                return False
        mutated = any(isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute)
                      and dotted(n.func.value) == f"self.{attr}" and not pure_call(n, infer) for n in walk(cls))
        if mutated:
            return False
    return True


def _local_immutable(value: cst.BaseExpression, function: cst.FunctionDef, infer: Kinds) -> bool:
    if not isinstance(value, cst.Name):
        return False
    values = infer.bound_in(function, value.value)
    return bool(values) and all(not isinstance(v, str) and infer.of(v) in IMMUTABLE for v in values)


def _result_immutable(function: cst.FunctionDef, place: _Place, index: ModuleIndex) -> bool:
    """Every returned value is of an immutable kind. A parameter is hashable (the cache
    insists), so it counts as immutable, and arithmetic on such values as immutable too;
    a recursive call counts as the kind of the base cases (induction)."""
    params = {p.name.value: NUMBER for p in walk(function.params) if isinstance(p, cst.Param)}
    plain = _Assuming(index, place, UNKNOWN, params)
    leaves = [leaf for r in returns_of(function) if r.value is not None for leaf in _leaves(r.value)]
    base = [plain.of(v) for v in leaves if not any(isinstance(n, cst.Call) and place.is_self_call(n) for n in walk(v))]
    if not base or join(base) not in IMMUTABLE:
        return False
    assuming = _Assuming(index, place, join(base), params)
    return all(assuming.of(v) in IMMUTABLE for v in leaves)


def _leaves(value: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The values a return may give: the arms of conditional expressions and of ``and``/``or``."""
    if isinstance(value, cst.IfExp):
        return _leaves(value.body) + _leaves(value.orelse)
    if isinstance(value, cst.BooleanOperation):
        return _leaves(value.left) + _leaves(value.right)
    return [value]


class _Assuming(Kinds):
    """Kind inference that takes a recursive call's kind as given (the induction step)."""

    def __init__(self, index: ModuleIndex, place: _Place, assumed: str,
                 params: dict[str, str] | None = None) -> None:
        super().__init__(index, kinds(index).shadowed)
        self.place, self.assumed, self.params = place, assumed, params or {}

    def _call(self, node: cst.Call, depth: int) -> str:
        if self.place.is_self_call(node):
            return self.assumed
        return super()._call(node, depth)

    def _name(self, node: cst.Name, depth: int) -> str:
        if node.value in self.params:
            return self.params[node.value]
        return super()._name(node, depth)


def _arguments_hashable(function: cst.FunctionDef, place: _Place, index: ModuleIndex) -> bool:
    infer = kinds(index)
    for call in _calls_of(function, place, index):
        if any(infer.of(arg.value) in UNHASHABLE or arg.star for arg in call.args):
            return False
    return True


def _calls_of(function: cst.FunctionDef, place: _Place, index: ModuleIndex) -> list[cst.Call]:
    where = place.owner if place.kind == "nested" else index.module
    return [n for n in walk(where) if isinstance(n, cst.Call) and (
        place.is_self_call(n) or place.kind == "method" and isinstance(n.func, cst.Attribute)
        and n.func.attr.value == function.name.value)]


def _recursion_ok(function: cst.FunctionDef, place: _Place) -> bool:
    """Not recursive, or recursive more than once per level (see the docstring)."""
    calls = [n for n in walk_own(function.body) if isinstance(n, cst.Call) and place.is_self_call(n)]
    if not calls:
        return True
    if len(calls) > 1:
        return True
    looping = (cst.For, cst.While, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
    return any(isinstance(n, looping) and any(sub is calls[0] for sub in walk(n)) for n in walk_own(function.body))
