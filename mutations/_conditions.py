"""Conditions for the repair operators: the ingredients the program offers, and what a crash asks for.

A missing ``qty is None or``, a missing ``current and``, a missing ``if not
found: return 0``: the ingredients come from the program itself, never from
thin air (``ingredients``): conditions written elsewhere in the file (also with
one variable renamed to a name the destination reads), probes of the names the
destination reads (``x``, ``not x``, ``x is None``), the mirror of a bound
check (``v > hi`` suggests ``v < lo``) and the length check of an index
(``items[i]`` suggests ``i < len(items)``). Only conditions whose names are all
visible at the destination are offered.

Which of them answers the failing tests' crash on a line (``crash_templates``
for a clause, ``guard_templates`` for a guard), and which completes a range
check (``other_bound``), is how ``guards``' operators rank them.
"""

from __future__ import annotations

from collections import Counter

import libcst as cst

from mutations._index import ModuleIndex
from mutations._names import VALUE, free_names, names, read_names, renamed
from mutations._render import code
from mutations._tree import walk_own
from mutations.naturalness import tokens
from mutations.repair_exprs import in_function_body

_MIRROR = {"LessThan": "GreaterThan", "LessThanEqual": "GreaterThanEqual",
           "GreaterThan": "LessThan", "GreaterThanEqual": "LessThanEqual"}
_SYMBOL = {"LessThan": "<", "LessThanEqual": "<=", "GreaterThan": ">", "GreaterThanEqual": ">="}
CONDITION_HOLDERS = (cst.If, cst.While, cst.CompIf, cst.Assert)


def _program_conditions(index: ModuleIndex) -> list[tuple[str, frozenset[str]]]:
    """(code, free names) of every condition in the file's functions: tests, their
    ``and``/``or`` operands, comparisons. ``index.memo["condition_company"]`` keeps, for an
    operand, the code of the condition it is part of."""
    found = index.memo.get("program_conditions")
    if found is None:
        seen: dict[str, frozenset[str]] = {}
        company: dict[str, str] = {}
        for node, node_id in index.ids.items():
            candidate = None
            if isinstance(node, CONDITION_HOLDERS):
                candidate = node.test
            elif isinstance(node, (cst.Comparison, cst.BooleanOperation)):
                candidate = node
            if candidate is None or not in_function_body(node_id, index):
                continue
            parts = [candidate]
            if isinstance(candidate, cst.BooleanOperation):
                parts += [candidate.left, candidate.right]
            for part in parts:
                text = code(index, part.with_changes(lpar=[], rpar=[]) if part.lpar else part)
                if "\n" not in text and text not in seen:
                    seen[text] = free_names(part)
                if part is not candidate and text not in company:
                    company[text] = code(index, candidate)
        found = index.memo["program_conditions"] = list(seen.items())
        index.memo["condition_company"] = company
    return found  # type: ignore[return-value]


