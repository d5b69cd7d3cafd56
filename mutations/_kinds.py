"""What an expression evaluates to, as far as the source shows, and which calls are pure.

A small, syntactic inference: literals, builtins with known result types, the
methods of ``str``, arithmetic on those, and local names whose every binding in
their function is one of these. Anything else is ``UNKNOWN``. The speed-up
operators use it to prove preconditions (a result is immutable, a string is
built, an accumulator starts at an integer); the repair operators use it to keep
their choices plausible (an ``e + 1`` on an integer, a name of the right type).

Which calls only read (the purity allow-lists) is ``_purity``'s business.
"""

from __future__ import annotations

import libcst as cst

from mutations._index import ModuleIndex
from mutations._tree import bound_in_module, dotted, enclosing_function, returns_of, walk, walk_own

INT, FLOAT, NUMBER, STR, BYTES, BOOL, NONE = "int", "float", "number", "str", "bytes", "bool", "none"
TUPLE, FROZENSET, RANGE, LIST, DICT, SET, ITERATOR, UNKNOWN = (
    "tuple", "frozenset", "range", "list", "dict", "set", "iterator", "unknown")

IMMUTABLE = frozenset({INT, FLOAT, NUMBER, STR, BYTES, BOOL, NONE, TUPLE, FROZENSET, RANGE})
"""Kinds whose values no caller can change (a tuple's elements are assumed immutable too)."""
NUMERIC = frozenset({INT, FLOAT, NUMBER, BOOL})
UNHASHABLE = frozenset({LIST, DICT, SET})

BUILTIN_RESULTS = {
    "len": INT, "ord": INT, "hash": INT, "int": INT, "round": INT, "float": FLOAT, "abs": NUMBER,
    "sum": NUMBER, "pow": NUMBER, "str": STR, "repr": STR, "chr": STR, "format": STR, "ascii": STR,
    "hex": STR, "oct": STR, "bin": STR, "bool": BOOL, "isinstance": BOOL, "callable": BOOL, "any": BOOL,
    "all": BOOL, "tuple": TUPLE, "divmod": TUPLE, "frozenset": FROZENSET, "range": RANGE, "list": LIST,
    "sorted": LIST, "dict": DICT, "set": SET, "enumerate": ITERATOR, "zip": ITERATOR, "map": ITERATOR,
    "filter": ITERATOR, "reversed": ITERATOR, "iter": ITERATOR,
}

STR_METHODS = {
    "capitalize": STR, "casefold": STR, "center": STR, "encode": BYTES, "endswith": BOOL,
    "expandtabs": STR, "find": INT, "isalnum": BOOL, "isalpha": BOOL, "isascii": BOOL,
    "isdecimal": BOOL, "isdigit": BOOL, "isidentifier": BOOL, "islower": BOOL, "isnumeric": BOOL,
    "isprintable": BOOL, "isspace": BOOL, "istitle": BOOL, "isupper": BOOL, "ljust": STR, "lower": STR,
    "lstrip": STR, "partition": TUPLE, "removeprefix": STR, "removesuffix": STR, "rfind": INT,
    "rjust": STR, "rpartition": TUPLE, "rsplit": LIST, "rstrip": STR, "split": LIST, "splitlines": LIST,
    "startswith": BOOL, "strip": STR, "swapcase": STR, "title": STR, "upper": STR, "zfill": STR,
}
"""Methods only ``str`` (and ``bytes``) have among the builtin types: recognised by name."""

SHARED_READS = {
    STR: {"count": INT, "index": INT, "join": STR, "format": STR, "replace": STR},
    LIST: {"count": INT, "index": INT, "copy": LIST},
    TUPLE: {"count": INT, "index": INT},
    DICT: {"get": UNKNOWN, "keys": ITERATOR, "values": ITERATOR, "items": ITERATOR, "copy": DICT},
    SET: {"copy": SET, "union": SET, "intersection": SET, "difference": SET, "issubset": BOOL,
          "issuperset": BOOL, "isdisjoint": BOOL},
    FROZENSET: {"union": FROZENSET, "intersection": FROZENSET, "issubset": BOOL, "isdisjoint": BOOL},
}
"""Read-only methods that other types share under the same name: pure on a known receiver only."""

MUTATORS = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "update", "add", "discard",
                      "sort", "reverse", "setdefault", "popitem", "appendleft", "popleft", "extendleft",
                      "rotate", "difference_update", "intersection_update", "symmetric_difference_update"})
"""Method names that change their receiver (``data.append(x)`` writes ``data``)."""

