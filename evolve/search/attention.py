"""Attention: how much each edit site deserves an edit, from the baseline's senses.

``Attention.weight(file, node_id)`` is what ``mutations.pool.SitePool`` draws
sites by (an operator by its own weight times its best site's, then a site by
weight). Weights are relative to the top (1.0: the hottest or the most
suspicious line's sites):

- never edited (0): docstrings, ``if __name__ == "__main__":`` blocks, and code
  no test runs, unless its file is in ``target.untested`` (then it weighs
  ``FLOOR``). Comments are no node, so no site. "Runs" means the lines the
  node stands for (``Attention.lines``) ran under the tests, in a test or at
  import; a function counts by its body, not its ``def`` line (which runs at
  import).
- improve mode with a profile: the share of the benchmark's samples in the
  target files during which one of the node's lines was on the stack
  (inclusive: a call line carries its callee); a sample's deepest line is
  spread over the innermost loop around it, because the sampler can only
  tick where the interpreter checks for signals (see ``evolve.evaluation.senses``).
  A statement outside any function (a module constant, a class attribute) is
  as hot as the lines that read the names it binds. Code the tests run but the
  benchmark does not weighs ``FLOOR``.
- repair mode: the Ochiai suspiciousness of the node's most suspicious line
  (``localisation``); lines only passing tests run weigh ``FLOOR``.
- otherwise (no benchmark, a profile that saw nothing, a performance weight of
  0): every site the tests run weighs 1.0.

With no coverage measured (``Senses.measured`` False, or no senses at all),
only docstrings and ``__main__`` blocks are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Any

import libcst as cst

from evolve.evaluation.senses import Senses
from evolve.search.localisation import Suspicion, suspicious_lines
from mutations._index import MODULE_SCOPE, ModuleIndex

__all__ = ["FLOOR", "Attention"]

FLOOR = 0.01
"""The weight of a site that may be edited but that neither the benchmark's time nor a failing test points at."""
DOCSTRING, MAIN_BLOCK, UNTESTED = "docstring", "__main__ block", "no test runs it"
_LOOPS = (cst.For, cst.While)
_DEFINITIONS = (cst.FunctionDef, cst.ClassDef)
_STATEMENTS = (cst.SimpleStatementLine, cst.If, cst.For, cst.While, cst.With, cst.Try, cst.TryStar, cst.Match,
               cst.FunctionDef, cst.ClassDef)


def _span(node_id: str) -> tuple[int, int]:
    """First and last line of a node, from its id (``Type@l1:c1-l2:c2``)."""
    where = node_id.split("@", 1)[1].split("#", 1)[0]
    start, end = where.split("-", 1)
    return int(start.split(":", 1)[0]), int(end.split(":", 1)[0])


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


