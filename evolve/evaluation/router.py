"""Which variants the fast path may evaluate in a live session, decided statically.

The fast path (``live``) runs a variant in a warm session that imported the
baseline once: it assigns new code objects to the functions the session holds
(``func.__code__ = new``), and it can rebind a few module-level names. That is
the variant's behaviour only when nothing else that ran at import time
differs, and a code object can only replace one of the same shape: the same
parameters, the same free variables (a function's closure cells are fixed),
the same generator or coroutine kind. (A docstring may change: ``__doc__`` is
copied at definition, so the live worker sets it too, unless a wrapper copied
it already.)

Two checks, both on the engine side and neither executing anything:

1. Where the edits are (``ModuleIndex.scope_of``): an edit in a class body goes
   to the slow path at once; edits in function bodies are candidates for a
   code swap, edits at module level for a rebind.
2. What the compiled code is: the module's code with every function compiled
   into it replaced by a placeholder (its qualified name) must equal the
   baseline's, ignoring line numbers. Then the functions whose own code
   differs (closures and comprehensions count as part of their function) are
   the ones to swap, and each must keep its shape. When the module-level code
   differs, the top-level statements are compared instead (``_rebind``): the
   only differences allowed are a new literal value for a name assigned once
   at module level and read there by nothing, a ``functools.cache`` decorator
   added to an undecorated module-level function that module-level code does
   not read, and the ``import functools`` that decorator needs.

Anything else, or anything unusual (two definitions under one name), takes
the slow path, which rebuilds the module from the variant's files. The live
worker checks what only it can know: whether the function ran while the
session was collected (then its effect is already baked in), whether other
modules hold a changed object elsewhere than in a module-level name, and
whether another file of the project mentions a rebound constant.
"""

from __future__ import annotations

import ast
import inspect
import marshal
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from types import CodeType
from typing import Any

from mutations._index import MODULE_SCOPE, ModuleIndex
from mutations.registry import get_operator
from populations.patch import Edit

__all__ = ["REBIND", "SWAP", "Route", "Router", "Swap"]

SWAP = "swap"
"""The reason of a route whose variant only changes function bodies."""
REBIND = "rebind"
"""The reason of a route whose variant also rebinds module-level names (still the fast path)."""

_ANONYMOUS = frozenset({"<lambda>", "<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>"})


@dataclass(frozen=True)
class Swap:
    """What the live worker changes in one module of its session."""

    functions: tuple[str, ...] = ()
    """Qualified names of the functions whose code is replaced."""
    constants: tuple[tuple[str, str], ...] = ()
    """Module-level names rebound to a new literal: (name, source of the value)."""
    cached: tuple[str, ...] = ()
    """Module-level functions that become ``functools.cache(function)`` wherever they are bound."""
    imports: tuple[str, ...] = ()
    """Modules the variant imports at module level (``import functools``)."""
    readers: tuple[str, ...] = ()
    """Functions whose code is unchanged but that read a rebound constant."""
    code: bytes = b""
    """The variant module as the compile gate compiled it (``marshal``), so the worker need not compile."""

    @property
    def touched(self) -> tuple[str, ...]:
        """Every function whose behaviour may differ: the tests that call one must run."""
        return (*self.functions, *self.cached, *self.readers)


@dataclass(frozen=True)
class Route:
    """How to evaluate one variant.

    ``swap`` maps each changed file to what the live worker changes in it
    (no entry for a file whose functions are all unchanged), or is None when
    the variant must be rebuilt from its files; ``reason`` says why, in a few
    words that the evaluator counts (``SWAP`` and ``REBIND`` take the fast path).
    """

    swap: Mapping[str, Swap] | None
    reason: str


def _is_function(code: CodeType) -> bool:
    """A ``def`` (function or method): a code object a live function object holds for good."""
    return bool(code.co_flags & inspect.CO_NEWLOCALS) and code.co_name not in _ANONYMOUS


def _constant(value: Any, placeholders: bool) -> Any:
    """A constant's identity, strict about type: ``1``, ``1.0``, ``True`` and ``-0.0`` all differ."""
    if isinstance(value, CodeType):
        if placeholders and _is_function(value):
            return ("def", value.co_qualname)
        return ("code", _signature(value, placeholders and not (value.co_flags & inspect.CO_NEWLOCALS)))
    if isinstance(value, tuple):
        return ("tuple", tuple(_constant(v, placeholders) for v in value))
    if isinstance(value, frozenset):
        return ("frozenset", tuple(sorted(repr(_constant(v, placeholders)) for v in value)))
    return (type(value).__name__, repr(value))


