"""The principles themselves: one small ``Principle`` class per rule, with the facts it reads.

``NoEvalExec``, ``ProtectedNames``, ``PublicSignatures``, ``ImportAllowlist``,
``ComplexityCeiling``, ``DocstringsKept`` and ``BodiesKept``, each next to the
cached function that reads its facts (calls, protected sources, signatures,
imports, docstrings, empty bodies) from a source's tree. A new rule is one
class here and one registry line in ``principles.PRINCIPLES``.
"""

from __future__ import annotations

import ast
import copy
from collections import Counter
from collections.abc import Iterator, Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import ClassVar

from fitness.maintainability import function_complexities
from fitness.principles_base import (
    CACHED_SOURCES,
    Definition,
    Grouped,
    Modules,
    Principle,
    PrincipleSettings,
    _definitions,
    _group,
    _pairs,
    parse,
)

DYNAMIC_CALLS = frozenset({"eval", "exec", "compile", "__import__"})
ALWAYS_ALLOWED_IMPORTS = frozenset({"collections", "functools"})
"""Standard-library modules the speed-up operators import (``Operator.imports``: ``functools.cache``,
``collections.deque``, ``collections.Counter``); a test keeps the two in step."""


class _DynamicCalls(ast.NodeVisitor):
    """Counts eval/exec/compile/__import__ calls per enclosing function."""

    def __init__(self) -> None:
        self.scope: list[str] = []
        self.found: Counter[tuple[str, str]] = Counter()

    def _enter(self, node: Definition) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _enter

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else None
        if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                and func.value.id in ("builtins", "__builtins__")):
            name = func.attr
        if name in DYNAMIC_CALLS:
            self.found[".".join(self.scope) or "module level", name] += 1
        self.generic_visit(node)


@lru_cache(maxsize=CACHED_SOURCES)
def _dynamic_calls(source: str) -> Mapping[tuple[str, str], int]:
    visitor = _DynamicCalls()
    visitor.visit(parse(source))
    return MappingProxyType(dict(visitor.found))


class NoEvalExec(Principle):
    name: ClassVar[str] = "no_eval_exec"
    description: ClassVar[str] = "no call to eval, exec, compile or __import__ that the baseline did not have"

    def _check(self, variant: Modules, baseline: Modules, settings: PrincipleSettings) -> list[str]:
        out = []
        for file, source in variant.parsed.items():
            before = _dynamic_calls(baseline.sources[file]) if file in baseline.parsed else {}
            for (scope, call), count in sorted(_dynamic_calls(source).items()):
                if count > before.get((scope, call), 0):
                    out.append(f"{file}: new call to {call}() in {scope}")
        return out


@lru_cache(maxsize=CACHED_SOURCES)
def _protected(source: str, protected: frozenset[str]) -> Grouped:
    """Full source lines (decorators included) of each protected definition."""
    lines = source.splitlines(keepends=True)

    def segment(node: Definition) -> str:
        start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        return "".join(lines[start - 1:node.end_lineno])

    chosen = ((name, node) for name, node in _definitions(parse(source))
              if name in protected or node.name in protected)
    return _group(chosen, segment)


class ProtectedNames(Principle):
    name: ClassVar[str] = "protected_names"
    description: ClassVar[str] = "functions and classes named in settings.protected keep their baseline source exactly"

    def _check(self, variant: Modules, baseline: Modules, settings: PrincipleSettings) -> list[str]:
        if not settings.protected:
            return []
        protected, out = frozenset(settings.protected), []
        for file, before_source, after_source in _pairs(variant, baseline):
            after = _protected(after_source, protected) if after_source is not None else {}
            for name, texts in _protected(before_source, protected).items():
                if name not in after:
                    out.append(f"{file}: protected {name} was removed")
                elif texts != after[name]:
                    out.append(f"{file}: protected {name} was changed")
        return out


def _is_public(name: str) -> bool:
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))


def _public_api(tree: ast.Module) -> Iterator[tuple[str, Definition]]:
    """Public module-level functions, and public methods of public module-level classes."""
    functions = ast.FunctionDef | ast.AsyncFunctionDef
    for node in tree.body:
        if isinstance(node, functions) and _is_public(node.name):
            yield node.name, node
        elif isinstance(node, ast.ClassDef) and _is_public(node.name):
            yield from ((f"{node.name}.{fn.name}", fn) for fn in node.body
                        if isinstance(fn, functions) and _is_public(fn.name))


def _signature(node: Definition) -> str:
    """The parameter list as written, defaults included, annotations left out."""
    args = copy.deepcopy(node.args)  # type: ignore[union-attr]
    for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
        if arg is not None:
            arg.annotation = None
    prefix = "async " if isinstance(node, ast.AsyncFunctionDef) else ""
    return f"{prefix}({ast.unparse(args)})"


@lru_cache(maxsize=CACHED_SOURCES)
def _signatures(source: str) -> Grouped:
    return _group(_public_api(parse(source)), _signature)