class _File:
    """The facts of one target file that weights are made of, computed once."""

    def __init__(self, attention: Attention, file: str, index: ModuleIndex) -> None:
        self.attention, self.file, self.index = attention, file, index
        senses = attention.senses
        self.executed: frozenset[int] | None = senses.executed(file) if senses and senses.measured else None
        self.opted_in = file in attention.untested

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
        return _span(found)[0] if found else _span(node_id)[0]

    def lines(self, node_id: str) -> frozenset[int]:
        """The lines whose running the node stands for: its own, and the header or statement that holds an
        expression (coverage counts statements, not every line of one). A definition, and anything in its
        header, stands for its body: a ``def`` line and its defaults and decorators run at import."""
        node = self.index.nodes[node_id]
        start, end = _span(node_id)
        holder = self.statement_of.get(node_id)
        if holder is not None and holder != node_id and isinstance(self.index.nodes[holder], _DEFINITIONS):
            return self.lines(holder)  # a name, parameter, default or decorator counts when the body runs
        if isinstance(node, _DEFINITIONS):
            start = self.body_start(node, node_id)
        found = set(range(start, end + 1))
        if holder is not None and holder != node_id:
            holder_node = self.index.nodes[holder]
            first, last = _span(holder)
            if not isinstance(holder_node, cst.SimpleStatementLine):  # the node is in its header
                last = max(first, self.body_start(holder_node, holder) - 1)
            found.update(range(first, last + 1))
        return frozenset(found)

    @cached_property
    def innermost_loop(self) -> dict[int, frozenset[int]]:
        """Line -> the lines of the innermost ``for``/``while`` around it (lines in no loop are absent)."""
        loops = sorted((_span(i) for i, n in self.index.nodes.items() if isinstance(n, _LOOPS)),
                       key=lambda s: s[1] - s[0], reverse=True)
        found: dict[int, frozenset[int]] = {}
        for start, end in loops:  # widest first, so the innermost is written last
            lines = frozenset(range(start, end + 1))
            for line in lines:
                found[line] = lines
        return found

    @cached_property
    def stacks_by_line(self) -> dict[int, set[int]]:
        """Line -> the profile's stacks (by position) that count for it (see the module docstring)."""
        profile = self.attention.profile
        found: dict[int, set[int]] = {}
        if profile is None:
            return found
        for i, (_, frames) in enumerate(profile.stacks):
            for depth, (line, fn) in enumerate(frames):
                if profile.functions[fn][0] != self.file:
                    continue
                spread = self.innermost_loop.get(line, frozenset((line,))) if depth == 0 else (line,)
                for one in spread:
                    found.setdefault(one, set()).add(i)
        return found

    def heat(self, lines: Iterable[int]) -> int:
        """Samples during which one of ``lines`` ran (see ``stacks_by_line``)."""
        profile, by_line = self.attention.profile, self.stacks_by_line
        assert profile is not None
        hit: set[int] = set()
        for line in lines:
            hit |= by_line.get(line, set())
        return sum(profile.stacks[i][0] for i in hit)

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

    def raw(self, node_id: str, lines: frozenset[int]) -> float:
        """The site's figure before normalising: samples (improve), suspiciousness (repair), else 1."""
        attention = self.attention
        if attention.mode == "repair" and attention.suspicion is not None:
            return max((attention.suspicion.get((self.file, n), _NONE).score for n in lines), default=0.0)
        if attention.profile is not None and attention.top > 0:
            found = self.heat(lines)
            if not self.in_function[node_id]:
                reads = set().union(*(self.readers.get(n, frozenset()) for n in self.bound_names(node_id)))
                if reads:
                    found = max(found, self.heat(reads))
            return float(found)
        return 1.0

    def weight(self, node_id: str) -> tuple[float, str | None]:
        if node_id not in self.index.nodes:
            return 0.0, "unknown node"
        if node_id in self.protected:
            return 0.0, self.protected[node_id]
        lines = self.lines(node_id)
        if self.executed is not None and not (lines & self.executed):
            return (FLOOR, None) if self.opted_in else (0.0, UNTESTED)
        top = self.attention.top
        value = self.raw(node_id, lines) / top if top > 0 else 1.0
        return max(FLOOR, min(1.0, value)), None


def _walk(node: cst.CSTNode) -> Iterable[cst.CSTNode]:
    yield node
    for child in node.children:
        yield from _walk(child)


_NONE = Suspicion(0.0, 0, 0)


