"""Record types: which fields a value surely has, proven from the module's own code.

``speedups_alias`` reads ``self.config.drag`` before a loop only if that read
cannot fail or run code even when the loop runs zero times. For the inner
attribute that takes knowing what ``self.config`` holds. This module proves it
for one pattern: ``__init__`` stores a parameter as it is (``self.config =
config``), and every construction of the class in the module passes a *record*
for it, a call of a module-level ``collections.namedtuple`` or
``typing.NamedTuple`` class. A record's field is read by a C descriptor of
the tuple: it cannot raise, runs no user code and cannot be rebound on the
instance (the record is immutable).

Names are resolved with LibCST's ``ScopeProvider`` (through ``_names``): a
record class is bound once at module level, its qualified base is
``collections.namedtuple`` or ``typing.NamedTuple``, and no field of it is
assigned or deleted on the class. A class whose name is used in any other way
than being called (a subclass, ``factory = Simulator``, ``isinstance``), or that
is decorated, has a base or a metaclass, or defines ``__new__``, is not proven.
Code outside the module that builds the class with some other value is not
seen; ``AliasAttribute``'s docstring says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

import libcst as cst
from libcst.metadata import GlobalScope

from mutations._index import ModuleIndex
from mutations._names import names
from mutations._tree import walk

_NAMEDTUPLE = "collections.namedtuple"
_NAMED_TUPLE_BASE = "typing.NamedTuple"
_TARGETS = (cst.AssignTarget, cst.AugAssign, cst.AnnAssign, cst.Del, cst.For, cst.CompFor, cst.AsName)


def _global_scope(index: ModuleIndex) -> GlobalScope | None:
    scope = names(index).scope(index.module.body[0]) if index.module.body else None
    return scope if isinstance(scope, GlobalScope) else None


def _qualified(scope: GlobalScope, node: cst.CSTNode) -> set[str]:
    return {q.name for q in scope.get_qualified_names_for(node)}


def _string(node: cst.BaseExpression) -> str | None:
    return node.evaluated_value if isinstance(node, cst.SimpleString) else None  # type: ignore[return-value]


def _namedtuple_fields(call: cst.Call) -> frozenset[str]:
    """The fields of ``namedtuple("N", ["a", "b"])`` or ``namedtuple("N", "a b")``; empty when
    they are not literal or ``rename``/``module`` may change them."""
    if any(a.star for a in call.args) or any(a.keyword is not None and a.keyword.value not in ("field_names",
                                                                                              "defaults")
                                             for a in call.args):
        return frozenset()
    given = [a.value for a in call.args if a.keyword is None][1:2] + \
        [a.value for a in call.args if a.keyword is not None and a.keyword.value == "field_names"]
    if len(given) != 1:
        return frozenset()
    value = given[0]
    if isinstance(value, cst.SimpleString):
        text = _string(value) or ""
        fields = [f for f in re.split(r"[,\s]+", text) if f]
    elif isinstance(value, (cst.List, cst.Tuple)):
        fields = [_string(e.value) for e in value.elements]  # type: ignore[misc]
    else:
        return frozenset()
    if not fields or any(f is None or not f.isidentifier() or f.startswith("_") for f in fields):
        return frozenset()
    return frozenset(fields)  # type: ignore[arg-type]


def _class_fields(node: cst.ClassDef) -> frozenset[str]:
    """The annotated fields of a ``typing.NamedTuple`` class body; empty if the body binds one twice."""
    fields: list[str] = []
    others: list[str] = []
    for statement in node.body.body:  # type: ignore[union-attr]
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            others.append(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    fields.append(small.target.value)
                elif isinstance(small, cst.Assign):
                    others += [t.target.value for t in small.targets if isinstance(t.target, cst.Name)]
    if len(set(fields)) != len(fields) or set(fields) & set(others):
        return frozenset()
    return frozenset(fields)


def _attributes_in(target: cst.CSTNode) -> Iterator[cst.Attribute]:
    """The ``x.attr`` a binding target stores to, inside tuple and list targets too."""
    if isinstance(target, cst.Attribute):
        yield target
    elif isinstance(target, (cst.Element, cst.StarredElement)):
        yield from _attributes_in(target.value)
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _attributes_in(element)


def attribute_stores(index: ModuleIndex) -> tuple[cst.Attribute, ...]:
    """Every ``x.attr`` the module assigns, augments, deletes or binds as a ``for`` or ``with``
    target, memoised in ``index.memo``."""
    found = index.memo.get("records.attribute_stores")
    if found is None:
        found = index.memo["records.attribute_stores"] = tuple(
            attribute for node in walk(index.module) if isinstance(node, _TARGETS)
            for attribute in _attributes_in(node.name if isinstance(node, cst.AsName) else node.target))
    return found  # type: ignore[return-value]


def record_fields(index: ModuleIndex) -> Mapping[str, tuple[frozenset[str], frozenset[cst.CSTNode]]]:
    """Module-level record class name -> (its fields, the ``Name`` nodes that read that binding),
    memoised in ``index.memo``.

    A record is bound exactly once, by ``N = collections.namedtuple(...)`` with
    literal field names or by ``class N(typing.NamedTuple)``, and none of its
    fields is assigned or deleted on the class afterwards (``N.__doc__ = ...``
    is fine)."""
    found = index.memo.get("records.fields")
    if found is not None:
        return found  # type: ignore[return-value]
    out: dict[str, tuple[frozenset[str], frozenset[cst.CSTNode]]] = {}
    scope = _global_scope(index)
    for statement in index.module.body if scope is not None else ():
        fields: frozenset[str] = frozenset()
        name = ""
        if isinstance(statement, cst.ClassDef) and len(statement.bases) == 1 and not statement.keywords \
                and _NAMED_TUPLE_BASE in _qualified(scope, statement.bases[0].value):  # type: ignore[arg-type]
            name, fields = statement.name.value, _class_fields(statement)
        elif isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
            small = statement.body[0]
            if isinstance(small, cst.Assign) and len(small.targets) == 1 \
                    and isinstance(small.targets[0].target, cst.Name) and isinstance(small.value, cst.Call) \
                    and _NAMEDTUPLE in _qualified(scope, small.value.func):  # type: ignore[arg-type]
                name, fields = small.targets[0].target.value, _namedtuple_fields(small.value)
        if not fields:
            continue
        assignments = list(scope.assignments[name])  # type: ignore[union-attr]
        if len(assignments) != 1:
            continue
        references = frozenset(r.node for r in assignments[0].references)
        if any(s.attr.value in fields and s.value in references for s in attribute_stores(index)):
            continue
        out[name] = (fields, references)
    index.memo["records.fields"] = out
    return out


def _argument(call: cst.Call, param: cst.Param, position: int) -> cst.BaseExpression | None:
    """The expression a call passes for ``param`` (the ``position``-th after ``self``), its
    default when it passes none; ``None`` when a ``*args``/``**kwargs`` hides it."""
    if any(a.star for a in call.args):
        return None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == param.name.value:
            return arg.value
    positional = [a.value for a in call.args if a.keyword is None]
    if position < len(positional):
        return positional[position]
    return param.default


def passed_fields(cls: cst.ClassDef, param: cst.Param, position: int, index: ModuleIndex) -> frozenset[str]:
    """The fields of the record every construction of ``cls`` in the module passes for the
    ``__init__`` parameter ``param`` (``position`` counts from the first parameter after
    ``self``); empty when there is no construction, the class name is used other than by
    calling it, or one construction passes anything but a direct call of a record class. A class
    that is decorated, has a base or a metaclass, or defines ``__new__`` is not proven: any of them
    may build it with other arguments than the call's."""
    scope = _global_scope(index)
    if scope is None or not any(s is cls for s in index.module.body) or cls.decorators or cls.bases \
            or cls.keywords or any(isinstance(s, cst.FunctionDef) and s.name.value == "__new__"
                                   for s in cls.body.body):  # type: ignore[union-attr]
        return frozenset()
    assignments = list(scope.assignments[cls.name.value])
    if len(assignments) != 1 or assignments[0].node is not cls:  # type: ignore[attr-defined]
        return frozenset()
    records = record_fields(index)
    common: frozenset[str] | None = None
    for reference in assignments[0].references:
        call = index.nodes.get(index.parent_of(index.ids.get(reference.node, "")) or "")
        if not isinstance(call, cst.Call):
            return frozenset()  # a name directly under a call is what it calls
        value = _argument(call, param, position)
        record = records.get(value.func.value, None) if isinstance(value, cst.Call) \
            and isinstance(value.func, cst.Name) else None
        if record is None or value.func not in record[1]:  # type: ignore[union-attr]
            return frozenset()  # not a call, or a call of a local that shadows the record
        fields = record[0]
        common = fields if common is None else common & fields
    return common or frozenset()