class PublicSignatures(Principle):
    name: ClassVar[str] = "public_signatures"
    description: ClassVar[str] = "every public module-level function and method keeps its parameter list"

    def _check(self, variant: Modules, baseline: Modules, settings: PrincipleSettings) -> list[str]:
        out = []
        for file, before_source, after_source in _pairs(variant, baseline):
            after = _signatures(after_source) if after_source is not None else {}
            for name, signatures in _signatures(before_source).items():
                if name not in after:
                    out.append(f"{file}: public {name} was removed")
                elif signatures != after[name]:
                    was, now = ", ".join(signatures), ", ".join(after[name])
                    out.append(f"{file}: signature of {name} changed from {was} to {now}")
        return out


@lru_cache(maxsize=CACHED_SOURCES)
def _imports(source: str) -> frozenset[str]:
    """Absolute modules imported anywhere in the file (relative imports stay inside the project)."""
    out: set[str] = set()
    for node in ast.walk(parse(source)):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module)
    return frozenset(out)


def _known(module: str, known: set[str]) -> bool:
    """Known itself, a submodule of a known module, or a package a known module lives in."""
    return any(module == k or module.startswith(k + ".") or k.startswith(module + ".") for k in known)


class ImportAllowlist(Principle):
    name: ClassVar[str] = "import_allowlist"
    description: ClassVar[str] = ("no import of a module the baseline does not import, unless listed in "
                                  "settings.allowed_imports (collections and functools are always allowed)")

    def _check(self, variant: Modules, baseline: Modules, settings: PrincipleSettings) -> list[str]:
        known = set(ALWAYS_ALLOWED_IMPORTS) | set(settings.allowed_imports)
        for source in baseline.parsed.values():
            known |= _imports(source)
        return [f"{file}: imports {module}, which neither the baseline nor the allowlist has"
                for file, source in variant.parsed.items()
                for module in sorted(_imports(source) - known) if not _known(module, known)]


class ComplexityCeiling(Principle):
    name: ClassVar[str] = "complexity_ceiling"
    description: ClassVar[str] = ("no function's cyclomatic complexity above settings.complexity_ceiling, "
                                  "unless the baseline's version already was")

    def _check(self, variant: Modules, baseline: Modules, settings: PrincipleSettings) -> list[str]:
        ceiling, out = settings.complexity_ceiling, []
        for file, source in variant.parsed.items():
            before = function_complexities(baseline.sources[file]) if file in baseline.parsed else {}
            for name, complexity in sorted(function_complexities(source).items()):
                if complexity > ceiling and before.get(name, 0) <= ceiling:
                    out.append(f"{file}: {name} has cyclomatic complexity {complexity}, above {ceiling}")
        return out


@lru_cache(maxsize=CACHED_SOURCES)
def _docstrings(source: str) -> Grouped:
    """Docstrings by owner (``<module>`` for the module's own); owners without one are left out."""
    tree = parse(source)
    owners: list[tuple[str, ast.AST]] = [("<module>", tree), *_definitions(tree)]
    return _group(((name, node) for name, node in owners if ast.get_docstring(node)),  # type: ignore[arg-type]
                  lambda node: ast.get_docstring(node) or "")


class DocstringsKept(Principle):
    name: ClassVar[str] = "docstrings_kept"
    description: ClassVar[str] = "every docstring of the baseline's modules, functions and classes is still there"

    def _check(self, variant: Modules, baseline: Modules, settings: PrincipleSettings) -> list[str]:
        out = []
        for file, before_source, after_source in _pairs(variant, baseline):
            after = _docstrings(after_source) if after_source is not None else {}
            for name, docs in _docstrings(before_source).items():
                if Counter(docs) - Counter(after.get(name, ())):
                    out.append(f"{file}: docstring of {name} was removed or changed")
        return out


def _is_empty_body(body: list[ast.stmt]) -> bool:
    """Only a docstring, ``pass``, ``...``, or ``return``/``return None``: a body that does nothing."""
    for statement in body:
        if isinstance(statement, ast.Pass):
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # a docstring or a bare ``...``
        if isinstance(statement, ast.Return) and (statement.value is None or (
                isinstance(statement.value, ast.Constant) and statement.value.value is None)):
            continue
        return False
    return True


@lru_cache(maxsize=CACHED_SOURCES)
def _empty_functions(source: str) -> frozenset[str]:
    return frozenset(name for name, node in _definitions(parse(source))
                     if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _is_empty_body(node.body))


class BodiesKept(Principle):
    name: ClassVar[str] = "bodies_kept"
    description: ClassVar[str] = ("no function that did something at baseline is reduced to a body that does "
                                  "nothing (pass, ..., a docstring, return None): gutting is never a gain")

    def _check(self, variant: Modules, baseline: Modules, settings: PrincipleSettings) -> list[str]:
        out = []
        for file, before_source, after_source in _pairs(variant, baseline):
            if after_source is None:
                continue
            gutted = _empty_functions(after_source) - _empty_functions(before_source)
            known = {name for name, _ in _definitions(parse(before_source))}
            out.extend(f"{file}: the body of {name} was reduced to nothing" for name in sorted(gutted & known))
        return out
