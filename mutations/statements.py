"""Classic GI statement operators: delete, copy, replace, swap (as in GenProg, PyGGI, Magpie)."""

from __future__ import annotations

import random
from typing import Any

import libcst as cst

from mutations._base import Example, Operator, Params, Rewritten
from mutations._index import STATEMENT_TYPES, ModuleIndex


class _StatementOperator(Operator):
    node_types = STATEMENT_TYPES

    def _is_site(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> bool:
        return node_id in index.statements


class DeleteStatement(_StatementOperator):
    name = "delete_statement"
    description = "delete a statement"
    examples = (
        Example(
            before="def f(x):\n    y = x * 2\n    # keep me\n    return x\n",
            after="def f(x):\n    # keep me\n    return x\n",
        ),
    )

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        return cst.RemoveFromParent()