_CONSTANT_NODES = (cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString, cst.ConcatenatedString,
                   cst.FormattedString)


def join(kinds: list[str]) -> str:
    """The common kind of several expressions (``NUMBER`` for mixed numbers)."""
    found = set(kinds)
    if len(found) == 1:
        return found.pop()
    if found and found <= NUMERIC:
        return NUMBER
    return UNKNOWN


def _string_kind(node: cst.CSTNode) -> str:
    if isinstance(node, cst.SimpleString):
        return BYTES if "b" in node.prefix.lower() else STR
    if isinstance(node, cst.ConcatenatedString):
        return _string_kind(node.left)
    return STR


class Kinds:
    """Kind inference over one index; ``bindings`` answers what a local name is bound to."""

    def __init__(self, index: ModuleIndex, shadowed: frozenset[str]) -> None:
        self.index = index
        self.shadowed = shadowed
        self._functions = _module_functions(index)
        self._resolving: set[tuple[int, str]] = set()

    def of(self, node: cst.CSTNode, depth: int = 0) -> str:
        if depth > 8:
            return UNKNOWN
        if isinstance(node, cst.Integer):
            return INT
        if isinstance(node, cst.Float):
            return FLOAT
        if isinstance(node, cst.Imaginary):
            return NUMBER
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            return _string_kind(node)
        if isinstance(node, (cst.List, cst.ListComp)):
            return LIST
        if isinstance(node, (cst.Dict, cst.DictComp)):
            return DICT
        if isinstance(node, (cst.Set, cst.SetComp)):
            return SET
        if isinstance(node, cst.GeneratorExp):
            return ITERATOR
        if isinstance(node, cst.Tuple):
            inner = [self.of(e.value, depth + 1) for e in node.elements if isinstance(e, cst.Element)]
            return TUPLE if len(inner) == len(node.elements) and all(k in IMMUTABLE for k in inner) else UNKNOWN
        if isinstance(node, cst.Name):
            return self._name(node, depth)
        if isinstance(node, cst.Comparison):
            return BOOL
        if isinstance(node, cst.UnaryOperation):
            if isinstance(node.operator, cst.Not):
                return BOOL
            inner = self.of(node.expression, depth + 1)
            return inner if inner in NUMERIC else UNKNOWN
        if isinstance(node, cst.BooleanOperation):
            return join([self.of(node.left, depth + 1), self.of(node.right, depth + 1)])
        if isinstance(node, cst.IfExp):
            return join([self.of(node.body, depth + 1), self.of(node.orelse, depth + 1)])
        if isinstance(node, cst.BinaryOperation):
            return self._binary(node, depth)
        if isinstance(node, cst.Call):
            return self._call(node, depth)
        if isinstance(node, cst.Subscript):
            base = self.of(node.value, depth + 1)
            return base if base in (STR, BYTES) else UNKNOWN
        return UNKNOWN

    def _binary(self, node: cst.BinaryOperation, depth: int) -> str:
        left, right = self.of(node.left, depth + 1), self.of(node.right, depth + 1)
        op = type(node.operator).__name__
        if op == "Add" and STR in (left, right):
            return STR  # str + x is a str or raises (an operand's __radd__ aside)
        if op == "Modulo" and left == STR:
            return STR
        if op == "Multiply" and STR in (left, right) and {left, right} <= {STR, INT, BOOL}:
            return STR
        if op == "Multiply" and LIST in (left, right) and {left, right} <= {LIST, INT}:
            return LIST
        if left in NUMERIC and right in NUMERIC:
            if op == "Divide":
                return FLOAT
            if {left, right} <= {INT, BOOL} and op != "MatrixMultiply":
                return INT
            return NUMBER
        return UNKNOWN

    def _call(self, node: cst.Call, depth: int) -> str:
        func = node.func
        if isinstance(func, cst.Name) and func.value not in self.shadowed:
            if func.value in ("min", "max") and len(node.args) > 1:
                return join([self.of(a.value, depth + 1) for a in node.args if a.keyword is None])
            if func.value == "round" and len(node.args) == 2:
                return NUMBER
            if func.value in BUILTIN_RESULTS:
                return BUILTIN_RESULTS[func.value]
            function = self._functions.get(func.value)
            if function is not None:
                return self.returns(function, depth + 1)
            return UNKNOWN
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            receiver = self.of(func.value, depth + 1)
            if receiver in (STR, UNKNOWN) and method in STR_METHODS:
                result = STR_METHODS[method]
                return BYTES if receiver == BYTES and result == STR else result
            table = SHARED_READS.get(receiver, {})
            if method in table:
                return table[method]
        return UNKNOWN

    def returns(self, function: cst.FunctionDef, depth: int = 0) -> str:
        """The common kind of every ``return`` of a function (``NONE`` if it only falls off)."""
        values = [r.value for r in returns_of(function)]
        if not values:
            return NONE
        return join([NONE if v is None else self.of(v, depth + 1) for v in values])

    def _name(self, node: cst.Name, depth: int) -> str:
        if node.value in ("True", "False"):
            return BOOL
        if node.value == "None":
            return NONE
        values = self.bound_values(node)
        if values is None:
            values = self.module_values(node.value)
        if not values:
            return UNKNOWN
        return join([self.of(v, depth + 1) if isinstance(v, cst.CSTNode) else v for v in values])

    def module_values(self, name: str) -> list[cst.CSTNode | str] | None:
        """The values a module-level name is bound to, if only plain module-level
        assignments bind it (no function declares it ``global``)."""
        table = self.index.memo.get("kinds.module")
        if table is None:
            table = self.index.memo["kinds.module"] = self._module_table()
        return table.get(name)  # type: ignore[union-attr]

    def _module_table(self) -> dict[str, list[cst.CSTNode | str] | None]:
        table: dict[str, list[cst.CSTNode | str] | None] = {}
        for statement in self.index.module.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    _record(table, [(n, v if not isinstance(v, _LoopTarget) else False)
                                    for n, v in _bindings(small, self)])
            else:
                _record(table, [(n, False) for n in _bound_by_compound(statement)])
        for node in walk(self.index.module):
            if isinstance(node, cst.Global):
                _record(table, [(item.name.value, False) for item in node.names])
        return {k: v or None for k, v in table.items()}

    def bound_values(self, node: cst.Name) -> list[cst.CSTNode | str] | None:
        """What the name is bound to in its function (expressions, or a kind for loop targets),
        or ``None`` when some binding is not a plain assignment the inference understands."""
        function = enclosing_function(self.index, node)
        return None if function is None else self.bound_in(function, node.value)

    def bound_in(self, function: cst.FunctionDef, name: str) -> list[cst.CSTNode | str] | None:
        """What ``name`` is bound to inside ``function`` (``None``: a parameter, or bound in a way
        the inference does not follow, or not bound there at all)."""
        key = ("kinds.bound", id(function))
        table = self.index.memo.get(key)
        if table is None:
            table = {}
            for sub in walk_own(function.body):
                _record(table, _bindings(sub, self))
            for param in walk(function.params):
                if isinstance(param, cst.Param):
                    table[param.name.value] = None
            self.index.memo[key] = table
        values = table.get(name)  # type: ignore[union-attr]
        if not values:
            return None
        if (id(function), name) in self._resolving:
            return None  # a loop variable whose iterable reads itself
        self._resolving.add((id(function), name))
        try:
            return [_loop_target_kind(v.node, name, self) if isinstance(v, _LoopTarget) else v for v in values]
        finally:
            self._resolving.discard((id(function), name))

    def name_kind(self, function: cst.FunctionDef | None, name: str, defaults: bool = False) -> str:
        """The kind of ``name`` as code in ``function`` sees it; with ``defaults``, a parameter
        counts as the kind of its default value (a guess, for the repair operators)."""
        key = ("kinds.name", id(function), name, defaults)
        if key not in self.index.memo:
            self.index.memo[key] = self._name_kind(function, name, defaults)
        return self.index.memo[key]  # type: ignore[return-value]

    def _name_kind(self, function: cst.FunctionDef | None, name: str, defaults: bool) -> str:
        values = self.bound_in(function, name) if function is not None else None
        if values is None and function is not None:
            param = next((p for p in walk(function.params) if isinstance(p, cst.Param) and p.name.value == name), None)
            if param is not None:
                return self.of(param.default) if defaults and param.default is not None else UNKNOWN
        if values is None:
            values = self.module_values(name)
        if not values:
            return UNKNOWN
        return join([self.of(v, 1) if isinstance(v, cst.CSTNode) else v for v in values])


