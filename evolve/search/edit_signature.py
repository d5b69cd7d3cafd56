"""An edit's signature: what identifies it across runs, with no line number and no node id.

The operator, the file, the enclosing scope and the normalised source
(``ast.dump``: no positions, no comments, no formatting) of every node the
edit rewrites, before and after, plus the *site*: a digest of the normalised
source of the function (or module-level statement) around each rewritten node
(see ``evolve.search.immunity``).
"""

from __future__ import annotations

import ast
import hashlib
import json
import textwrap
from collections.abc import Iterable

import libcst as cst

from evolve.search.antibody import Signature
from mutations._index import ModuleIndex
from mutations.registry import OPERATORS
from populations.patch import Edit

__all__ = ["TEXT_CAP", "signature"]

TEXT_CAP = 400
"""Characters of before/after code kept for people (the signature digests the whole of it)."""


def _code(module: cst.Module, node: object) -> str:
    if isinstance(node, cst.RemovalSentinel):
        return "<removed>"
    if isinstance(node, cst.FlattenSentinel):
        return "\n".join(_code(module, n) for n in node.nodes)
    if isinstance(node, cst.CSTNode):
        return module.code_for_node(node)
    return repr(node)


def _normal(code: str) -> str:
    """The code without formatting, comments or positions: its ``ast.dump``, or for a fragment that is
    no Python on its own (an operator, ``in LIMITS``) its words."""
    text = textwrap.dedent(code).strip()
    for mode in ("eval", "exec"):
        try:
            return ast.dump(ast.parse(text, mode=mode))
        except (SyntaxError, ValueError, RecursionError):
            continue
    return " ".join(text.split())


def _site_node(index: ModuleIndex, node_id: str) -> str:
    """The node whose source is the edit's site: the innermost function around (or being) the node,
    else its module-level statement."""
    chain = [node_id, *index.ancestors(node_id)]
    for candidate in chain:
        if isinstance(index.nodes[candidate], cst.FunctionDef):
            return candidate
    return chain[-2] if len(chain) >= 2 else chain[-1]  # the last is the Module itself


def _digest(parts: Iterable[str]) -> str:
    return hashlib.sha256(json.dumps(list(parts)).encode()).hexdigest()[:24]


def signature(edit: Edit, index: ModuleIndex, sites: dict[str, str] | None = None) -> Signature | None:
    """The edit's signature in ``index`` (None when its operator cannot rewrite the node as it stands).

    ``sites`` memoises site digests by node id (a function's source is digested once per run).
    """
    operator = OPERATORS.get(edit.operator)
    if operator is None or edit.node not in index.nodes:
        return None
    params = edit.param_dict
    before: list[str] = []
    after: list[str] = []
    shown: list[tuple[str, str]] = []
    site_ids: set[str] = set()
    try:
        touched = operator.touched(edit.node, params)
        for node_id in touched:
            node = index.nodes.get(node_id)
            if node is None:
                return None
            new = operator.rewrite(node_id, edit.node, node, node, params, index)
            if new is None:
                return None
            old_code, new_code = _code(index.module, node), _code(index.module, new)
            before.append(_normal(old_code))
            after.append(_normal(new_code))
            shown.append((textwrap.dedent(old_code).strip(), textwrap.dedent(new_code).strip()))
            site_ids.add(_site_node(index, node_id))
        imports = list(operator.imports(params))
    except Exception:  # noqa: BLE001 - an operator that cannot say what it does is not remembered
        return None
    memo = sites if sites is not None else {}
    for site_id in site_ids:
        if site_id not in memo:
            memo[site_id] = _digest([_normal(index.module.code_for_node(index.nodes[site_id]))])
    scope = index.scope_of(edit.node)
    key = _digest([edit.operator, edit.file, scope, *before, "->", *after, "imports", *imports])
    return Signature(key=key, operator=edit.operator, file=edit.file, scope=scope,
                     before="\n".join(b for b, _ in shown)[:TEXT_CAP], after="\n".join(a for _, a in shown)[:TEXT_CAP],
                     site=_digest(sorted(memo[s] for s in site_ids)))
