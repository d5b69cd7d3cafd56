"""Names: which are visible where, which an expression reads, and renaming them.

The repair operators swap one name for another, copy an expression or a
statement to another place, and build conditions from the names a statement
reads; all of that needs to know what is in scope at the destination. This
module asks LibCST's ``ScopeProvider`` (one resolve per index, memoised in
``ModuleIndex.memo``) rather than re-deriving Python's scoping rules: class
bodies are not visible from their methods, comprehension targets are local to
the comprehension, parameters are bound from the first line.

A *kind* groups names that may stand in for each other: ``value`` (parameters,
variables, loop targets), ``function``, ``class`` and ``module`` (imports).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import (
    BuiltinScope,
    ClassScope,
    ComprehensionScope,
    GlobalScope,
    MetadataWrapper,
    Scope,
    ScopeProvider,
)

from mutations._index import ModuleIndex

VALUE, FUNCTION, CLASS, MODULE = "value", "function", "class", "module"

_BUILTINS = frozenset(dir(builtins))

_SCOPE_NODES = (cst.FunctionDef, cst.ClassDef, cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp,
                cst.GeneratorExp)
_CONSTANT_NAMES = frozenset({"True", "False", "None", "__debug__"})
_NEVER_SWAPPED = frozenset({"self", "cls", "super", "__name__", "__file__"})


@dataclass(frozen=True)
class Binding:
    """A name bound in some scope: its kind, the line of its first binding, where."""

    name: str
    kind: str
    line: int
    local: bool


def _kind(node: cst.CSTNode) -> str:
    if isinstance(node, cst.FunctionDef):
        return FUNCTION
    if isinstance(node, cst.ClassDef):
        return CLASS
    if isinstance(node, (cst.Import, cst.ImportFrom)):
        return MODULE
    return VALUE


class Names:
    """Scope facts of one index; get it with ``names(index)``."""

    def __init__(self, index: ModuleIndex) -> None:
        self.index = index
        wrapper = MetadataWrapper(index.module, unsafe_skip_copy=True)
        self._scopes: Mapping[cst.CSTNode, Scope | None] = wrapper.resolve(ScopeProvider)
        self._bindings: dict[Scope, dict[str, Binding]] = {}

    def scope(self, node: cst.CSTNode) -> Scope | None:
        return self._scopes.get(node)

    def bindings(self, scope: Scope) -> dict[str, Binding]:
        """Names bound in ``scope`` itself (not its parents)."""
        found = self._bindings.get(scope)
        if found is None:
            found = {}
            local = not isinstance(scope, GlobalScope)
            for assignment in scope.assignments:
                node = getattr(assignment, "node", None)
                if node is None:
                    continue
                node_id = self.index.ids.get(node)
                line = 0 if isinstance(node, cst.Param) or node_id is None else self.index.line_of(node_id)
                kind = _kind(node)
                old = found.get(assignment.name)
                if old is not None:
                    kind = VALUE if VALUE in (kind, old.kind) else old.kind
                    line = min(line, old.line)
                found[assignment.name] = Binding(assignment.name, kind, line, local)
            self._bindings[scope] = found
        return found

    def chain(self, node: cst.CSTNode) -> Iterator[Scope]:
        """The scopes whose names code at ``node`` sees, innermost first (no class bodies
        above the first scope, no builtins)."""
        scope = self.scope(node)
        first = True
        while scope is not None and not isinstance(scope, BuiltinScope):
            if first or not isinstance(scope, ClassScope):
                yield scope
            first = False
            parent = scope.parent
            scope = None if parent is scope else parent

    def visible(self, node_id: str) -> dict[str, Binding]:
        """Names code at ``node_id`` can read: bound in an enclosing scope, and for
        function-local and module-level variables bound on an earlier line."""
        key = ("names.visible", node_id)
        found = self.index.memo.get(key)
        if found is not None:
            return found  # type: ignore[return-value]
        node = self.index.nodes[node_id]
        line = self.index.line_of(node_id)
        out: dict[str, Binding] = {}
        for scope in self.chain(node):
            for name, binding in self.bindings(scope).items():
                if name in out:
                    continue
                late = binding.kind == VALUE and binding.line >= line > 0 and not isinstance(scope, ComprehensionScope)
                if not late:
                    out[name] = binding
        self.index.memo[key] = out
        return out

    def swappable(self, node_id: str, kind: str) -> list[str]:
        """Visible names of ``kind`` that a name at ``node_id`` may become, sorted."""
        return sorted(n for n, b in self.visible(node_id).items()
                      if b.kind == kind and n not in _NEVER_SWAPPED and not n.startswith("__"))

    def can_read(self, node_id: str, wanted: frozenset[str] | set[str]) -> bool:
        """Are all of ``wanted`` visible at ``node_id`` (or builtins the module leaves alone)?"""
        visible = self.visible(node_id)
        return all(n in visible or (n in _BUILTINS and n not in self._module_bound()) for n in wanted)

    def _module_bound(self) -> frozenset[str]:
        found = self.index.memo.get("names.module_bound")
        if found is None:
            scope = self.scope(self.index.module)
            found = frozenset(self.bindings(scope)) if scope is not None else frozenset()
            self.index.memo["names.module_bound"] = found
        return found  # type: ignore[return-value]

    def kind_of(self, name: cst.Name, node_id: str) -> str | None:
        """The kind of a read name, or ``None`` for builtins and unknown names."""
        binding = self.visible(node_id).get(name.value)
        return binding.kind if binding is not None else None


def names(index: ModuleIndex) -> Names:
    """The (memoised) scope facts of ``index``."""
    found = index.memo.get("names")
    if found is None:
        found = index.memo["names"] = Names(index)
    return found  # type: ignore[return-value]


# --- what an expression reads -------------------------------------------------


def read_names(node: cst.CSTNode) -> list[cst.Name]:
    """The ``Name`` nodes ``node`` reads, in order: not attribute names, keyword
    names, or names bound inside ``node`` (by a comprehension, lambda or ``:=``)."""
    out: list[cst.Name] = []
    _collect(node, frozenset(), out)
    return out


def free_names(node: cst.CSTNode) -> frozenset[str]:
    """The names ``node`` reads from its surroundings (constants like ``None`` excluded)."""
    return frozenset(n.value for n in read_names(node) if n.value not in _CONSTANT_NAMES)


def _targets(target: cst.CSTNode) -> set[str]:
    """Names a binding target binds (``a`` and ``b`` in ``a, *b``; none in ``a[i]``)."""
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        return set().union(*(_targets(e.value) for e in target.elements))
    if isinstance(target, cst.StarredElement):
        return _targets(target.value)
    return set()


def _collect(node: cst.CSTNode, bound: frozenset[str], out: list[cst.Name]) -> None:
    if isinstance(node, cst.Name):
        if node.value not in bound:
            out.append(node)
        return
    if isinstance(node, cst.Attribute):
        _collect(node.value, bound, out)
        return
    if isinstance(node, cst.Arg):
        _collect(node.value, bound, out)
        return
    if isinstance(node, cst.Lambda):
        params = {p.name.value for p in _walk(node.params) if isinstance(p, cst.Param)}
        _collect(node.body, bound | params, out)
        return
    if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
        inner = set(bound)
        comp: cst.CompFor | None = node.for_in
        first = True
        while comp is not None:
            _collect(comp.iter, frozenset(bound if first else inner), out)
            inner |= _targets(comp.target)
            for condition in comp.ifs:
                _collect(condition.test, frozenset(inner), out)
            comp, first = comp.inner_for_in, False
        parts = [node.key, node.value] if isinstance(node, cst.DictComp) else [node.elt]
        for part in parts:
            _collect(part, frozenset(inner), out)
        return
    if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        return  # a nested definition reads at call time; never copied by these operators
    if isinstance(node, cst.AssignTarget):
        _collect_target(node.target, bound, out)
        return
    if isinstance(node, (cst.AnnAssign, cst.NamedExpr, cst.For, cst.CompFor)) and not isinstance(node, cst.AugAssign):
        for child in node.children:
            if child is node.target:
                _collect_target(child, bound, out)
            else:
                _collect(child, bound, out)
        return
    for child in node.children:
        _collect(child, bound, out)


def _collect_target(target: cst.CSTNode, bound: frozenset[str], out: list[cst.Name]) -> None:
    """Reads inside a binding target: ``a`` and ``i`` in ``a[i] = ...``, nothing in ``x = ...``."""
    if isinstance(target, cst.Name):
        return
    if isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            _collect_target(element.value, bound, out)
    elif isinstance(target, cst.StarredElement):
        _collect_target(target.value, bound, out)
    else:
        _collect(target, bound, out)


def _walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    yield node
    for child in node.children:
        yield from _walk(child)


def bound_names(node: cst.CSTNode) -> frozenset[str]:
    """Names a statement binds at its own level (assignment and loop targets, ``as`` names)."""
    out: set[str] = set()
    for sub in _walk(node):
        if isinstance(sub, _SCOPE_NODES) and sub is not node:
            continue
        if isinstance(sub, cst.AssignTarget):
            out |= _targets(sub.target)
        elif isinstance(sub, (cst.AugAssign, cst.AnnAssign, cst.For)):
            out |= _targets(sub.target)
        elif isinstance(sub, cst.NamedExpr):
            out |= _targets(sub.target)
        elif isinstance(sub, cst.AsName):
            out |= _targets(sub.name)
    return frozenset(out)


# --- renaming -----------------------------------------------------------------


class _Rename(cst.CSTTransformer):
    def __init__(self, mapping: Mapping[str, str]) -> None:
        super().__init__()
        self.mapping = mapping
        self.wanted: set[int] = set()

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if id(original_node) in self.wanted:
            return updated_node.with_changes(value=self.mapping[original_node.value])
        return updated_node


class _RenameTargets(cst.CSTVisitor):
    """Collects the Name nodes to rename: reads (as ``read_names`` sees them) and
    binding targets of the statement itself."""

    def __init__(self, mapping: Mapping[str, str], wanted: set[int]) -> None:
        super().__init__()
        self.mapping, self.wanted = mapping, wanted

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._mark(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._mark(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._mark(node.target)

    def _mark(self, target: cst.CSTNode) -> None:
        for name in _walk(target):
            if isinstance(name, cst.Name) and name.value in self.mapping:
                self.wanted.add(id(name))


def renamed(node: cst.CSTNode, mapping: Mapping[str, str]) -> cst.CSTNode:
    """``node`` with every read and every assignment target of a name in ``mapping``
    renamed (attribute names, keywords and names bound in nested scopes untouched)."""
    if not mapping:
        return node
    transformer = _Rename(mapping)
    transformer.wanted = {id(n) for n in read_names(node) if n.value in mapping}
    targets = _RenameTargets(mapping, transformer.wanted)
    node.visit(targets)
    # attribute names inside targets (``a.b = ``) must stay: drop them again
    for sub in _walk(node):
        if isinstance(sub, cst.Attribute):
            transformer.wanted.discard(id(sub.attr))
    return node.visit(transformer)


# --- which Name nodes are reads -----------------------------------------------

_TARGET_HOLDERS = (cst.AssignTarget, cst.AugAssign, cst.AnnAssign, cst.For, cst.CompFor, cst.NamedExpr,
                   cst.AsName, cst.Del, cst.WithItem)
_NOT_READ_HOLDERS = (cst.Import, cst.ImportFrom, cst.Global, cst.Nonlocal, cst.Decorator, cst.MatchPattern,
                     cst.Annotation)


def read_ids(index: ModuleIndex) -> frozenset[str]:
    """Ids of the ``Name`` nodes that read a variable: not targets, attribute or keyword
    names, definitions, parameters, imports, decorators, annotations or patterns."""
    found = index.memo.get("names.reads")
    if found is None:
        found = frozenset(i for n, i in index.ids.items() if isinstance(n, cst.Name) and _is_read(i, index))
        index.memo["names.reads"] = found
    return found  # type: ignore[return-value]


def _is_read(node_id: str, index: ModuleIndex) -> bool:
    node = index.nodes[node_id]
    ancestors = index.ancestors(node_id)
    if any(isinstance(index.nodes[a], _NOT_READ_HOLDERS) for a in ancestors):
        return False
    child: cst.CSTNode = node
    for ancestor_id in ancestors:
        parent = index.nodes[ancestor_id]
        if isinstance(parent, cst.Attribute) and parent.attr is child:
            return False
        if isinstance(parent, cst.Arg) and parent.keyword is child:
            return False
        if isinstance(parent, (cst.FunctionDef, cst.ClassDef)) and parent.name is child:
            return False
        if isinstance(parent, cst.Param):
            return parent.name is not child and parent.default is not None  # reads in a default
        if isinstance(parent, _TARGET_HOLDERS):
            target = getattr(parent, "target", None) if not isinstance(parent, cst.AsName) else parent.name
            if isinstance(parent, cst.WithItem):
                target = parent.asname
            if isinstance(parent, cst.Del):
                return False
            return child is not target
        if not isinstance(parent, (cst.Tuple, cst.List, cst.Element, cst.StarredElement)):
            return True
        child = parent
    return True
