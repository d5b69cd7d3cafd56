"""What each node of one target file stands for, from its syntax alone (no senses).

``SiteFacts`` holds, computed once per file: the nodes never edited
(docstrings, ``if __name__ == "__main__":`` blocks), the lines whose running a
node stands for (``SiteFacts.lines``), the innermost loop around each line,
and which lines inside functions read each name. ``evolve.search.site_weights``
turns them into weights with the senses; ``evolve.search.attention`` is the
run's view of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Any

import libcst as cst

from mutations._index import MODULE_SCOPE, ModuleIndex, position

__all__ = ["DOCSTRING", "MAIN_BLOCK", "SiteFacts", "span"]

DOCSTRING, MAIN_BLOCK = "docstring", "__main__ block"
_LOOPS = (cst.For, cst.While)
_DEFINITIONS = (cst.FunctionDef, cst.ClassDef)
_STATEMENTS = (cst.SimpleStatementLine, cst.If, cst.For, cst.While, cst.With, cst.Try, cst.TryStar, cst.Match,
               cst.FunctionDef, cst.ClassDef)


def span(node_id: str) -> tuple[int, int]:
    """First and last line of a node, from its id (``Type@l1:c1-l2:c2``)."""
    first, _, last, _ = position(node_id)
    return first, last


def _is_main_guard(node: cst.CSTNode) -> bool:
    """``if __name__ == "__main__":`` (either way round)."""
    if not isinstance(node, cst.If) or not isinstance(node.test, cst.Comparison):
        return False
    test = node.test
    if len(test.comparisons) != 1 or not isinstance(test.comparisons[0].operator, cst.Equal):
        return False
    sides = (test.left, test.comparisons[0].comparator)

    def is_name(n: cst.BaseExpression) -> bool:
        return isinstance(n, cst.Name) and n.value == "__name__"

    def is_main(n: cst.BaseExpression) -> bool:
        return isinstance(n, cst.SimpleString) and n.evaluated_value == "__main__"

    return (is_name(sides[0]) and is_main(sides[1])) or (is_main(sides[0]) and is_name(sides[1]))


def _docstring(body: Any) -> cst.CSTNode | None:
    """The docstring statement of a module's, class's or function's body, if it has one."""
    if isinstance(body, cst.SimpleStatementSuite):  # def f(): "doc"
        statement = expression = body.body[0] if body.body else None
    elif isinstance(body, (cst.IndentedBlock, cst.Module)) and body.body:
        statement = body.body[0]
        expression = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) and statement.body else None
    else:
        return None
    if isinstance(expression, cst.Expr) and isinstance(expression.value, (cst.SimpleString, cst.ConcatenatedString)):
        return statement
    return None