class Attention:
    """Site weights for one run: from ``senses`` (None: not measured), the mode and the indexes.

    ``untested``: files whose code no test runs may still be edited (at
    ``FLOOR``). ``use_profile``: weigh improve-mode sites by the benchmark's
    profile (off when speed is not part of the fitness).
    """

    def __init__(self, indexes: Mapping[str, ModuleIndex], senses: Senses | None, mode: str,
                 untested: Iterable[str] = (), use_profile: bool = True) -> None:
        self.indexes, self.senses, self.mode = dict(indexes), senses, mode
        self.untested = frozenset(untested)
        profile = senses.profile if senses is not None and use_profile else None
        self.profile = profile if profile is not None and profile.target_samples > 0 else None
        measured = senses is not None and senses.measured
        self.suspicion = suspicious_lines(senses) if measured and mode == "repair" else None
        self._files = {f: _File(self, f, i) for f, i in self.indexes.items()}
        self._memo: dict[tuple[str, str], tuple[float, str | None]] = {}

    @cached_property
    def top(self) -> float:
        """The figure of the hottest (or most suspicious) line: weight 1.0."""
        if self.mode == "repair" and self.suspicion is not None:
            return max((s.score for s in self.suspicion.values()), default=0.0)
        if self.profile is not None:
            return float(max((f.heat((line,)) for f in self._files.values() for line in f.stacks_by_line),
                             default=0))
        return 1.0

    def weight(self, file: str, node_id: str) -> float:
        """The site's weight in [0, 1]; 0 means it is never edited."""
        return self._entry(file, node_id)[0]

    def reason(self, file: str, node_id: str) -> str | None:
        """Why the site weighs 0 (docstring, ``__main__`` block, no test runs it), else None."""
        return self._entry(file, node_id)[1]

    def lines(self, file: str, node_id: str) -> frozenset[int]:
        """The lines whose running the node stands for (see ``_File.lines``)."""
        return self._files[file].lines(node_id)

    def _entry(self, file: str, node_id: str) -> tuple[float, str | None]:
        key = (file, node_id)
        found = self._memo.get(key)
        if found is None:
            facts = self._files.get(file)
            found = self._memo[key] = facts.weight(node_id) if facts is not None else (0.0, "not a target file")
        return found

    # ---------------------------------------------------------------- what the report shows

    def function_at(self, file: str, line: int) -> str:
        """The qualified name of the innermost function holding ``line`` of ``file`` (``<module>``)."""
        best, size = MODULE_SCOPE, None
        for name, node_id in self.indexes[file].functions().items():
            start, end = _span(node_id)
            if start <= line <= end and (size is None or end - start < size):
                best, size = name, end - start
        return best

    def _source(self, file: str, line: int) -> str:
        lines = self.indexes[file].source.splitlines()
        return lines[line - 1].strip()[:200] if 0 < line <= len(lines) else ""

    def hottest(self, limit: int = 10) -> list[dict[str, Any]]:
        """The lines with the largest share of the benchmark's samples in the target files."""
        profile = self.profile
        if profile is None:
            return []
        total = profile.target_samples
        own: dict[tuple[str, int], int] = {}
        for count, frames in profile.stacks:
            line, fn = frames[0]
            key = (profile.functions[fn][0], line)
            own[key] = own.get(key, 0) + count
        rows = []
        for file, facts in self._files.items():
            for line in facts.stacks_by_line:
                share = facts.heat((line,)) / total
                rows.append({"file": file, "line": line, "function": self.function_at(file, line),
                             "share": round(share, 4), "self": round(own.get((file, line), 0) / total, 4),
                             "source": self._source(file, line)})
        rows.sort(key=lambda r: (-r["share"], -r["self"], r["file"], r["line"]))
        return rows[:limit]

    def hot_functions(self, limit: int = 10) -> list[dict[str, Any]]:
        """Functions by their share of the benchmark's samples in the target files (inclusive and self)."""
        profile = self.profile
        if profile is None:
            return []
        total = profile.target_samples
        rows = [{"file": file, "function": name, "line": first, "share": round(inclusive / total, 4),
                 "self": round(own / total, 4)}
                for (file, name), (inclusive, own, first) in profile.function_samples().items()]
        rows.sort(key=lambda r: (-r["share"], -r["self"], r["file"], r["line"]))
        return rows[:limit]

    def most_suspicious(self, limit: int = 10) -> list[dict[str, Any]]:
        """The lines with the highest Ochiai score (repair mode), with the counts behind it."""
        if self.suspicion is None:
            return []
        rows = [{"file": file, "line": line, "function": self.function_at(file, line), "score": round(s.score, 4),
                 "failed": s.failed, "passed": s.passed, "source": self._source(file, line)}
                for (file, line), s in self.suspicion.items() if s.score > 0]
        rows.sort(key=lambda r: (-r["score"], r["file"], r["line"]))
        return rows[:limit]

    def untested_functions(self) -> list[str]:
        """``file::function`` of the functions whose body no test runs (left alone unless opted in)."""
        if self.senses is None or not self.senses.measured:
            return []
        found = []
        for file, index in sorted(self.indexes.items()):
            for name, node_id in sorted(index.functions().items()):
                if self._files[file].weight(node_id)[1] == UNTESTED:
                    found.append(f"{file}::{name}")
        return found

    def record(self, limit: int = 10) -> dict[str, Any]:
        """What ``senses.json`` says beyond the raw senses: the places the report shows."""
        return {"mode": self.mode, "profiled": self.profile is not None, "hottest": self.hottest(limit),
                "functions": self.hot_functions(limit), "suspicious": self.most_suspicious(limit),
                "untested": self.untested_functions(), "untested_opt_in": sorted(self.untested)}


    def describe(self) -> list[str]:
        """The run's banner lines about its senses: what the tests run, what is left alone, where to look."""
        senses, lines = self.senses, []
        if senses is not None and senses.measured:
            ran = sum(len(senses.executed(f)) for f in self.indexes)
            words = f"{len(senses.outcomes)} test(s) run {ran} line(s) of the target files"
            untested = self.untested_functions()
            if untested:
                shown = ", ".join(untested[:4]) + (f" and {len(untested) - 4} more" if len(untested) > 4 else "")
                words += f"; no test runs {shown}: left alone (target.untested opts a file in)"
            lines.append(f"senses: {words}")
        for row in self.hottest(1):
            lines.append(f"senses: {100 * row['share']:.0f} % of the benchmark's time in the target files passes "
                         f"through {row['file']}:{row['line']} in {row['function']}; edits go there first")
        for row in self.most_suspicious(1):
            lines.append(f"senses: most suspicious line {row['file']}:{row['line']} in {row['function']} "
                         f"(Ochiai {row['score']:.2f}); edits go there first")
        return lines + [f"note: {note}" for note in (senses.notes if senses is not None else ())]