def _signature(code: CodeType, placeholders: bool) -> tuple[Any, ...]:
    """Everything that makes ``code`` behave as it does, without its file or line numbers.

    With ``placeholders``, functions defined in it (and in class bodies in
    it) stand for their qualified names only: the signature is then that of
    what runs at import time.
    """
    return (
        code.co_name, code.co_qualname, code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount,
        code.co_flags, code.co_stacksize, code.co_code, code.co_exceptiontable,
        tuple(_constant(c, placeholders) for c in code.co_consts),
        code.co_names, code.co_varnames, code.co_freevars, code.co_cellvars,
    )


def _shape(code: CodeType) -> tuple[Any, ...]:
    """What a swapped-in code object must share with the one it replaces."""
    nargs = code.co_argcount + code.co_kwonlyargcount + bool(code.co_flags & inspect.CO_VARARGS) \
        + bool(code.co_flags & inspect.CO_VARKEYWORDS)
    return (code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount, code.co_flags,
            code.co_freevars, code.co_varnames[:nargs])


def _names(code: CodeType) -> Iterator[str]:
    """Global and attribute names ``code`` and the code nested in it use."""
    yield from code.co_names
    for const in code.co_consts:
        if isinstance(const, CodeType):
            yield from _names(const)


@dataclass(frozen=True)
class _Module:
    """A compiled module split into what runs at import (``frame``) and its functions (``units``)."""

    frame: tuple[Any, ...]
    units: Mapping[str, tuple[CodeType, ...]]
    signatures: Mapping[str, tuple[tuple[Any, ...], ...]]

    @classmethod
    def of(cls, code: CodeType) -> _Module:
        units: dict[str, list[CodeType]] = {}

        def collect(container: CodeType) -> None:
            for const in container.co_consts:
                if isinstance(const, CodeType):
                    if _is_function(const):
                        units.setdefault(const.co_qualname, []).append(const)
                    elif not const.co_flags & inspect.CO_NEWLOCALS:
                        collect(const)  # a class body: its methods are functions too

        collect(code)
        return cls(frame=_signature(code, placeholders=True),
                   units={q: tuple(v) for q, v in units.items()},
                   signatures={q: tuple(_signature(c, False) for c in v) for q, v in units.items()})


class Router:
    """Routes applied patches; built once per run from the original trees."""

    def __init__(self, indexes: Mapping[str, ModuleIndex]) -> None:
        self.indexes = indexes
        self._baseline = {f: _Module.of(compile(i.source, f, "exec", dont_inherit=True))
                          for f, i in indexes.items()}
        self._functions = {f: frozenset(i.functions()) for f, i in indexes.items()}
        self._trees: dict[str, ast.Module] = {}

    def route(self, edits: Iterable[Edit], sources: Mapping[str, str],
              codes: Mapping[str, CodeType] | None = None) -> Route:
        """Route a variant: its applied ``edits`` and the new text of each file it changed.

        ``codes`` may hold the files already compiled (the compile gate did);
        a file missing from it is compiled here.
        """
        for edit in edits:
            why = self._misplaced(edit)
            if why:
                return Route(None, why)
        swap: dict[str, Swap] = {}
        reason = SWAP
        for file, text in sources.items():
            if file not in self._baseline:
                return Route(None, "not a target file")
            code = (codes or {}).get(file) or compile(text, file, "exec", dont_inherit=True)
            baseline, variant = self._baseline[file], _Module.of(code)
            if variant.frame == baseline.frame and variant.units.keys() == baseline.units.keys():
                found: Swap | str = _changed_functions(baseline, variant)
            else:
                found = self._rebind(file, text, baseline, variant)
                reason = REBIND
            if isinstance(found, str):
                return Route(None, found)
            if found.touched or found.constants or found.imports:
                swap[file] = replace(found, code=marshal.dumps(code))
        return Route(swap, reason)

    def _misplaced(self, edit: Edit) -> str:
        """Why an edit's place rules the fast path out ("" if it does not)."""
        index = self.indexes.get(edit.file)
        if index is None:
            return "not a target file"
        operator = get_operator(edit.operator)
        for node_id in operator.touched(edit.node, edit.param_dict):
            scope = index.scope_of(node_id)
            if scope != MODULE_SCOPE and scope not in self._functions[edit.file]:
                return "class-body edit"
        return ""

    def _rebind(self, file: str, text: str, baseline: _Module, variant: _Module) -> Swap | str:
        """The rebinding that turns the baseline's module into the variant's, or why there is none."""
        if variant.units.keys() != baseline.units.keys():
            return "import-time code differs"
        if file not in self._trees:
            self._trees[file] = ast.parse(self.indexes[file].source)
        found = _top_level_changes(self._trees[file], ast.parse(text), text)
        if isinstance(found, str):
            return found
        constants, cached, imports = found
        tree = ast.parse(text)
        stores = _module_stores(tree)
        names = {name for name, _ in constants} | set(cached)
        if any(stores[name] != 1 for name in names) or names & _module_reads(tree):
            return "a rebound name is assigned again or read at import time"
        others = [i.source for f, i in self.indexes.items() if f != file]
        if any(name in source for name, _ in constants for source in others):
            return "another target file mentions a rebound constant"
        swapped = _changed_functions(baseline, variant)
        if isinstance(swapped, str):
            return swapped
        constant_names = {name for name, _ in constants}
        readers = tuple(q for q, codes in variant.units.items() if q not in swapped.functions
                        and any(constant_names & set(_names(c)) for c in codes))
        return Swap(swapped.functions, constants, cached, imports, readers)


