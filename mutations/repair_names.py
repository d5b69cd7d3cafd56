"""Repair operators on names: the wrong variable, the wrong attribute, a literal where a
name was meant (``parent[x]`` for ``parent[root]``, ``80`` for ``width``).

Every replacement is a name the destination can see (LibCST's scope analysis,
``_names``) and of the same kind as the one it replaces: a variable for a
variable, a function for a function, an attribute already read on the same
object. These are repair operators: they make no claim of equivalence, the
tests decide.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from mutations._base import REPAIR, ChoiceOperator, Example, Params, Rewritten
from mutations._index import MODULE_SCOPE, ModuleIndex
from mutations._kinds import NONE, NUMERIC, STR, UNKNOWN, kinds
from mutations._names import CLASS, FUNCTION, VALUE, names, read_ids
from mutations._tree import enclosing_function, walk, walk_own
from mutations.naturalness import naturalness_scores

_BUILTIN_SWAPS = (("min", "max"), ("any", "all"), ("int", "round", "float"), ("list", "sorted", "tuple", "set"),
                  ("sum", "len"))
"""Builtins that are each other's likely slip of the pen."""


class ReplaceName(ChoiceOperator):
    """Replace a name that is read by another visible name of the same kind.

    In: a ``Name`` that reads a variable, function or class (or a builtin from
    ``_BUILTIN_SWAPS``). Out: the same spot reading another name that is bound
    there (a local bound on an earlier line, a parameter, an enclosing
    function's variable, a module-level name). Params: ``{"name": new name}``.
    """

    name = "replace_name"
    family = REPAIR
    description = "read another variable in scope"
    node_types = (cst.Name,)
    examples = (
        Example(
            before="def find(parent, x):\n    root = x\n    while parent[root] != root:\n"
                   "        root = parent[x]  # climb\n    return root\n",
            after="def find(parent, x):\n    root = x\n    while parent[root] != root:\n"
                  "        root = parent[root]  # climb\n    return root\n",
            site=5, params={"name": "root"},
        ),
        Example(before="def f(xs):\n    return min(xs)\n", after="def f(xs):\n    return max(xs)\n",
                params={"name": "max"}),
    )

    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        assert isinstance(node, cst.Name)
        if node_id not in read_ids(index) or index.scope_of(node_id) == MODULE_SCOPE:
            return []
        scope = names(index)
        kind = scope.kind_of(node, node_id)
        if kind is None:
            shadowed = kinds(index).shadowed
            group = next((g for g in _BUILTIN_SWAPS if node.value in g), ())
            return [{"name": n} for n in group if n != node.value and n not in shadowed]
        if kind not in (VALUE, FUNCTION, CLASS):
            return []
        return [{"name": n} for n in scope.swappable(node_id, kind) if n != node.value]

    def option_scores(self, node_id: str, options: list[dict[str, Any]], index: ModuleIndex) -> list[Any]:
        """The variable bound last before the site first (``word = normalise(token)`` on the line above
        ``counts.get(token, 0)``), then the most natural (``mutations.naturalness``): how recently a
        variable was defined is among the features that rank replacement variables in Elixir (Saha et
        al., ASE 2017). A parameter counts as bound on its own line; a name the function does not bind
        before the site (a global, a builtin) comes last."""
        line = index.line_of(node_id)
        bound = _binding_lines(enclosing_function(index, index.nodes[node_id]), index)
        natural = naturalness_scores(self, node_id, options, index)
        return [None if n is None else (max((b for b in bound.get(o["name"], ()) if b < line), default=0), n)
                for o, n in zip(options, natural)]

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        return updated.with_changes(value=params["name"])


_TARGETS = {cst.AssignTarget: "target", cst.AugAssign: "target", cst.AnnAssign: "target", cst.For: "target",
            cst.AsName: "name", cst.NamedExpr: "target", cst.Param: "name"}


def _binding_lines(function: cst.FunctionDef | None, index: ModuleIndex) -> dict[str, list[int]]:
    """Name -> the lines where ``function`` binds it (assignment and loop targets, ``as`` names,
    parameters), not counting nested functions' own."""
    if function is None:
        return {}
    key = ("binding_lines", index.ids.get(function))
    found = index.memo.get(key)
    if found is None:
        found = {}
        for node in walk_own(function, into_comprehensions=False):
            field = _TARGETS.get(type(node))
            if field is None:
                continue
            for name in walk(getattr(node, field)):
                if isinstance(name, cst.Name) and name in index.ids:
                    found.setdefault(name.value, []).append(index.line_of(index.ids[name]))
        index.memo[key] = found
    return found  # type: ignore[return-value]


