"""Which calls and functions only read: the allow-lists every speed-up operator trusts.

A call is *pure* when it is a builtin or a standard-library function on these
lists, or a method recognised as read-only, and its arguments are pure.
Methods are recognised by name only when the name belongs to ``str`` alone
(``strip``, ``lower``…); methods that other types share with different
behaviour (``get``: ``dict.get`` reads, ``queue.Queue.get`` takes an item)
count only on a receiver whose kind is known. ``heapq.heappop``,
``random.randrange``, ``next`` and ``print`` are on no list. A function is pure
(``FunctionPurity``) when it writes only its locals and every call it makes is
pure, a recursive call, or a call of another pure function of the module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import libcst as cst

from mutations._index import ModuleIndex
from mutations._kinds import BUILTIN_RESULTS, BYTES, SHARED_READS, STR, STR_METHODS, UNHASHABLE, UNKNOWN, Kinds, kinds
from mutations._tree import dotted, walk, walk_own

_STATEFUL = (cst.Yield, cst.Await, cst.Global, cst.Nonlocal)

PURE_BUILTINS = frozenset(BUILTIN_RESULTS) - {"iter", "map", "filter"} | {"min", "max", "issubclass", "type"}
"""Builtins without side effects (``map``/``filter`` call a function, ``iter``/``next`` are stateful)."""

PURE_MODULE_FUNCTIONS = frozenset({
    "math.sqrt", "math.floor", "math.ceil", "math.log", "math.log2", "math.log10", "math.exp", "math.fabs",
    "math.isnan", "math.isinf", "math.isfinite", "math.gcd", "math.comb", "math.perm", "math.factorial",
    "math.hypot", "math.sin", "math.cos", "math.tan", "math.atan2", "math.isqrt", "math.prod", "math.fsum",
    "bisect.bisect_left", "bisect.bisect_right", "bisect.bisect", "operator.itemgetter",
    "string.capwords", "re.escape",
})
"""Standard-library functions that only read their arguments."""


def pure_call(call: cst.Call, kinds_: Kinds, also: Callable[[cst.Call], bool] | None = None) -> bool:
    """Does this call (not its arguments) only read? Builtins and module functions on the
    allow-lists, ``str`` methods by name, shared read-only methods on a known receiver;
    ``also`` may accept more (a memoised function's own recursive calls)."""
    if also is not None and also(call):
        return True
    func = call.func
    name = dotted(func)
    if isinstance(func, cst.Name):
        if func.value in kinds_.shadowed or func.value not in PURE_BUILTINS:
            return False
        return _pure_keywords(call, kinds_, also)
    if name in PURE_MODULE_FUNCTIONS and name.split(".")[0] not in _locally_bound(kinds_):
        return True
    if isinstance(func, cst.Attribute):
        method = func.attr.value
        receiver = kinds_.of(func.value)
        if method in STR_METHODS and receiver in (STR, BYTES, UNKNOWN):
            return True
        return method in SHARED_READS.get(receiver, {})
    return False


def _locally_bound(kinds_: Kinds) -> frozenset[str]:
    """Names the module binds other than by ``import`` (a variable called ``math``)."""
    return kinds_.shadowed - _imported(kinds_.index.module)


def _imported(module: cst.Module) -> frozenset[str]:
    out: set[str] = set()
    for node in walk(module):
        if isinstance(node, cst.Import):
            for alias in node.names:
                if alias.asname is None:
                    out.add(alias.evaluated_name.split(".")[0])
    return frozenset(out)


def _pure_keywords(call: cst.Call, kinds_: Kinds, also: Callable[[cst.Call], bool] | None) -> bool:
    """``key=`` functions of ``sorted``/``min``/``max`` must be pure too."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "key":
            if not pure_function_value(arg.value, kinds_, also):
                return False
    return True


def pure_function_value(value: cst.BaseExpression, kinds_: Kinds,
                        also: Callable[[cst.Call], bool] | None = None) -> bool:
    """A ``key=`` argument: a pure builtin by name, or a lambda whose body is pure."""
    if isinstance(value, cst.Name):
        return value.value in PURE_BUILTINS and value.value not in kinds_.shadowed
    if isinstance(value, cst.Lambda):
        return pure_expression(value.body, kinds_, also)
    return False


def pure_expression(node: cst.CSTNode, kinds_: Kinds, also: Callable[[cst.Call], bool] | None = None) -> bool:
    """Does evaluating ``node`` only read (every call in it pure; no ``:=``, yield or await)?"""
    for sub in walk(node):
        if isinstance(sub, (cst.NamedExpr, cst.Yield, cst.Await)):
            return False
        if isinstance(sub, cst.Call) and not pure_call(sub, kinds_, also):
            return False
    return True


# --- functions ----------------------------------------------------------------


class _ModulePlace:
    """A module-level function's place: a recursive call is a call of its name."""

    kind = "module"
    owner = None

    def __init__(self, function: cst.FunctionDef) -> None:
        self.function = function

    def is_self_call(self, call: cst.Call) -> bool:
        return isinstance(call.func, cst.Name) and call.func.value == self.function.name.value


def function_purity(index: ModuleIndex) -> FunctionPurity:
    """The (memoised) function purity checker of ``index``."""
    found = index.memo.get("purity.functions")
    if found is None:
        found = index.memo["purity.functions"] = FunctionPurity(index)
    return found  # type: ignore[return-value]


class FunctionPurity:
    """Is a function pure (reads only its arguments and constants; writes nothing but locals)?"""

    def __init__(self, index: ModuleIndex) -> None:
        self.index = index
        self.kinds = kinds(index)
        self.module_functions = {s.name.value: s for s in index.module.body if isinstance(s, cst.FunctionDef)}
        self._memo: dict[tuple[int, int], bool] = {}
        self._module: dict[str, bool] | None = None

    def function(self, function: cst.FunctionDef, place: Any) -> bool:
        """Is ``function`` pure where it stands (``place``: how a recursive call looks)?"""
        name = function.name.value
        if self.module_functions.get(name) is function and getattr(place, "kind", "module") == "module":
            return self.module_purity()[name]
        key = (id(function), id(getattr(place, "owner", None)))
        if key not in self._memo:
            self._memo[key] = True  # a method calling back into itself: assume, then check
            self._memo[key] = self._check(function, place)
        return self._memo[key]

    def module_purity(self) -> dict[str, bool]:
        """Purity of every module-level function, as a fixpoint: all pure at first, then any
        function calling an impure one (or impure itself) turns impure, until nothing changes."""
        if self._module is None:
            self._module = {name: True for name in self.module_functions}
            changed = True
            while changed:
                changed = False
                for name, function in self.module_functions.items():
                    if self._module[name] and not self._check(function, _ModulePlace(function)):
                        self._module[name] = False
                        changed = True
        return self._module

    def _check(self, function: cst.FunctionDef, place: Any) -> bool:
        if function.asynchronous is not None or any(isinstance(n, _STATEFUL) for n in walk_own(function.body)):
            return False
        if any(isinstance(n, (cst.FunctionDef, cst.ClassDef)) for n in walk(function.body)):
            return False
        fresh = _fresh_locals(function, self.kinds)
        for node in walk_own(function.body):
            if isinstance(node, cst.Call) and not self._call_ok(node, function, place):
                return False
            if isinstance(node, (cst.Assign, cst.AugAssign, cst.AnnAssign, cst.Del)) and not _writes_local(node, fresh):
                return False
        return True

    def _call_ok(self, call: cst.Call, function: cst.FunctionDef, place: Any) -> bool:
        if place is not None and place.is_self_call(call):
            return True
        if pure_call(call, self.kinds):
            return True
        func = call.func
        if isinstance(func, cst.Name) and func.value in self.module_functions:
            return self.module_purity()[func.value]
        if place is not None and place.kind == "method" and isinstance(func, cst.Attribute) \
                and isinstance(func.value, cst.Name) and func.value.value == "self":
            method = method_of(place.owner, func.attr.value)  # type: ignore[arg-type]
            return method is not None and self.function(method, place)
        return id(call) in self._raised(function)

    def _raised(self, function: cst.FunctionDef) -> set[int]:
        """Ids of the calls inside the function's ``raise`` statements (building an exception)."""
        key = ("purity.raised", id(function))
        found = self.index.memo.get(key)
        if found is None:
            found = {id(sub) for n in walk_own(function.body) if isinstance(n, cst.Raise) for sub in walk(n)}
            self.index.memo[key] = found
        return found  # type: ignore[return-value]


def method_of(cls: cst.ClassDef, name: str) -> cst.FunctionDef | None:
    return next((s for s in cls.body.body if isinstance(s, cst.FunctionDef) and s.name.value == name), None)


def _fresh_locals(function: cst.FunctionDef, kinds_: Kinds) -> set[str]:
    """Locals bound only to new containers built in the function (safe to mutate)."""
    out = set()
    for node in walk_own(function.body):
        if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            name = node.targets[0].target.value
            values = kinds_.bound_in(function, name)
            if values and all(not isinstance(v, str) and kinds_.of(v) in UNHASHABLE for v in values):
                out.add(name)
    return out


def _writes_local(node: cst.CSTNode, fresh: set[str]) -> bool:
    """Only plain names, or items/attributes of fresh local containers, are written."""
    targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]  # type: ignore
    if isinstance(node, cst.Del):
        return all(isinstance(t, cst.Name) for t in targets)
    for target in targets:
        for element in _flat(target):
            if isinstance(element, cst.Name):
                continue
            root = element
            while isinstance(root, (cst.Attribute, cst.Subscript)):
                root = root.value
            if not (isinstance(root, cst.Name) and root.value in fresh):
                return False
    return True


def _flat(target: cst.CSTNode) -> list[cst.CSTNode]:
    if isinstance(target, (cst.Tuple, cst.List)):
        return [x for e in target.elements for x in _flat(e.value)]
    if isinstance(target, cst.StarredElement):
        return _flat(target.value)
    return [target]


