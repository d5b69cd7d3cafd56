"""Patches: an individual is an ordered list of edits against the original source.

Each edit names an operator, a file, a node id from the original tree and its
parameters. A patch is applied to each file it touches in one LibCST
transformer pass over the original tree; an edit whose node vanished under an
earlier edit (or no longer has the kind the operator expects) is skipped, not
an error. Patches are frozen and hashable, so they serve as cache keys, archive
members and checkpoint data alike.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import dropwhile
from typing import Any

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor

from mutations._index import ModuleIndex
from mutations.registry import get_operator


@dataclass(frozen=True, order=True)
class Edit:
    """One edit: ``operator`` at node ``node`` of ``file``, with ``params``."""

    operator: str
    file: str
    node: str
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def make(cls, operator: str, file: str, node: str, params: Mapping[str, Any] | None = None) -> Edit:
        return cls(operator, file, node, tuple(sorted((params or {}).items())))

    @property
    def param_dict(self) -> dict[str, Any]:
        return dict(self.params)

    def to_json(self) -> dict[str, Any]:
        return {"operator": self.operator, "file": self.file, "node": self.node, "params": self.param_dict}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Edit:
        return cls.make(data["operator"], data["file"], data["node"], data.get("params") or {})

    def describe(self, index: ModuleIndex) -> str:
        return f"{self.file}: " + get_operator(self.operator).describe(self.node, self.param_dict, index)


@dataclass(frozen=True)
class Patch:
    """An ordered tuple of edits, possibly across several files."""

    edits: tuple[Edit, ...] = ()

    def __len__(self) -> int:
        return len(self.edits)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.edits)

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(sorted({e.file for e in self.edits}))

    def to_json(self) -> list[dict[str, Any]]:
        return [e.to_json() for e in self.edits]

    @classmethod
    def from_json(cls, data: Iterable[Mapping[str, Any]]) -> Patch:
        return cls(tuple(Edit.from_json(d) for d in data))

    @property
    def key(self) -> str:
        """A short stable digest of the edit list (not of the resulting source)."""
        blob = json.dumps(self.to_json(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


@dataclass(frozen=True)
class AppliedPatch:
    """The result of applying a patch: new sources of the files it changed."""

    sources: Mapping[str, str]
    applied: tuple[Edit, ...]
    skipped: tuple[Edit, ...]
    errors: tuple[str, ...] = field(default=())


class _PatchTransformer(cst.CSTTransformer):
    """Applies every edit of one file in a single bottom-up pass."""

    def __init__(self, index: ModuleIndex, edits: list[Edit]) -> None:
        super().__init__()
        self._index = index
        self._edits = edits
        self._by_node: dict[str, list[tuple[int, str, Edit]]] = {}
        for order, edit in enumerate(edits):
            operator = get_operator(edit.operator)
            for visiting in operator.touched(edit.node, edit.param_dict):
                self._by_node.setdefault(visiting, []).append((order, visiting, edit))
        self.applied: set[int] = set()
        self.imports: list[str] = []
        # Only the targeted nodes and their ancestors are entered: a patch of a
        # few edits then costs a walk of a few paths, not of the whole module.
        self._needed = set(self._by_node)
        for node_id in list(self._by_node):
            self._needed.update(index.ancestors(node_id))

    def on_visit(self, node: cst.CSTNode) -> bool:
        node_id = self._index.ids.get(node)
        return node_id is None or node_id in self._needed

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode):  # type: ignore[override]
        node_id = self._index.ids.get(original_node)
        if node_id is None or node_id not in self._by_node:
            return updated_node
        result: Any = updated_node
        for order, visiting, edit in sorted(self._by_node[node_id], key=lambda t: t[0]):
            target, position = _standing_for(result, original_node)
            if target is None:
                break  # an earlier edit removed the node
            operator = get_operator(edit.operator)
            new = operator.rewrite(visiting, edit.node, original_node, target, edit.param_dict, self._index)
            if new is None:
                continue
            result = _put_back(result, position, new)
            self.applied.add(order)
            self.imports.extend(operator.imports(edit.param_dict))
        return result


def _standing_for(result: Any, original: cst.CSTNode) -> tuple[cst.CSTNode | None, int | None]:
    """The node that stands for ``original`` in what earlier edits made of it: the node itself,
    or in statements an edit put in its place (two hoists out of one loop) the last of its type."""
    if isinstance(result, cst.CSTNode):
        return result, None
    if isinstance(result, cst.FlattenSentinel):
        for position in range(len(result.nodes) - 1, -1, -1):
            if type(result.nodes[position]) is type(original):
                return result.nodes[position], position
    return None, None


def _put_back(result: Any, position: int | None, new: Any) -> Any:
    """``result`` with the node at ``position`` (the whole of it when ``None``) replaced by ``new``."""
    if position is None:
        return new
    nodes = list(result.nodes)
    if isinstance(new, cst.FlattenSentinel):
        nodes[position:position + 1] = list(new.nodes)
    elif isinstance(new, cst.RemovalSentinel):
        del nodes[position]
    else:
        nodes[position] = new
    return cst.FlattenSentinel(nodes)


def _add_imports(module: cst.Module, names: Iterable[str]) -> cst.Module:
    """Add ``import name`` for each module not imported yet, after the module's other imports
    (after the docstring and ``__future__`` imports when there are none): LibCST's
    ``AddImportsVisitor``, which leaves an existing ``import name`` alone."""
    context = CodemodContext()
    for name in dict.fromkeys(names):
        AddImportsVisitor.add_needed_import(context, name)
    return _two_blank_lines_after_imports(module.visit(AddImportsVisitor(context)))


def _two_blank_lines_after_imports(module: cst.Module) -> cst.Module:
    """A definition right after the imports gets the two blank lines PEP 8 asks for."""
    body = list(module.body)
    for i, stmt in enumerate(body[1:], start=1):
        before = body[i - 1]
        if not (isinstance(before, cst.SimpleStatementLine)
                and isinstance(before.body[0], (cst.Import, cst.ImportFrom))):
            continue
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            lines = list(stmt.leading_lines)
            blank = len(lines) - len(list(dropwhile(lambda line: line.comment is None, lines)))
            if 0 < blank < 2:
                body[i] = stmt.with_changes(leading_lines=[cst.EmptyLine(), *lines])
        break
    return module.with_changes(body=body)


def apply_patch(patch: Patch, indexes: Mapping[str, ModuleIndex]) -> AppliedPatch:
    """Apply ``patch`` to the original trees in ``indexes`` (keyed by file path).

    Only files the patch names are rewritten and returned. Edits naming an
    unknown file, an unknown node or an unknown operator are skipped.
    """
    sources: dict[str, str] = {}
    applied: list[Edit] = []
    skipped: list[Edit] = []
    errors: list[str] = []
    for file in patch.files:
        edits = [e for e in patch.edits if e.file == file]
        index = indexes.get(file)
        if index is None:
            skipped.extend(edits)
            continue
        known = [e for e in edits if e.node in index.nodes and _known_operator(e.operator)]
        skipped.extend(e for e in edits if e not in known)
        transformer = _PatchTransformer(index, known)
        try:
            module = index.module.visit(transformer)
            if transformer.imports:
                module = _add_imports(module, transformer.imports)
            code = module.code
        except Exception as exc:  # a combination LibCST cannot render: reject, never crash
            errors.append(f"{file}: {type(exc).__name__}: {exc}")
            skipped.extend(known)
            continue
        for order, edit in enumerate(known):
            (applied if order in transformer.applied else skipped).append(edit)
        if code != index.source:
            sources[file] = code
    return AppliedPatch(sources=sources, applied=tuple(applied), skipped=tuple(skipped), errors=tuple(errors))


def _known_operator(name: str) -> bool:
    try:
        get_operator(name)
    except KeyError:
        return False
    return True
