"""Replace a function by a call of its faster twin (the plastic-surgery idea, at function level)."""

from __future__ import annotations

import re
from typing import Any

import libcst as cst

from mutations._base import SPEEDUP, ChoiceOperator, Example, Params, Rewritten
from mutations._index import ModuleIndex
from mutations._tree import dotted, walk
from mutations.guards import is_docstring
from mutations.speedups_memo import container


def _signature(function: cst.FunctionDef, index: ModuleIndex) -> str:
    return index.module.code_for_node(function.params)


def _mentions(function: cst.FunctionDef, word: str) -> bool:
    """Does the function's docstring name ``word`` (backquoted or not)?"""
    doc = function.get_docstring() or ""
    return word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", doc)


class DelegateToTwin(ChoiceOperator):
    """Replace a function's body by a call of its twin: ``return is_prime_fast(n)``.

    In: a function of the module (or a method) with a *twin*, another
    function of the same place (module level, or the same class) with the
    very same parameter list, that does not call the function back, and
    that names it as a twin: one's name contains the other's, or one's
    docstring names the other. Out: the docstring kept and the body replaced by
    ``return twin(arguments)``.

    Precondition: this operator cannot prove the two agree; it relies on the
    twin's stated contract and on the tests (the plastic-surgery assumption:
    code that already exists in the program is a likely equivalent). It is
    offered only between functions that claim to be twins.
    Params: ``{"twin": name}``.
    """

    name = "delegate_to_twin"
    family = SPEEDUP
    description = "delegate a function to its faster twin"
    node_types = (cst.FunctionDef,)
    examples = (
        Example(
            before='def is_prime(n):\n    """True for primes."""\n'
                   '    return n > 1 and all(n % d for d in range(2, n))\n\n\n'
                   'def is_prime_fast(n):\n    """Same as is_prime, up to the square root."""\n'
                   '    return n > 1 and all(n % d for d in range(2, int(n ** 0.5) + 1))\n',
            after='def is_prime(n):\n    """True for primes."""\n    return is_prime_fast(n)\n\n\n'
                  'def is_prime_fast(n):\n    """Same as is_prime, up to the square root."""\n'
                  '    return n > 1 and all(n % d for d in range(2, int(n ** 0.5) + 1))\n',
            params={"twin": "is_prime_fast"},
        ),
    )

    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        assert isinstance(node, cst.FunctionDef)
        parent = container(node_id, index)
        if not isinstance(parent, (cst.Module, cst.ClassDef)) or node.asynchronous is not None:
            return []
        body = parent.body if isinstance(parent, cst.Module) else parent.body.body
        own = node.name.value
        out = []
        for other in body:
            if not isinstance(other, cst.FunctionDef) or other is node or other.asynchronous is not None:
                continue
            twin = other.name.value
            if _signature(other, index) != _signature(node, index) or own in _called_names(other):
                continue
            if own in twin or twin in own or _mentions(node, twin) or _mentions(other, own):
                if any(isinstance(n, (cst.Yield, cst.Await)) for n in walk(node.body)):
                    continue
                out.append({"twin": twin})
        return out

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        assert isinstance(updated, cst.FunctionDef)
        method = isinstance(container(node_id, index), cst.ClassDef)
        args = []
        for param in updated.params.params[1 if method else 0:]:
            args.append(param.name.value)
        for param in updated.params.kwonly_params:
            args.append(f"{param.name.value}={param.name.value}")
        callee = f"self.{params['twin']}" if method else params["twin"]
        call = cst.parse_statement(f"return {callee}({', '.join(args)})\n")
        body = updated.body
        assert isinstance(body, cst.IndentedBlock)
        first = body.body[0] if body.body else None
        kept = [first] if first is not None and is_docstring(first) else []
        return updated.with_changes(body=body.with_changes(body=[*kept, call]))


def _called_names(function: cst.FunctionDef) -> set[str]:
    return {dotted(n.func).split(".")[-1] for n in walk(function) if isinstance(n, cst.Call)}