def read_values(focus: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[str]:
    """Variables ``focus`` reads that are visible at ``node_id``, in reading order."""
    visible = names(index).visible(node_id)
    out: list[str] = []
    for name in read_names(focus):
        binding = visible.get(name.value)
        if binding is not None and binding.kind == VALUE and name.value not in out and name.value != "self":
            out.append(name.value)
    return out


def _renamed_code(text: str, old: str, new: str, index: ModuleIndex) -> str:
    key = ("renamed_condition", text, old, new)
    found = index.memo.get(key)
    if found is None:
        found = cst.Module([]).code_for_node(renamed(cst.parse_expression(text), {old: new}))
        index.memo[key] = found
    return found  # type: ignore[return-value]


def _renamable(name: str, node_id: str, index: ModuleIndex) -> bool:
    """A variable (not a builtin, function, class or module) as code at ``node_id`` sees it."""
    binding = names(index).visible(node_id).get(name)
    if binding is not None:
        return binding.kind == VALUE
    return not names(index).can_read(node_id, {name})  # unknown here: another function's local


def ingredients(focus: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[str]:
    """Conditions that may be added where ``focus`` (a test or a statement) is."""
    key = ("ingredients", node_id)
    if key in index.memo:
        return index.memo[key]  # type: ignore[return-value]
    scope = names(index)
    reads = read_values(focus, node_id, index)
    out: list[str] = []
    for name in reads:
        out += [name, f"not {name}", f"{name} is None", f"{name} is not None"]
    probes = set(out)
    conditions = _program_conditions(index)
    company: dict[str, str] = index.memo["condition_company"]  # type: ignore[assignment]
    context: dict[str, Counter[str]] = {}
    for text, free in conditions:
        if free & set(reads) and scope.can_read(node_id, free):
            out.append(text)  # a condition on what the focus reads, from elsewhere in the file
            context.setdefault(text, Counter(tokens(company.get(text, ""))))
        if len(free) > 2:
            continue
        for old in (n for n in free if _renamable(n, node_id, index)):
            for new in reads:
                if new not in free and new != old:
                    text2 = _renamed_code(text, old, new, index)
                    if scope.can_read(node_id, free - {old} | {new}):
                        out.append(text2)
                        context.setdefault(text2, Counter(new if t == old else t
                                                          for t in tokens(company.get(text, ""))))
    out += _mirrors(focus, node_id, index) + _bounds(focus, index)
    own = {code(index, focus)} if isinstance(focus, cst.BaseExpression) else set()
    if isinstance(focus, cst.BooleanOperation):
        own |= {code(index, focus.left), code(index, focus.right)}
    result = [c for c in dict.fromkeys(out) if c not in own]
    index.memo[key] = result
    index.memo[("ingredient_facts", node_id)] = (probes, context)
    return result


def ingredient_facts(focus: cst.CSTNode, node_id: str, index: ModuleIndex) -> tuple[set[str], dict[str, Counter[str]]]:
    """The probes among ``ingredients`` (``x``, ``not x``, ``x is None``, ``x is not None``: they never
    raise) and, for a condition taken from an ``and``/``or`` elsewhere, the tokens of that whole
    condition (renamed as the ingredient is)."""
    ingredients(focus, node_id, index)
    return index.memo[("ingredient_facts", node_id)]  # type: ignore[return-value]


def _mirrors(focus: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[str]:
    """``v > hi`` in the focus suggests ``v < lo`` for every other visible variable ``lo``."""
    out = []
    candidates = names(index).swappable(node_id, VALUE)
    for sub in _comparisons(focus):
        if len(sub.comparisons) != 1 or not isinstance(sub.left, cst.Name):
            continue
        op = type(sub.comparisons[0].operator).__name__
        if op not in _MIRROR:
            continue
        other = sub.comparisons[0].comparator
        for name in candidates:
            if name != sub.left.value and not (isinstance(other, cst.Name) and other.value == name):
                out.append(f"{sub.left.value} {_SYMBOL[_MIRROR[op]]} {name}")
    return out


def _comparisons(node: cst.CSTNode) -> list[cst.Comparison]:
    found = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Comparison):
            found.append(current)
        if not isinstance(current, (cst.FunctionDef, cst.ClassDef, cst.Lambda, cst.IndentedBlock)):
            stack.extend(reversed(current.children))
    return found


def _bounds(focus: cst.CSTNode, index: ModuleIndex) -> list[str]:
    """``items[i]`` in the focus suggests ``i < len(items)``."""
    out = []
    stack = [focus]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Subscript) and len(current.slice) == 1 and \
                isinstance(current.slice[0].slice, cst.Index):
            position = current.slice[0].slice.value
            if isinstance(position, cst.Name) and isinstance(current.value, (cst.Name, cst.Attribute)):
                out.append(f"{position.value} < len({code(index, current.value)})")
        if not isinstance(current, (cst.FunctionDef, cst.ClassDef, cst.Lambda, cst.IndentedBlock)):
            stack.extend(current.children)
    return out


def directions(test: cst.CSTNode) -> set[tuple[str, bool]]:
    """(variable, upward) for each one-comparator comparison of a variable in ``test``: ``day > n`` gives
    ``("day", True)``, ``lo <= v`` nothing (the variable must be on the left)."""
    found = set()
    for sub in _comparisons(test):
        op = type(sub.comparisons[0].operator).__name__ if len(sub.comparisons) == 1 else ""
        if op in _MIRROR and isinstance(sub.left, cst.Name):
            found.add((sub.left.value, op.startswith("Greater")))
    return found


def _direction(clause: str, index: ModuleIndex) -> tuple[str, bool] | None:
    """``clause``'s one (variable, upward) of ``directions``, when it is a single comparison (memoised)."""
    key = ("clause_direction", clause)
    if key not in index.memo:
        index.memo[key] = next(iter(directions(cst.parse_expression(clause))), None) \
            if clause.count(" ") == 2 else None
    return index.memo[key]  # type: ignore[return-value]


def other_bound(clause: str, bounds: set[tuple[str, bool]], index: ModuleIndex) -> bool:
    """Does ``clause`` bound a variable from the side opposite the test's ``bounds`` (its
    ``directions``: ``day < 1`` for ``day > days_in_month(...)``), the other half of a range check?"""
    found = _direction(clause, index)
    return found is not None and (found[0], not found[1]) in bounds


def range_form(clause: str, holder: cst.CSTNode, index: ModuleIndex) -> tuple[str, str]:
    """(op, side) with which the half of a range check ``clause`` joins ``holder``'s test, as such a
    check is written: ``or`` when the test rejects (an ``if`` whose body leaves: ``return``, ``raise``,
    ``continue``, ``break``), ``and`` when it accepts (``while``, a comprehension's ``if``, an ``if``
    that does the work); the low end on the left (``day < 1 or day > n``, ``v >= lo and v <= hi``)."""
    body = getattr(getattr(holder, "body", None), "body", ())
    first = body[0] if isinstance(holder, cst.If) and body else None
    leaves = (cst.Return, cst.Raise, cst.Continue, cst.Break)
    rejects = isinstance(first, cst.SimpleStatementLine) and isinstance(first.body[0], leaves)
    found = _direction(clause, index)
    upward = found is not None and found[1]
    low = upward != rejects  # rejecting below the range (`day < 1`) or accepting above its low end (`v >= lo`)
    return ("or" if rejects else "and"), ("left" if low else "right")


def _none_suspects(focus: cst.CSTNode, focus_id: str, node_id: str, index: ModuleIndex) -> list[str]:
    """The variables ``focus`` reads (visible at ``node_id``) that may be the ``None`` of a crash on it:
    those the crashing frame saw holding ``None`` (``ModuleIndex.nones``); all of them when it saw no
    variable holding ``None`` (the ``None`` came from a call or an attribute)."""
    reads = read_values(focus, node_id, index)
    seen = index.nones_on(focus_id)
    return [n for n in reads if n in seen] if seen else reads


def crash_templates(test: cst.BaseExpression, test_id: str, index: ModuleIndex) -> set[tuple[str, str, str]]:
    """(clause, op, side) that answer the failing tests' crash on the test's lines
    (``ModuleIndex.crashes``): an error about ``NoneType`` asks for a null check before the test
    (``x is None or ...``, ``x is not None and ...``, for each variable it reads that may be the
    ``None``: ``_none_suspects``), an ``IndexError`` for a bound check (``i < len(items) and ...``
    for its ``items[i]``). These are the null-pointer and range checkers of PAR (Kim et al.,
    "Automatic Patch Generation Learned from Human-Written Patches", ICSE 2013), picked, as PAR
    picks a template, by the evidence at the fault."""
    errors = index.crashes_on(test_id)
    found: set[tuple[str, str, str]] = set()
    if any("NoneType" in e for e in errors):
        for name in _none_suspects(test, test_id, test_id, index):
            found |= {(f"{name} is None", "or", "left"), (f"{name} is not None", "and", "left")}
    if any(e.startswith("IndexError") for e in errors):
        found |= {(clause, "and", "left") for clause in _bounds(test, index)}
    return found


def _divisor_names(focus: cst.CSTNode, node_id: str, index: ModuleIndex) -> list[str]:
    """The variables read by the right operand of a ``/``, ``//`` or ``%`` in ``focus`` (``found`` in
    ``total / len(found)``)."""
    divisions = [n for n in walk_own(focus) if isinstance(n, cst.BinaryOperation)
                 and isinstance(n.operator, (cst.Divide, cst.FloorDivide, cst.Modulo))]
    return list(dict.fromkeys(name for d in divisions for name in read_values(d.right, node_id, index)))


def guard_templates(focus: cst.CSTNode, focus_id: str, node_id: str, index: ModuleIndex) -> set[str]:
    """Guard tests that answer the failing tests' crash on ``focus`` (a simple statement, or the test or
    iterable of a compound one; ``ModuleIndex.crashes``), for a guard at ``node_id``: an error about
    ``NoneType`` asks for ``x is None`` on a variable the focus reads that may be the ``None``
    (``_none_suspects``; PAR's null-pointer checker), a ``ZeroDivisionError`` for ``not x`` on a
    variable of a divisor (``not found`` before ``... / len(found)``)."""
    errors = index.crashes_on(focus_id)
    found: set[str] = set()
    if any("NoneType" in e for e in errors):
        found |= {f"{name} is None" for name in _none_suspects(focus, focus_id, node_id, index)}
    if any(e.startswith("ZeroDivisionError") for e in errors):
        found |= {f"not {name}" for name in _divisor_names(focus, node_id, index)}
    return found