class SiteFacts:
    """The syntax facts of one target file that weights are made of, computed once."""

    def __init__(self, file: str, index: ModuleIndex) -> None:
        self.file, self.index = file, index

    @cached_property
    def protected(self) -> dict[str, str]:
        """Node id -> why it is never edited (docstring, ``__main__`` block), for roots and descendants."""
        index, roots = self.index, {}
        for node, node_id in index.ids.items():
            if isinstance(node, (cst.Module, *_DEFINITIONS)):
                doc = _docstring(node if isinstance(node, cst.Module) else node.body)
                if doc is not None and doc in index.ids:
                    roots[index.ids[doc]] = DOCSTRING
            if _is_main_guard(node) and index.scope_of(node_id) == MODULE_SCOPE:
                roots[node_id] = MAIN_BLOCK
        return self._down(lambda node_id, node: roots.get(node_id))

    @cached_property
    def statement_of(self) -> dict[str, str]:
        """Node id -> id of the innermost statement holding it (itself for a statement)."""
        return self._down(lambda node_id, node: node_id if isinstance(node, _STATEMENTS) else None)

    @cached_property
    def in_function(self) -> dict[str, bool]:
        """Node id -> whether a function's ``def`` holds it (the definition itself is not in it)."""
        found: dict[str, bool] = {}
        for node_id in self.index.nodes:  # parents come before their children
            parent = self.index.parent_of(node_id)
            found[node_id] = parent is not None and (found[parent] or isinstance(self.index.nodes[parent],
                                                                                  cst.FunctionDef))
        return found

    def _down(self, own: Any) -> dict[str, Any]:
        """Node id -> ``own(node_id, node)``, or else what its parent got (absent: nothing)."""
        found: dict[str, Any] = {}
        for node_id, node in self.index.nodes.items():  # parents come before their children
            value = own(node_id, node)
            if value is None:
                parent = self.index.parent_of(node_id)
                value = found.get(parent) if parent is not None else None
            if value is not None:
                found[node_id] = value
        return found

    def body_start(self, node: cst.CSTNode, node_id: str) -> int:
        """The first line of a compound statement's body (its own first line for a one-line body)."""
        body = getattr(node, "body", None)
        first = body.body[0] if isinstance(body, cst.IndentedBlock) and body.body else None
        found = self.index.id_of(first) if first is not None else None
        return span(found)[0] if found else span(node_id)[0]

    def lines(self, node_id: str) -> frozenset[int]:
        """The lines whose running the node stands for: its own, and the header or statement that holds an
        expression (coverage counts statements, not every line of one). A definition, and anything in its
        header, stands for its body: a ``def`` line and its defaults and decorators run at import."""
        node = self.index.nodes[node_id]
        start, end = span(node_id)
        holder = self.statement_of.get(node_id)
        if holder is not None and holder != node_id and isinstance(self.index.nodes[holder], _DEFINITIONS):
            return self.lines(holder)  # a name, parameter, default or decorator counts when the body runs
        if isinstance(node, _DEFINITIONS):
            start = self.body_start(node, node_id)
        found = set(range(start, end + 1))
        if holder is not None and holder != node_id:
            holder_node = self.index.nodes[holder]
            first, last = span(holder)
            if not isinstance(holder_node, cst.SimpleStatementLine):  # the node is in its header
                last = max(first, self.body_start(holder_node, holder) - 1)
            found.update(range(first, last + 1))
        return frozenset(found)

    @cached_property
    def innermost_loop(self) -> dict[int, frozenset[int]]:
        """Line -> the lines of the innermost ``for``/``while`` around it (lines in no loop are absent)."""
        loops = sorted((span(i) for i, n in self.index.nodes.items() if isinstance(n, _LOOPS)),
                       key=lambda s: s[1] - s[0], reverse=True)
        found: dict[int, frozenset[int]] = {}
        for start, end in loops:  # widest first, so the innermost is written last
            lines = frozenset(range(start, end + 1))
            for line in lines:
                found[line] = lines
        return found

    @cached_property
    def readers(self) -> dict[str, frozenset[int]]:
        """Name -> lines inside functions that read it (a name, or an attribute of that name)."""
        found: dict[str, set[int]] = {}
        for node_id, node in self.index.nodes.items():
            name = node.value if isinstance(node, cst.Name) else node.attr.value if isinstance(
                node, cst.Attribute) else None
            if name is not None and self.in_function[node_id]:
                found.setdefault(name, set()).update(self.lines(node_id))
        return {name: frozenset(lines) for name, lines in found.items()}

    def bound_names(self, node_id: str) -> set[str]:
        """Names a statement outside every function binds (assignment targets)."""
        holder = self.statement_of.get(node_id)
        node = self.index.nodes.get(holder) if holder else None
        found: set[str] = set()
        if not isinstance(node, cst.SimpleStatementLine):
            return found
        for small in node.body:
            targets: list[cst.CSTNode] = []
            if isinstance(small, cst.Assign):
                targets = [t.target for t in small.targets]
            elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
                targets = [small.target]
            for target in targets:
                for sub in _walk(target):
                    if isinstance(sub, cst.Name):
                        found.add(sub.value)
        return found


def _walk(node: cst.CSTNode) -> Iterable[cst.CSTNode]:
    yield node
    for child in node.children:
        yield from _walk(child)
