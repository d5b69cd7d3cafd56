"""Walking LibCST trees: descendants, a function's own body, dotted names, enclosing ``def``s."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from mutations._index import ModuleIndex


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    yield node
    for child in node.children:
        yield from walk(child)


def walk_own(node: cst.CSTNode, into_comprehensions: bool = True) -> Iterator[cst.CSTNode]:
    """``node`` and its descendants, not entering nested functions, classes or lambdas
    (nor comprehensions, unless asked)."""
    yield node
    for child in node.children:
        if isinstance(child, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if not into_comprehensions and isinstance(child, (cst.ListComp, cst.SetComp, cst.DictComp,
                                                          cst.GeneratorExp)):
            continue
        yield from walk_own(child, into_comprehensions)


def dotted(node: cst.CSTNode) -> str:
    """``math.sqrt`` for a Name/Attribute chain, else ``""``."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base else ""
    return ""


def returns_of(function: cst.FunctionDef) -> list[cst.Return]:
    """The ``return`` statements of ``function`` itself (not of nested functions)."""
    out: list[cst.Return] = []
    stack: list[cst.CSTNode] = [function.body]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Return):
            out.append(node)
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        stack.extend(node.children)
    return out


def enclosing_function(index: ModuleIndex, node: cst.CSTNode) -> cst.FunctionDef | None:
    """The innermost ``def`` around ``node`` (``node`` itself excluded)."""
    node_id = index.ids.get(node)
    if node_id is None:
        return None
    for ancestor in index.ancestors(node_id):
        found = index.nodes[ancestor]
        if isinstance(found, cst.FunctionDef):
            return found
        if isinstance(found, cst.ClassDef):
            return None
    return None


def bound_in_module(module: cst.Module) -> frozenset[str]:
    """Every name bound anywhere in the module (to spot a shadowed builtin)."""
    out: set[str] = set()
    for node in walk(module):
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            out.add(node.name.value)
        elif isinstance(node, cst.Param):
            out.add(node.name.value)
        elif isinstance(node, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign, cst.For, cst.CompFor,
                               cst.NamedExpr)):
            out |= {n.value for n in walk(node.target) if isinstance(n, cst.Name)}
        elif isinstance(node, cst.AsName):
            out |= {n.value for n in walk(node.name) if isinstance(n, cst.Name)}
        elif isinstance(node, cst.ImportAlias):
            out.add((node.evaluated_alias or node.evaluated_name).split(".")[0])
    return frozenset(out)
