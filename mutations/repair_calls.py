"""Repair operators on calls and whole expressions: wrap in a call, unwrap a call, copy an
expression from elsewhere in the file, return another value. No claim of equivalence:
the tests decide."""

from __future__ import annotations

from typing import Any

import libcst as cst

from mutations._base import REPAIR, ChoiceOperator, Example, Params, Rewritten
from mutations._index import MODULE_SCOPE, ModuleIndex
from mutations._kinds import INT, NUMERIC, STR, UNKNOWN, kinds
from mutations._names import MODULE, VALUE, free_names, names
from mutations._render import bare, code, fit
from mutations._tree import dotted, enclosing_function, returns_of, walk, walk_own
from mutations.naturalness import naturalness_scores
from mutations.repair_exprs import _parent, in_function_body, value_slot

# --- wrapping and unwrapping calls --------------------------------------------

SAFE_WRAPPERS = ("abs", "float", "int", "len", "list", "max", "min", "reversed", "round", "set", "sorted", "str",
                 "sum", "tuple")
"""Builtins an expression may be wrapped in (``max``/``min`` also with a second argument)."""

_WRAPPABLE = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.BinaryOperation)


def _one_argument_calls(index: ModuleIndex) -> list[str]:
    """Functions the file calls with exactly one positional argument (plain names)."""
    found = index.memo.get("one_argument_calls")
    if found is None:
        seen: set[str] = set()
        for node in index.ids:
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and len(node.args) == 1 \
                    and node.args[0].keyword is None and not node.args[0].star:
                seen.add(node.func.value)
        found = index.memo["one_argument_calls"] = sorted(seen)
    return found  # type: ignore[return-value]


def indexed_returns(index: ModuleIndex) -> dict[str, frozenset[str]]:
    """The values returned by a module function whose result indexes a list on a line where the failing
    tests raised ``IndexError`` (``ModuleIndex.crashes``): ``counts[bin_index(...)]``, or ``counts[i]``
    after ``i = bin_index(...)`` in the same function. Each maps to the function's parameters that
    receive what the list's length was built from (``bins`` for ``counts = [0] * bins`` and
    ``bin_index(value, lo, hi, bins)``). Where a function's result is read past the end of a list,
    clamping what it returns (``min(e, bins - 1)``) is the range check PAR (Kim et al., ICSE 2013)
    applies at the function that made the index rather than at the read (memoised)."""
    found = index.memo.get("indexed_returns")
    if found is None:
        lines = {line for line, errors in index.crashes.items() if any(e.startswith("IndexError") for e in errors)}
        defs = {f.name.value: f for f in index.module.body if isinstance(f, cst.FunctionDef)}
        lengths: dict[str, set[str]] = {}
        for node, node_id in index.ids.items() if lines else ():
            if not isinstance(node, cst.Subscript) or index.line_of(node_id) not in lines:
                continue
            function = enclosing_function(index, node)
            built = {n.value for v in _assigned(function, node.value) for n in walk_own(v) if isinstance(n, cst.Name)}
            for element in node.slice:
                value = element.slice.value if isinstance(element.slice, cst.Index) else None
                for call in [value] if isinstance(value, cst.Call) else _assigned(function, value):
                    callee = defs.get(call.func.value) if isinstance(call, cst.Call) \
                        and isinstance(call.func, cst.Name) else None
                    if callee is not None:
                        lengths.setdefault(callee.name.value, set()).update(_receiving(call, callee, built))
        found = {index.ids[r.value]: frozenset(names_) for name, names_ in lengths.items()
                 for r in returns_of(defs[name]) if r.value is not None and r.value in index.ids}
        index.memo["indexed_returns"] = found
    return found  # type: ignore[return-value]


def _assigned(function: cst.FunctionDef | None, target: cst.CSTNode | None) -> list[cst.BaseExpression]:
    """The values ``function`` assigns to the variable ``target`` (a ``Name``; none for anything else)."""
    if function is None or not isinstance(target, cst.Name):
        return []
    return [n.value for n in walk_own(function.body) if isinstance(n, cst.Assign)
            and any(isinstance(t.target, cst.Name) and t.target.value == target.value for t in n.targets)]


