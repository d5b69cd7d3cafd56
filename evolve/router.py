"""Which variants the fast path may evaluate by swapping function code, decided statically.

The fast path (``live``) runs a variant by assigning new code objects to the
functions a warm, already-imported session holds (``func.__code__ = new``).
That is only the variant's behaviour when everything that ran at import time
is the same as the baseline's: module-level statements, class bodies,
decorators, default values, annotations, imports. And a code object can only
replace another of the same shape: the same parameters, the same free
variables (a function's closure cells are fixed), the same generator or
coroutine kind. (A docstring may change: ``__doc__`` is copied at definition,
so the live worker sets it too, unless a wrapper copied it already.)

Two checks, both on the engine side and neither executing anything:

1. Where the edits are (``ModuleIndex.scope_of``): an edit at module level or
   in a class body, or one that adds imports, goes to the slow path at once.
2. What the compiled code is: the module's code with every function compiled
   into it replaced by a placeholder (its qualified name) must equal the
   baseline's, ignoring line numbers; the functions whose own code differs
   (nested code, such as closures and comprehensions, counts as part of its
   function) are the ones to swap, and each must keep its shape.

Anything else, or anything unusual (two definitions under one name), takes
the slow path, which rebuilds the module from the variant's files. The live
worker checks a second time what only it can know: whether the function was
called while the session was collected (then its effect is already baked in).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import CodeType
from typing import Any

from mutations._index import MODULE_SCOPE, ModuleIndex
from mutations.registry import get_operator
from populations.patch import Edit

__all__ = ["Route", "Router", "SWAP"]

SWAP = "swap"
"""The reason of a route that the fast path may take."""

_ANONYMOUS = frozenset({"<lambda>", "<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>"})


@dataclass(frozen=True)
class Route:
    """How to evaluate one variant.

    ``swap`` maps each changed file to the qualified names of the functions
    whose code changed (empty when no code changed at all), or is None when
    the variant must be rebuilt from its files; ``reason`` says why, in a few
    words that the evaluator counts (``SWAP`` for the fast path).
    """

    swap: Mapping[str, tuple[str, ...]] | None
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
        swap: dict[str, tuple[str, ...]] = {}
        for file, text in sources.items():
            if file not in self._baseline:
                return Route(None, "not a target file")
            code = (codes or {}).get(file) or compile(text, file, "exec", dont_inherit=True)
            changed = self._changed_functions(self._baseline[file], _Module.of(code))
            if isinstance(changed, str):
                return Route(None, changed)
            if changed:
                swap[file] = changed
        return Route(swap, SWAP)

    def _misplaced(self, edit: Edit) -> str:
        """Why an edit's place rules the swap out ("" if it does not)."""
        index = self.indexes.get(edit.file)
        if index is None:
            return "not a target file"
        operator = get_operator(edit.operator)
        if operator.imports(edit.param_dict):
            return "adds an import"
        for node_id in operator.touched(edit.node, edit.param_dict):
            scope = index.scope_of(node_id)
            if scope == MODULE_SCOPE:
                return "module-level edit"
            if scope not in self._functions[edit.file]:
                return "class-body edit"
        return ""

    @staticmethod
    def _changed_functions(baseline: _Module, variant: _Module) -> tuple[str, ...] | str:
        """Qualified names of the functions whose code changed, or why they cannot be swapped."""
        if variant.frame != baseline.frame or variant.units.keys() != baseline.units.keys():
            return "import-time code differs"
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
        return tuple(changed)