def _bindings(node: cst.CSTNode, kinds: Kinds) -> list[tuple[str, cst.CSTNode | str | bool]]:
    """The names ``node`` itself binds, each with its value (an expression, a kind for a loop
    target, or ``False`` for a binding the inference does not follow)."""
    if isinstance(node, cst.Assign):
        out: list[tuple[str, cst.CSTNode | str | bool]] = []
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                out.append((target.target.value, node.value))
            elif isinstance(target.target, (cst.Tuple, cst.List)):
                out += [(n, _unpacked(target.target, node.value, n)) for n in _target_names(target.target)]
        return out
    if isinstance(node, cst.AnnAssign) and isinstance(node.target, cst.Name):
        return [(node.target.value, node.value if node.value is not None else False)]
    if isinstance(node, cst.AugAssign) and isinstance(node.target, cst.Name):
        keeps = isinstance(node.operator, (cst.AddAssign, cst.SubtractAssign, cst.MultiplyAssign))
        return [(node.target.value, node.value if keeps else False)]
    if isinstance(node, (cst.For, cst.CompFor)):
        return [(n, _LoopTarget(node)) for n in _target_names(node.target)]  # resolved when asked
    if isinstance(node, (cst.NamedExpr, cst.AsName, cst.Global, cst.Nonlocal, cst.Del)):
        return [(n, False) for n in _names_in(node)]
    return []