def _receiving(call: cst.Call, callee: cst.FunctionDef, passed: set[str]) -> set[str]:
    """The parameters of ``callee`` that receive, in ``call``, one of the variables ``passed`` (by position
    or by keyword)."""
    params = [p.name.value for p in callee.params.params]
    out = set()
    for position, arg in enumerate(call.args):
        if not isinstance(arg.value, cst.Name) or arg.value.value not in passed or arg.star:
            continue
        if arg.keyword is not None:
            out.add(arg.keyword.value)
        elif position < len(params):
            out.add(params[position])
    return out


def _clamped_by(option: Params) -> str | None:
    """The variable ``n`` of a ``wrap_call`` option that clamps to the last index, ``min(e, n - 1)``."""
    extra = option.get("extra", "")
    return extra[:-4] if option["func"] == "min" and extra.endswith(" - 1") else None


def _bound_extras(node_id: str, index: ModuleIndex, function: cst.FunctionDef | None) -> list[str]:
    """Second arguments for ``min``/``max``: visible integer-looking variables and one less."""
    infer = kinds(index)
    out = []
    for name in names(index).swappable(node_id, VALUE):
        binding = names(index).visible(node_id)[name]
        if not binding.local or infer.name_kind(function, name, defaults=True) not in (INT, UNKNOWN):
            continue
        out += [name, f"{name} - 1"]
    return out


class WrapCall(ChoiceOperator):
    """``e`` -> ``f(e)`` for a safe builtin or a function the file calls with one argument;
    ``min(e, n - 1)``/``max(e, 0)`` clamp with a visible variable.

    In: a value (assigned, returned, an argument, an operand, an index, an
    iterable) inside a function. Out: the value wrapped. Params:
    ``{"func": name}``, with ``"extra": code`` for the second argument of min/max.
    """

    name = "wrap_call"
    family = REPAIR
    description = "wrap an expression in a call"
    node_types = _WRAPPABLE
    examples = (
        Example(before="def median(values):\n    ordered = values  # copy\n    return ordered[len(ordered) // 2]\n",
                after="def median(values):\n    ordered = sorted(values)  # copy\n"
                      "    return ordered[len(ordered) // 2]\n", params={"func": "sorted"}),
        Example(before="def bin_of(value, bins):\n    return int(value * bins)\n",
                after="def bin_of(value, bins):\n    return min(int(value * bins), bins - 1)\n",
                params={"func": "min", "extra": "bins - 1"}),
    )

    def _is_site(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> bool:
        """Cheap: a value inside a function (there is always a builtin to wrap it in)."""
        return in_function_body(node_id, index) and value_slot(node_id, index)

    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        if not (in_function_body(node_id, index) and value_slot(node_id, index)):
            return []
        shadowed = kinds(index).shadowed
        current = dotted(node.func) if isinstance(node, cst.Call) else ""
        funcs = sorted({f for f in SAFE_WRAPPERS if f not in shadowed} | set(_one_argument_calls(index)))
        function = enclosing_function(index, node)
        own = function.name.value if function is not None else ""
        out: list[dict[str, Any]] = [{"func": f} for f in funcs if f not in (current, own)]
        if "min" not in shadowed:
            out += [{"func": "min", "extra": e} for e in _bound_extras(node_id, index, function)]
        if "max" not in shadowed:
            out.append({"func": "max", "extra": "0"})
        return out

    def option_scores(self, node_id: str, options: list[dict[str, Any]], index: ModuleIndex) -> list[Any]:
        """Ranked by, in order: a clamp to the last index (``min(e, n - 1)``) where the value is one of
        ``indexed_returns``, read past the end of a list by a failing test; a clamp by what the list's
        length was built from (``bins - 1`` for ``[0] * bins``); how natural the new line reads in its
        file (``mutations.naturalness``)."""
        natural = naturalness_scores(self, node_id, options, index)
        lengths = indexed_returns(index).get(node_id)
        bounds = [_clamped_by(o) if lengths is not None else None for o in options]
        return [None if n is None else (b is not None, b is not None and b in lengths, n)  # type: ignore[operator]
                for n, b in zip(natural, bounds)]

    def answers(self, node_id: str, index: ModuleIndex) -> bool:
        """The value is returned by a function whose result a failing test read past a list's end with
        (``indexed_returns``), and the clamp by what that list's length was built from is among the
        options (``min(e, bins - 1)``; without a known length a clamp is a guess, not an answer)."""
        lengths = indexed_returns(index).get(node_id, frozenset())
        return any(_clamped_by(o) in lengths for o in self.options(node_id, index))

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        args = [cst.Arg(bare(updated))]  # type: ignore[arg-type]
        if "extra" in params:
            args[0] = args[0].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            args.append(cst.Arg(cst.parse_expression(params["extra"])))
        return cst.Call(func=cst.Name(params["func"]), args=args)


class UnwrapCall(ChoiceOperator):
    """``f(a, b)`` -> ``a`` (or ``b``); ``x.upper()`` -> ``x``.

    In: a call that is not a statement of its own. Out: one of its plain
    positional arguments, or the receiver of a method call (never a module).
    Params: ``{"arg": position, or -1 for the receiver}``.
    """

    name = "unwrap_call"
    family = REPAIR
    description = "replace a call by one of its arguments"
    node_types = (cst.Call,)
    examples = (
        Example(before="def balance(total, amount):\n    return total + abs(amount)\n",
                after="def balance(total, amount):\n    return total + amount\n", params={"arg": 0}),
        Example(before="def f(a, b):\n    return 2 * max(a - b, 0)\n", after="def f(a, b):\n    return 2 * (a - b)\n",
                params={"arg": 0}),
    )

    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        assert isinstance(node, cst.Call)
        if not in_function_body(node_id, index) or isinstance(_parent(node_id, index), cst.Expr):
            return []
        out: list[dict[str, Any]] = [{"arg": i} for i, a in enumerate(node.args) if a.keyword is None and not a.star]
        func = node.func
        if isinstance(func, cst.Attribute) and not (isinstance(func.value, cst.Name) and
                                                     names(index).kind_of(func.value, node_id) == MODULE):
            if not isinstance(func.value, (cst.SimpleString, cst.Integer, cst.Float)):
                out.append({"arg": -1})
        return out

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        assert isinstance(updated, cst.Call)
        position = int(params["arg"])
        if position == -1:
            assert isinstance(updated.func, cst.Attribute)
            inner = updated.func.value
        else:
            inner = updated.args[position].value
        return fit(bare(inner) if not isinstance(inner, cst.Tuple) else inner, node_id, index)


# --- copying an expression from elsewhere -------------------------------------

_COPYABLE = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Lambda, cst.BinaryOperation)