def _attribute_uses(index: ModuleIndex) -> dict[tuple[str, bool], set[str]]:
    """(receiver code, called?) -> attribute names read on that receiver in the module."""
    found = index.memo.get("attribute_uses")
    if found is None:
        found = {}
        for node, node_id in index.ids.items():
            if isinstance(node, cst.Attribute) and _attribute_read(node_id, index):
                key = (index.module.code_for_node(node.value), _called(node_id, index))
                found.setdefault(key, set()).add(node.attr.value)
        index.memo["attribute_uses"] = found
    return found  # type: ignore[return-value]


def _called(node_id: str, index: ModuleIndex) -> bool:
    parent = index.nodes.get(index.parent_of(node_id) or "")
    return isinstance(parent, cst.Call) and parent.func is index.nodes[node_id]


def _attribute_read(node_id: str, index: ModuleIndex) -> bool:
    """An attribute that is read (not assigned, deleted, imported or a decorator)."""
    node = index.nodes[node_id]
    parent = index.nodes.get(index.parent_of(node_id) or "")
    if isinstance(parent, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign, cst.Del)) and \
            getattr(parent, "target", None) is node:
        return False
    kinds_ = (cst.Import, cst.ImportFrom, cst.Decorator, cst.Annotation)
    return not any(isinstance(index.nodes[a], kinds_) for a in index.ancestors(node_id))


class ReplaceAttribute(ChoiceOperator):
    """Read another attribute of the same object: ``self.width`` -> ``self.height``.

    In: an attribute that is read. Out: the same receiver with another
    attribute name that the module reads on a receiver written the same way
    (methods for methods: an attribute that is called is only replaced by one
    that is called somewhere too). Params: ``{"attr": new name}``.
    """

    name = "replace_attribute"
    family = REPAIR
    description = "read another attribute of the same object"
    node_types = (cst.Attribute,)
    examples = (
        Example(
            before="class Box:\n    def area(self):\n        return self.w * self.w\n\n"
                   "    def tall(self):\n        return self.h > 2\n",
            after="class Box:\n    def area(self):\n        return self.w * self.h\n\n"
                  "    def tall(self):\n        return self.h > 2\n",
            site=1, params={"attr": "h"},
        ),
    )

    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        assert isinstance(node, cst.Attribute)
        if not _attribute_read(node_id, index) or index.scope_of(node_id) == MODULE_SCOPE:
            return []
        key = (index.module.code_for_node(node.value), _called(node_id, index))
        return [{"attr": a} for a in sorted(_attribute_uses(index).get(key, ())) if a != node.attr.value]

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        assert isinstance(updated, cst.Attribute)
        return updated.with_changes(attr=cst.Name(params["attr"]))


def _literal_site(node: cst.CSTNode, node_id: str, index: ModuleIndex) -> bool:
    """A literal inside a function, not a docstring, a default, a pattern or part of a
    concatenation or an f-string."""
    if index.scope_of(node_id) == MODULE_SCOPE:
        return False
    parent = index.nodes.get(index.parent_of(node_id) or "")
    if isinstance(parent, (cst.Expr, cst.ConcatenatedString)):
        return False
    if isinstance(node, cst.SimpleString) and "b" in node.prefix.lower():
        return False
    holders = (cst.Param, cst.MatchPattern, cst.FormattedString, cst.Decorator, cst.Annotation)
    return not any(isinstance(index.nodes[a], holders) for a in index.ancestors(node_id))


class ConstantToName(ChoiceOperator):
    """Replace a literal by a visible variable that may hold that kind of value.

    In: an int, float or string literal inside a function. Out: a visible
    variable or parameter whose inferred kind (a parameter's default counts)
    is the literal's, ``None`` or unknown — never a name known to hold another kind.
    Params: ``{"name": variable}``.
    """

    name = "constant_to_name"
    family = REPAIR
    description = "read a variable instead of a constant"
    node_types = (cst.Integer, cst.Float, cst.SimpleString)
    examples = (
        Example(
            before="def wrap(text, width=80):\n    return len(text) <= 80  # fits\n",
            after="def wrap(text, width=80):\n    return len(text) <= width  # fits\n",
            params={"name": "width"},
        ),
    )

    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        if not _literal_site(node, node_id, index):
            return []
        wanted = ({STR} if isinstance(node, cst.SimpleString) else set(NUMERIC)) | {NONE}  # None: "not given"
        function = enclosing_function(index, node)
        infer = kinds(index)
        out = []
        for candidate in names(index).swappable(node_id, VALUE):
            kind = infer.name_kind(function, candidate, defaults=True)
            if kind in wanted or kind == UNKNOWN:
                out.append({"name": candidate})
        return out

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        return cst.Name(params["name"], lpar=updated.lpar, rpar=updated.rpar)  # type: ignore[attr-defined]