class _LoopTarget:
    """A name bound by a ``for``: its kind depends on the iterable, worked out when asked."""

    def __init__(self, node: cst.For | cst.CompFor) -> None:
        self.node = node


def _target_names(target: cst.CSTNode) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _target_names(e.value)]
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return []


def _record(table: dict[str, list[cst.CSTNode | str] | None],
            found: list[tuple[str, cst.CSTNode | str | bool]]) -> None:
    for name, value in found:
        if value is False:
            table[name] = None
        elif table.get(name, []) is not None:
            table.setdefault(name, []).append(value)  # type: ignore[union-attr, arg-type]


def _unpacked(target: cst.CSTNode, value: cst.CSTNode, name: str) -> cst.CSTNode | bool:
    """``lo`` in ``lo, hi = 0, len(xs)`` is bound to ``0``; anything less plain is not followed."""
    if not (isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, (cst.Tuple, cst.List))
            and len(target.elements) == len(value.elements)):
        return False
    for element, item in zip(target.elements, value.elements):
        if isinstance(element.value, cst.Name) and element.value.value == name and isinstance(item, cst.Element):
            return item.value
    return False


def _loop_target_kind(node: cst.For | cst.CompFor, name: str, kinds: Kinds) -> str | bool:
    iterable = node.iter
    target = node.target
    if isinstance(target, cst.Name):
        if isinstance(iterable, cst.Call) and dotted(iterable.func) == "range" and "range" not in kinds.shadowed:
            return INT
        if kinds.of(iterable) in (STR,):
            return STR
        return UNKNOWN
    if (isinstance(target, cst.Tuple) and len(target.elements) == 2 and isinstance(iterable, cst.Call)
            and dotted(iterable.func) == "enumerate" and "enumerate" not in kinds.shadowed
            and isinstance(target.elements[0].value, cst.Name) and target.elements[0].value.value == name
            and len(iterable.args) == 1):
        return INT
    return UNKNOWN


def _bound_by_compound(statement: cst.CSTNode) -> set[str]:
    if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
        return {statement.name.value}
    return _names_in(statement)


def _names_in(node: cst.CSTNode) -> set[str]:
    return {n.value for n in walk(node) if isinstance(n, cst.Name)}


def _module_functions(index: ModuleIndex) -> dict[str, cst.FunctionDef]:
    return {s.name.value: s for s in index.module.body if isinstance(s, cst.FunctionDef)}


def kinds(index: ModuleIndex) -> Kinds:
    """The (memoised) kind inference of ``index``."""
    found = index.memo.get("kinds")
    if found is None:
        found = index.memo["kinds"] = Kinds(index, bound_in_module(index.module))
    return found  # type: ignore[return-value]


_INT_OPS = (cst.FloorDivide, cst.Modulo, cst.Add, cst.Subtract, cst.Multiply)


def integer_like(node: cst.CSTNode, index: ModuleIndex, depth: int = 0) -> bool:
    """Probably an ``int``: what the inference proves, or integer arithmetic on a literal
    (``(lo + hi) // 2``), or a local bound only to such values. A guess, fine for repair."""
    infer = kinds(index)
    kind = infer.of(node)
    if kind == INT or depth > 4:
        return kind == INT
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, _INT_OPS):
        sides = (node.left, node.right)
        if any(infer.of(s) not in (INT, UNKNOWN) for s in sides):
            return False
        return any(isinstance(s, cst.Integer) or integer_like(s, index, depth + 1) for s in sides)
    if isinstance(node, cst.Name):
        values = infer.bound_values(node)
        return bool(values) and all(v == INT if isinstance(v, str) else integer_like(v, index, depth + 1)
                                    for v in values)  # type: ignore[union-attr]
    return False