def _category(node: cst.CSTNode, index: ModuleIndex) -> str:
    """Expressions of one category may replace each other."""
    if isinstance(node, cst.Call):
        return "call " + code(index, node.func)
    if isinstance(node, cst.Lambda):
        return f"lambda {len(node.params.params)}"
    if isinstance(node, cst.Subscript):
        return "subscript " + code(index, node.value)
    if isinstance(node, cst.Attribute):
        return "attribute " + node.attr.value
    if isinstance(node, cst.BinaryOperation):
        return "binary " + type(node.operator).__name__
    return "name"


def _donors_by_category(index: ModuleIndex) -> dict[str, list[tuple[str, str, str, frozenset[str]]]]:
    found = index.memo.get("expression_donors_by_category")
    if found is None:
        found = {}
        for donor in _donors(index):
            found.setdefault(donor[1], []).append(donor)
        index.memo["expression_donors_by_category"] = found
    return found  # type: ignore[return-value]


def _donors(index: ModuleIndex) -> list[tuple[str, str, str, frozenset[str]]]:
    """(id, category, code, free names) of every expression that may be copied."""
    found = index.memo.get("expression_donors")
    if found is None:
        found = []
        for node, node_id in index.ids.items():
            if isinstance(node, _COPYABLE[1:]) and in_function_body(node_id, index) and value_slot(node_id, index):
                found.append((node_id, _category(node, index), code(index, node), free_names(node)))
        index.memo["expression_donors"] = found
    return found  # type: ignore[return-value]


