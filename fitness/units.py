"""Code units of a module and what the tests executed of them, for the static objectives.

Size and maintainability are rewards that can be gamed: deleting a function
no test runs, or a docstring, makes a module "smaller" and "simpler" without
any test noticing. So the static objectives look at a module as units — every
function and method by dotted name (nested functions belong to their
enclosing one), and ``<module>`` for everything else — and count a change only
in units the baseline's tests executed (a line of the unit's body ran under
coverage). Docstrings are never counted. Uses the standard library's ``ast``
and ``tokenize`` only; nothing here rewrites code.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["MODULE", "Unit", "changed_unexecuted", "executed_units", "tokens_by_unit", "units", "without_docstrings"]

MODULE = "<module>"
"""The unit of everything outside functions: imports, constants, class bodies. Always executed (at import)."""
IGNORED = frozenset({tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                     tokenize.DEDENT, tokenize.ENDMARKER, tokenize.ENCODING})
CACHED = 512


@dataclass(frozen=True)
class Unit:
    """A function or method: its dotted ``name``, the ``lines`` it spans (decorators included, 1-based,
    inclusive) and the ``body`` lines whose execution means the function was called."""

    name: str
    lines: tuple[int, int]
    body: tuple[int, int]


def _functions(node: ast.AST, prefix: str) -> Iterator[Unit]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([d.lineno for d in child.decorator_list] + [child.lineno])
            body = child.body[1:] if _docstring(child) is not None and len(child.body) > 1 else child.body
            end = child.end_lineno or child.lineno
            yield Unit(prefix + child.name, (start, end), (body[0].lineno, end))
        elif isinstance(child, ast.ClassDef):
            yield from _functions(child, f"{prefix}{child.name}.")


def _docstring(node: ast.AST) -> ast.Expr | None:
    body = getattr(node, "body", None)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        return body[0]
    return None


@lru_cache(maxsize=CACHED)
def units(source: str) -> tuple[Unit, ...]:
    """The function and method units of ``source`` in order; raises ``SyntaxError`` if it does not parse."""
    return tuple(_functions(ast.parse(source), ""))


@lru_cache(maxsize=CACHED)
def _docstring_lines(source: str) -> frozenset[int]:
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            doc = _docstring(node)
            if doc is not None:
                lines.update(range(doc.lineno, (doc.end_lineno or doc.lineno) + 1))
    return frozenset(lines)


def _owner(line: int, spans: tuple[Unit, ...]) -> str:
    for unit in spans:
        if unit.lines[0] <= line <= unit.lines[1]:
            return unit.name
    return MODULE


@lru_cache(maxsize=CACHED)
def tokens_by_unit(source: str) -> Mapping[str, int]:
    """Significant tokens per unit, docstrings excluded; raises ``SyntaxError``/``tokenize.TokenError``."""
    spans, docs = units(source), _docstring_lines(source)
    counts: dict[str, int] = {MODULE: 0, **{u.name: 0 for u in spans}}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in IGNORED or (token.type == tokenize.STRING and token.start[0] in docs):
            continue
        name = _owner(token.start[0], spans)
        counts[name] = counts.get(name, 0) + 1
    return counts


def executed_units(source: str, executed_lines: frozenset[int] | set[int]) -> frozenset[str]:
    """Units a line of whose body the tests executed, plus ``MODULE``; raises ``SyntaxError``."""
    ran = {u.name for u in units(source) if any(u.body[0] <= line <= u.body[1] for line in executed_lines)}
    return frozenset(ran | {MODULE})


@lru_cache(maxsize=CACHED)
def without_docstrings(source: str) -> str:
    """``source`` without the docstrings that stand on lines of their own (``pass`` where one is the whole body).

    For measures that must not reward deleting documentation (radon's index
    rises when lines go). Raises ``SyntaxError`` if it does not parse.
    """
    lines = source.splitlines(keepends=True)
    docs = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            doc = _docstring(node)
            if doc is not None and doc.end_lineno is not None and doc.end_col_offset is not None:
                docs.append((doc, len(node.body) == 1))  # type: ignore[attr-defined]
    for doc, alone in sorted(docs, key=lambda d: d[0].lineno, reverse=True):
        first, last = lines[doc.lineno - 1], lines[doc.end_lineno - 1]  # type: ignore[index]
        if first[:doc.col_offset].strip() or last[doc.end_col_offset:].strip():
            continue  # shares a line with other code: left alone
        lines[doc.lineno - 1:doc.end_lineno] = [" " * doc.col_offset + "pass\n"] if alone else []
    return "".join(lines)


@lru_cache(maxsize=CACHED)
def _unit_texts(source: str) -> Mapping[str, str]:
    lines = source.splitlines()
    return {u.name: "\n".join(lines[u.lines[0] - 1:u.lines[1]]) for u in units(source)}


def changed_unexecuted(variant: str, baseline: str, executed: frozenset[str]) -> bool:
    """Does ``variant`` change, add or remove a baseline unit the tests never executed?

    Raises ``SyntaxError`` if either side does not parse.
    """
    before, after = _unit_texts(baseline), _unit_texts(variant)
    return any(after.get(name) != text for name, text in before.items() if name not in executed)
