"""Repair by a statement copied from elsewhere with one variable renamed.

``seen.add(item)`` in one function is the missing ``visited.add(item)`` of
another; ``j += 1`` the missing ``i += 1``. The donor is a one-line statement of
the file; one variable it reads or binds is renamed to a variable visible at the
destination, and after the renaming every name it reads must be visible
there. ``copy_statement`` covers the copy without renaming.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import libcst as cst

from mutations._base import REPAIR, ChoiceOperator, Example, Params, Rewritten
from mutations._index import MODULE_SCOPE, ModuleIndex
from mutations._kinds import NUMERIC, UNKNOWN, kinds
from mutations._loops import hung_reads
from mutations._names import VALUE, bound_names, free_names, names, renamed
from mutations._render import code
from mutations._tree import enclosing_function, walk
from mutations.guards import is_docstring
from mutations.naturalness import (
    bag_similarity,
    naturalness_scores,
    own_lines,
    rank_weights,
    tokens,
)
from mutations.statements import _is_block_statement, fits

_NOT_DONORS = (cst.Return, cst.Pass, cst.Break, cst.Continue, cst.Global, cst.Nonlocal, cst.Import, cst.ImportFrom,
               cst.Raise)


_JUMPS = (cst.Return, cst.Raise, cst.Break, cst.Continue)


def _donor_pool(index: ModuleIndex) -> list[tuple[str, frozenset[str], frozenset[str]]]:
    """(id, names read, names bound) of the one-line statements of functions that may be copied."""
    found = index.memo.get("renamed_donors")
    if found is None:
        found = []
        for node_id in index.statements:
            node = index.nodes[node_id]
            if not isinstance(node, cst.SimpleStatementLine) or len(node.body) != 1 or is_docstring(node):
                continue
            if isinstance(node.body[0], _NOT_DONORS):
                continue
            found.append((node_id, free_names(node), bound_names(node)))
        index.memo["renamed_donors"] = found
    return found  # type: ignore[return-value]


def _last_in_block(node_id: str, index: ModuleIndex) -> bool:
    block = index.nodes.get(index.parent_of(node_id) or "")
    return isinstance(block, cst.IndentedBlock) and block.body[-1] is index.nodes[node_id]


class InsertRenamedStatement(ChoiceOperator):
    """Copy a one-line statement from elsewhere, with one variable renamed, next to a statement.

    In: a statement of a function's block. Out: before it (or after it, when it
    ends its block) a copy of a one-line statement of the file in which one
    variable is renamed to another visible at the destination; the copy must
    read only visible names and compile there (no ``break`` outside a loop).
    The new name is one the destination's block or the statements around it already use, of the
    renamed variable's kind when both are known (``_kinds``).
    Params: ``{"donor": id, "rename": "old:new", "where": "before" | "after"}``.
    """

    name = "insert_renamed_statement"
    family = REPAIR
    description = "insert a statement from elsewhere with a variable renamed"
    node_types = (cst.SimpleStatementLine, cst.If, cst.For, cst.While, cst.With, cst.Try)
    examples = (
        Example(
            before="def first_repeat(items):\n    seen = set()\n    for item in items:\n        if item in seen:\n"
                   "            return item\n        seen.add(item)\n\n\ndef first_dup(items):\n    visited = set()\n"
                   "    for item in items:\n        if item in visited:\n            return item\n    return None\n",
            after="def first_repeat(items):\n    seen = set()\n    for item in items:\n        if item in seen:\n"
                  "            return item\n        seen.add(item)\n\n\ndef first_dup(items):\n    visited = set()\n"
                  "    for item in items:\n        if item in visited:\n            return item\n"
                  "        visited.add(item)\n    return None\n",
            site=7, params={"donor": "SimpleStatementLine@6:8-6:22", "rename": "seen:visited", "where": "after"},
        ),
    )

    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        if node_id not in index.statements or not _is_block_statement(node_id, index) or is_docstring(node):
            return []
        if index.scope_of(node_id) == MODULE_SCOPE:
            return []
        scope = names(index)
        targets = [n for n in scope.swappable(node_id, VALUE) if n in _block_names(node_id, index)]
        jumps = isinstance(node, cst.SimpleStatementLine) and isinstance(node.body[-1], _JUMPS)
        wheres = ["before", "after"] if _last_in_block(node_id, index) and not jumps else ["before"]
        neighbours = _neighbour_code(node_id, index)
        out: list[dict[str, Any]] = []
        for donor_id, reads, binds in _donor_pool(index):
            if not fits(donor_id, node_id, index):
                continue
            for old in sorted(reads | binds):
                if not _renamable(old, donor_id, index):
                    continue
                for new in targets:
                    if new == old or new in reads | binds or not _same_kind(old, donor_id, new, node_id, index):
                        continue
                    if not scope.can_read(node_id, reads - {old} | ({new} if old in reads else set())):
                        continue
                    text = _renamed_text(donor_id, old, new, index)
                    if text in neighbours:
                        continue
                    out += [{"donor": donor_id, "rename": f"{old}:{new}", "where": w} for w in wheres]
        return out

    def option_scores(self, node_id: str, options: list[dict[str, Any]], index: ModuleIndex) -> list[Any]:
        """A copy that moves on a name read by the test of a loop that hung (``_loops.hung_reads``,
        ``_advanced``: ``i += 1`` in ``while i < len(text)``) ranks first. Then two rankings merged by
        Borda count (the sum of ``1 / rank``): how natural the result reads
        (``mutations.naturalness``) and how much the donor's surroundings, renamed, look like the
        destination's (the headers of the statements around each and their neighbours, as bags of
        tokens: the context similarity of CapGen, Wen et al., ICSE 2018). ``seen.add(item)`` under
        ``if item not in seen:`` suits the place after ``if item in visited:`` once ``seen`` is
        ``visited``; a copy reads naturally when the file says the same thing elsewhere."""
        natural = naturalness_scores(self, node_id, options, index)
        stuck = hung_reads(node_id, index)
        similar: list[float | None] = []
        unsticks: list[bool] = []
        for option, score in zip(options, natural):
            old, new = option["rename"].split(":")
            donor: Counter[str] = Counter()
            for token, count in _surroundings(option["donor"], "at", index).items():
                donor[new if token == old else token] += count
            here = _surroundings(node_id, option["where"], index)
            similar.append(None if score is None else bag_similarity(donor, here))
            unsticks.append(bool(stuck) and bool(stuck & _advanced(option["donor"], old, new, index)))
        return [None if n is None else (u, a + b)
                for n, u, a, b in zip(natural, unsticks, rank_weights(natural), rank_weights(similar))]

    def answers(self, node_id: str, index: ModuleIndex) -> bool:
        """The site is in a loop a test hung in, and an option moves on a name its test reads."""
        stuck = hung_reads(node_id, index)
        return bool(stuck) and any(stuck & _advanced(o["donor"], *o["rename"].split(":"), index)
                                   for o in self.options(node_id, index))

    def _is_site(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> bool:
        """Cheap: a statement of a function's block, with donors in the file (options are drawn
        when proposed)."""
        return node_id in index.statements and _is_block_statement(node_id, index) and not is_docstring(node) \
            and index.scope_of(node_id) != MODULE_SCOPE and bool(_donor_pool(index))

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        old, new = params["rename"].split(":")
        donor = renamed(index.nodes[params["donor"]], {old: new}).with_changes(leading_lines=())
        if params["where"] == "after":
            return cst.FlattenSentinel([updated, donor])
        return cst.FlattenSentinel([donor, updated])


def _block_names(node_id: str, index: ModuleIndex) -> set[str]:
    """The names the destination works with: those of its block and of the headers of the statements
    around it up to the function (a loop's ``while i < len(text)`` for the ``i += 1`` a ``continue``
    skipped). A renamed copy uses one of them."""
    block_id = index.parent_of(node_id) or ""
    key = ("block_names", block_id)
    if key not in index.memo:
        block = index.nodes.get(block_id)
        found = {n.value for n in walk(block) if isinstance(n, cst.Name)} if block is not None else set()
        for holder in _holders(block_id, index) if block is not None else ():
            for part in _header(index.nodes[holder]):
                found |= {n.value for n in walk(part) if isinstance(n, cst.Name)}
        index.memo[key] = found
    return index.memo[key]  # type: ignore[return-value]


def _surroundings(node_id: str, where: str, index: ModuleIndex) -> Counter[str]:
    """The tokens around a place in a block: the headers of the statements holding it up to the function
    and the statements next to it (``where``: "at" the statement itself, "before" or "after" it)."""
    key = ("surroundings", node_id, where)
    found = index.memo.get(key)
    if found is None:
        block = index.nodes.get(index.parent_of(node_id) or "")
        body = list(block.body) if isinstance(block, cst.IndentedBlock) else []
        node = index.nodes[node_id]
        at = next((i for i, s in enumerate(body) if s is node), 0)
        first, last = {"at": (at - 1, at + 1), "before": (at - 1, at), "after": (at, at + 1)}[where]
        neighbours = [index.ids[body[i]] for i in (first, last) if 0 <= i < len(body) and body[i] in index.ids]
        lines = index.source.splitlines()
        found = Counter(t for n in neighbours + _holders(node_id, index) for line in own_lines(n, index)
                        for t in tokens(lines[line - 1]))
        index.memo[key] = found
    return found  # type: ignore[return-value]


def _advanced(donor_id: str, old: str, new: str, index: ModuleIndex) -> set[str]:
    """The names the donor, renamed, moves on from their own value: binds and also reads (``i += 1``,
    ``i = i + step``; not ``i = 0``, which starts over)."""
    donor = index.nodes[donor_id]
    rename = {old: new}
    return {rename.get(n, n) for n in bound_names(donor) & free_names(donor)}


def _holders(node_id: str, index: ModuleIndex) -> list[str]:
    """The compound statements around a node, innermost first, up to its function or class."""
    found = []
    for outer in index.ancestors(node_id):
        if isinstance(index.nodes[outer], (cst.FunctionDef, cst.ClassDef)):
            break
        if isinstance(index.nodes[outer], cst.BaseCompoundStatement):
            found.append(outer)
    return found


def _header(statement: cst.CSTNode) -> tuple[cst.CSTNode, ...]:
    """The parts of a compound statement before its body (a test, a loop's target and iterable)."""
    if isinstance(statement, (cst.If, cst.While)):
        return (statement.test,)
    if isinstance(statement, cst.For):
        return (statement.target, statement.iter)
    if isinstance(statement, cst.With):
        return tuple(statement.items)
    return ()


def _same_kind(old: str, donor_id: str, new: str, node_id: str, index: ModuleIndex) -> bool:
    """May ``new`` (at the destination) stand for ``old`` (in the donor)? Not when their inferred kinds
    differ (``_kinds``): a set is not renamed to a list nor an int to a string; unknown kinds may."""
    infer = kinds(index)
    a = infer.name_kind(enclosing_function(index, index.nodes[donor_id]), old)
    b = infer.name_kind(enclosing_function(index, index.nodes[node_id]), new)
    return a == b or UNKNOWN in (a, b) or a in NUMERIC and b in NUMERIC


def _renamable(name: str, donor_id: str, index: ModuleIndex) -> bool:
    """A variable of the donor's own function (not a global, builtin or function)."""
    scope = next(names(index).chain(index.nodes[donor_id]), None)
    binding = names(index).bindings(scope).get(name) if scope is not None else None
    return binding is not None and binding.kind == VALUE and binding.local


def _renamed_text(donor_id: str, old: str, new: str, index: ModuleIndex) -> str:
    key = ("renamed_statement", donor_id, old, new)
    found = index.memo.get(key)
    if found is None:
        found = code(index, renamed(index.nodes[donor_id], {old: new}))
        index.memo[key] = found
    return found  # type: ignore[return-value]


def _neighbour_code(node_id: str, index: ModuleIndex) -> set[str]:
    """The code of the statements of the target's block (a copy of one of them adds nothing new)."""
    block = index.nodes.get(index.parent_of(node_id) or "")
    body = block.body if isinstance(block, cst.IndentedBlock) else []
    return {code(index, s) for s in body}