class CopyExpression(ChoiceOperator):
    """Replace an expression by a copy of one written elsewhere in the file.

    In: a value inside a function. Out: a copy of another expression of the
    same category (a call of the same function, a lambda of as many
    parameters, a subscript of the same object, an attribute of the same
    name, an operation with the same operator) or, for a name, attribute or
    subscript, a call or subscript that refines it (``ch`` -> ``ch.upper()``).
    The copy reads only names visible at the destination. Params: ``{"donor": id}``.
    """

    name = "copy_expression"
    family = REPAIR
    description = "use an expression from elsewhere in the file"
    node_types = _COPYABLE
    examples = (
        Example(
            before="def cols(grid):\n    return len(grid[0])\n\n\ndef scan(grid):\n    return range(len(grid))\n",
            after="def cols(grid):\n    return len(grid[0])\n\n\ndef scan(grid):\n    return range(len(grid[0]))\n",
            site=1, params={"donor": "Call@2:11-2:23"},
        ),
    )

    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        if not (in_function_body(node_id, index) and value_slot(node_id, index)):
            return []
        own = code(index, node)
        category = _category(node, index)
        by_category = _donors_by_category(index)
        candidates = list(by_category.get(category, ())) if category != "name" else []
        if isinstance(node, (cst.Name, cst.Attribute, cst.Subscript)):  # refinements: ch -> ch.upper()
            candidates += [d for c, found in by_category.items() if c.split()[0] in ("call", "subscript")
                           for d in found if own in d[2] and d not in candidates]
        scope = names(index)
        related = set(index.ancestors(node_id))
        out, seen = [], {own}
        for donor_id, donor_category, donor_code, free in candidates:
            if donor_code in seen or donor_id in related or node_id in index.ancestors(donor_id):
                continue
            if donor_category != category and not any(
                    index.nodes[donor_id] is not n and n.deep_equals(node) for n in walk(index.nodes[donor_id])):
                continue
            if scope.can_read(node_id, free):
                seen.add(donor_code)
                out.append({"donor": donor_id})
        return out

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        donor = index.nodes[params["donor"]]
        return fit(donor.with_changes(lpar=[], rpar=[]) if not isinstance(donor, cst.Tuple) else donor,  # type: ignore
                   node_id, index)


class ReplaceReturnValue(ChoiceOperator):
    """``return e`` -> ``return e'`` with a value the program already returns or holds.

    In: a ``return`` with a value, inside a function. Out: the value replaced
    by another ``return`` value of the file, a visible variable, or ``None``,
    whichever reads only visible names and suits the function's other returns
    (no string where every return is a number). Params: ``{"value": code}``.
    """

    name = "replace_return_value"
    family = REPAIR
    description = "return another value"
    node_types = (cst.Return,)
    examples = (
        Example(before="def sign(x):\n    if x < 0:\n        return -1\n    return x  # positive\n",
                after="def sign(x):\n    if x < 0:\n        return -1\n    return 1  # positive\n",
                site=1, params={"value": "1"}),
    )

    def _is_site(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> bool:
        """Cheap: a ``return`` with a value in a function (``None`` is always a choice)."""
        assert isinstance(node, cst.Return)
        return node.value is not None and index.scope_of(node_id) != MODULE_SCOPE and \
            not (isinstance(node.value, cst.Name) and node.value.value == "None")

    def _options(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[dict[str, Any]]:
        assert isinstance(node, cst.Return)
        if node.value is None or index.scope_of(node_id) == MODULE_SCOPE:
            return []
        own = code(index, node.value)
        scope = names(index)
        infer = kinds(index)
        kind = infer.of(node.value)
        values = _return_values(index) + names(index).swappable(node_id, VALUE) + ["None", "0", "1", "True", "False"]
        out, seen = [], {own}
        for value in values:
            if value in seen:
                continue
            seen.add(value)
            expression = cst.parse_expression(value)
            if not scope.can_read(node_id, free_names(expression)):
                continue
            other = infer.of(expression) if not isinstance(expression, cst.Name) else UNKNOWN
            if kind in NUMERIC and other == STR or kind == STR and other in NUMERIC:
                continue
            out.append({"value": value})
        return out

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        assert isinstance(updated, cst.Return)
        return updated.with_changes(value=cst.parse_expression(params["value"]))


def _return_values(index: ModuleIndex) -> list[str]:
    found = index.memo.get("return_values")
    if found is None:
        found = sorted({code(index, n.value) for n in index.ids if isinstance(n, cst.Return) and n.value is not None
                        and "\n" not in code(index, n.value)})
        index.memo["return_values"] = found
    return found  # type: ignore[return-value]
