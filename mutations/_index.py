"""Stable node ids for one source file.

An edit names the node it acts on by an id computed from the *original* tree,
so a patch stays meaningful however many other edits it carries. The id is the
node's type and its position in the original source (``Name@3:4-3:9``); the
rare node that shares type and span with another gets ``#2``, ``#3`` in
traversal order. The scheme is shared by operators (which enumerate sites) and
by the patch applier (which finds them again), and it is readable in reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

MODULE_SCOPE = "<module>"

STATEMENT_TYPES: tuple[type[cst.CSTNode], ...] = (
    cst.SimpleStatementLine,
    cst.If,
    cst.For,
    cst.While,
    cst.With,
    cst.Try,
)
"""Statements that the statement operators move around (ingredients).

Function and class definitions are left out on purpose: deleting or copying a
whole definition is almost never an improvement and usually breaks imports.
"""


def position(node_id: str) -> tuple[int, int, int, int]:
    """(first line, first column, last line, end column) of a node, from its id (``Name@3:4-3:9``)."""
    start, end = node_id.split("@", 1)[1].split("#", 1)[0].split("-")
    (l1, c1), (l2, c2) = (map(int, start.split(":")), map(int, end.split(":")))
    return l1, c1, l2, c2


T = TypeVar("T")


def _on_lines(by_line: dict[int, T], node_id: str) -> list[T]:
    """The values of ``by_line`` (line -> value) on the node's lines, in line order."""
    first, _, last, _ = position(node_id)
    return [by_line[line] for line in sorted(by_line) if first <= line <= last]


class _Walker(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, index: ModuleIndex) -> None:
        super().__init__()
        self._index = index
        self._scope: list[str] = []
        self._stack: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        index = self._index
        pos = self.get_metadata(PositionProvider, node, None)
        if pos is None:  # LibCST has no position for some implicit whitespace (match guards)
            self._stack.append(node)
            return True
        base = f"{type(node).__name__}@{pos.start.line}:{pos.start.column}-{pos.end.line}:{pos.end.column}"
        count = index._seen.get(base, 0) + 1
        index._seen[base] = count
        node_id = base if count == 1 else f"{base}#{count}"
        index.ids[node] = node_id
        index.nodes[node_id] = node
        index.scopes[node_id] = ".".join(self._scope) if self._scope else MODULE_SCOPE
        parent = next((index.ids[n] for n in reversed(self._stack) if n in index.ids), None)
        if parent is not None:
            index.parents[node_id] = parent
        self._stack.append(node)
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            self._scope.append(node.name.value)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self._stack.pop()
        if isinstance(original_node, (cst.FunctionDef, cst.ClassDef)):
            self._scope.pop()


HUNG = "TestDeadline"
"""How the error of a test that ran past its deadline begins in ``ModuleIndex.crashes`` (the exception
the test runner raises in it); the crash's line is where the deadline struck."""


@dataclass
class ModuleIndex:
    """One parsed target file with an id for every node of its original tree.

    Built once per file per run; operators and the applier only read it.
    ``scopes`` maps a node id to the dotted name of the innermost enclosing
    function or class (``Cls.method``), or ``<module>``.
    """

    path: str
    source: str
    module: cst.Module
    ids: dict[cst.CSTNode, str] = field(default_factory=dict)
    nodes: dict[str, cst.CSTNode] = field(default_factory=dict)
    scopes: dict[str, str] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)
    memo: dict[object, object] = field(default_factory=dict, repr=False, compare=False)
    """Facts operators derive from the tree (scopes, options per site), computed once."""
    crashes: dict[int, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)
    """Line -> the errors (``TypeError: ...``, one line each) of failing tests whose exception left this
    file's code there (its innermost frame in a target file), from the baseline's senses; empty when
    unknown. Set by the run before edits are drawn; operators may rank their options by it."""
    nones: dict[int, frozenset[str]] = field(default_factory=dict, repr=False, compare=False)
    """Line -> the variables that held ``None`` in the frames of ``crashes`` there (set with it)."""
    _seen: dict[str, int] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, path: str, source: str) -> ModuleIndex:
        """Parse ``source`` (raises ``libcst.ParserSyntaxError`` if it does not parse)."""
        module = cst.parse_module(source)
        index = cls(path=path, source=source, module=module)
        MetadataWrapper(module, unsafe_skip_copy=True).visit(_Walker(index))
        index._seen.clear()
        return index

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["memo"] = {}  # derived facts are rebuilt on demand, never shipped
        return state

    def line_of(self, node_id: str) -> int:
        """The first line of the node in the original source (from its id)."""
        return position(node_id)[0]

    def crashes_on(self, node_id: str) -> tuple[str, ...]:
        """The ``crashes`` on the node's lines, in line order."""
        return tuple(e for errors in _on_lines(self.crashes, node_id) for e in errors)

    def nones_on(self, node_id: str) -> frozenset[str]:
        """The ``nones`` on the node's lines."""
        return frozenset().union(*_on_lines(self.nones, node_id))

    def node(self, node_id: str) -> cst.CSTNode:
        return self.nodes[node_id]

    def id_of(self, node: cst.CSTNode) -> str | None:
        return self.ids.get(node)

    def scope_of(self, node_id: str) -> str:
        return self.scopes.get(node_id, MODULE_SCOPE)

    def parent_of(self, node_id: str) -> str | None:
        return self.parents.get(node_id)

    def ancestors(self, node_id: str) -> list[str]:
        """Ids from the parent up to the module."""
        out: list[str] = []
        current = self.parents.get(node_id)
        while current is not None:
            out.append(current)
            current = self.parents.get(current)
        return out

    @cached_property
    def statements(self) -> tuple[str, ...]:
        """Ids of the statements that may be deleted, copied, replaced or swapped.

        Only statements inside function bodies: module-level statements are
        imports and definitions whose removal breaks the program wholesale.
        """
        return tuple(
            node_id
            for node, node_id in self.ids.items()
            if isinstance(node, STATEMENT_TYPES) and self.scopes[node_id] != MODULE_SCOPE
            and self._in_function(node_id)
        )

    def _in_function(self, node_id: str) -> bool:
        return any(isinstance(self.nodes[a], cst.FunctionDef) for a in self.ancestors(node_id))

    def functions(self) -> dict[str, str]:
        """Qualified function name -> node id of its ``FunctionDef``."""
        out: dict[str, str] = {}
        for node, node_id in self.ids.items():
            if isinstance(node, cst.FunctionDef):
                scope = self.scopes[node_id]
                qual = node.name.value if scope == MODULE_SCOPE else f"{scope}.{node.name.value}"
                out[qual] = node_id
        return out