def _changed_functions(baseline: _Module, variant: _Module) -> Swap | str:
    """The functions whose code changed, or why they cannot be swapped."""
    changed: list[str] = []
    for qualname, olds in baseline.units.items():
        news = variant.units[qualname]
        if baseline.signatures[qualname] == variant.signatures[qualname]:
            continue
        if len(olds) != 1 or len(news) != 1:
            return "a changed function is defined more than once"
        if _shape(olds[0]) != _shape(news[0]):
            return "a changed function's parameters, closure or kind differ"
        changed.append(qualname)
    return Swap(functions=tuple(changed))


def _same(a: ast.AST, b: ast.AST) -> bool:
    return ast.dump(a) == ast.dump(b)


def _is_import(statement: ast.stmt, module: str) -> bool:
    return isinstance(statement, ast.Import) and [(a.name, a.asname) for a in statement.names] == [(module, None)]


def _is_cache(decorator: ast.expr) -> bool:
    return (isinstance(decorator, ast.Attribute) and decorator.attr == "cache"
            and isinstance(decorator.value, ast.Name) and decorator.value.id == "functools")


def _top_level_changes(old: ast.Module, new: ast.Module, text: str):  # -> (constants, cached, imports) | str
    """Compare top-level statements: only new literals, added ``functools.cache``, ``import functools``."""
    imports = [s for s in new.body if _is_import(s, "functools") and not any(_same(s, o) for o in old.body)]
    body = [s for s in new.body if not any(s is i for i in imports)]
    if len(body) != len(old.body):
        return "import-time code differs"
    constants: list[tuple[str, str]] = []
    cached: list[str] = []
    for before, after in zip(old.body, body):
        if _same(before, after):
            continue
        if isinstance(before, ast.FunctionDef) and isinstance(after, ast.FunctionDef):
            if before.name != after.name or not _same(before.args, after.args) or \
                    not _same(before.returns or ast.Constant(None), after.returns or ast.Constant(None)):
                return "import-time code differs"
            if [ast.dump(d) for d in before.decorator_list] == [ast.dump(d) for d in after.decorator_list]:
                continue  # the body changed: the functions' code says how
            if before.decorator_list or len(after.decorator_list) != 1 or not _is_cache(after.decorator_list[0]):
                return "a decorator changed"
            cached.append(after.name)
        elif (isinstance(before, ast.Assign) and isinstance(after, ast.Assign) and len(after.targets) == 1
              and isinstance(after.targets[0], ast.Name)
              and [ast.dump(t) for t in before.targets] == [ast.dump(t) for t in after.targets]):
            try:
                ast.literal_eval(after.value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                return "a module-level value is not a literal"
            constants.append((after.targets[0].id, ast.get_source_segment(text, after.value) or ""))
        else:
            return "import-time code differs"
    if cached and not imports and not any(_is_import(s, "functools") for s in old.body):
        return "import-time code differs"
    return tuple(constants), tuple(cached), tuple("functools" for _ in imports[:1])


def _module_level(tree: ast.Module) -> Iterator[ast.AST]:
    """The nodes that run at import: everything but the bodies of functions."""
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield from statement.decorator_list
            yield statement.args
            if statement.returns is not None:
                yield statement.returns
        else:
            yield statement


def _module_reads(tree: ast.Module) -> set[str]:
    return {n.id for part in _module_level(tree) for n in ast.walk(part)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _module_stores(tree: ast.Module) -> Counter[str]:
    """How often each name is bound at module level (assignments, definitions, imports, loops...)."""
    counts: Counter[str] = Counter()
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            counts[statement.name] += 1
            parts: Iterable[ast.AST] = [*statement.decorator_list]
        else:
            parts = [statement]
        for part in parts:
            for node in ast.walk(part):
                if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                    counts[node.id] += 1
                elif isinstance(node, (ast.Import, ast.ImportFrom)):
                    counts.update((a.asname or a.name).split(".")[0] for a in node.names)
    for node in ast.walk(tree):  # a function that declares the name global may rebind it any time
        if isinstance(node, ast.Global):
            counts.update(node.names)
    return counts
