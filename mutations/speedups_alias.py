"""A speed-up that reads a loop-invariant attribute once: ``sqrt = math.sqrt``, ``drag = self.config.drag``.

Every ``a.b`` in a loop's body is a dictionary lookup per iteration; a local
name is an array slot. The classic remedy (a local alias before the loop)
changes *when* the attribute is read, so it is offered only where no input
can tell the difference: the loop cannot change what the attribute holds, and
the read cannot fail or run code (see ``AliasAttribute``'s docstring).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import random
import sysconfig
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from mutations._base import SPEEDUP, Example, Operator, Params, Rewritten
from mutations._index import ModuleIndex
from mutations._kinds import LIST, Kinds, kinds
from mutations._loops import NESTED_SCOPES, roots, runs_at_least_once, unguarded, written_by
from mutations._purity import pure_call
from mutations._records import attribute_stores, passed_fields
from mutations._tree import dotted, enclosing_function, walk, walk_own
from mutations.speedups_loops import EVERY, bind_before

TRUSTED_MODULES = frozenset({"math", "cmath", "operator", "bisect", "heapq", "itertools", "functools", "string",
                             "collections", "statistics", "re", "json"})
"""Standard-library modules whose attributes are checked by importing them in the engine (their import
has no effect; see ``_module_has``); the attribute of a module outside the list is not aliased. A module
of the project that shadows one of them where the project runs is not detected."""


_CONFINED = frozenset({"append", "pop", "clear", "reverse"})
"""Methods of a ``list`` that change only the list and call no code of its elements (``sort``,
``remove`` and ``index`` compare elements, which may run user code; ``extend`` iterates its argument)."""


def _confined(call: cst.Call, infer: Kinds) -> bool:
    """``xs.append(v)`` (one of ``_CONFINED``) on a name the inference knows is a list."""
    func = call.func
    return isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) \
        and func.attr.value in _CONFINED and infer.of(func.value) == LIST


def _effects_confined(body: cst.CSTNode, infer: Kinds) -> bool:
    """Is every call in ``body`` pure or ``_confined``? Then nothing in the body can rebind an attribute."""
    return not any(isinstance(n, (cst.Global, cst.Nonlocal))
                   or isinstance(n, cst.Call) and not pure_call(n, infer) and not _confined(n, infer)
                   for n in walk(body))


def _writes(loop: cst.For, infer: Kinds) -> set[str]:
    """Names the loop rebinds or mutates: ``_loops.written_by`` of each node, except that a
    ``_confined`` call writes only its list (it stores its argument, it does not change it)."""
    found = roots(loop.target)
    for node in walk(loop.body):
        if isinstance(node, cst.Call) and _confined(node, infer):
            found.add(node.func.value.value)  # type: ignore[attr-defined]
        else:
            found |= written_by(node, infer)
    return found


@functools.lru_cache(maxsize=None)
def _module_has(module: str, attribute: str) -> bool:
    """Does the standard-library ``module`` (one of ``TRUSTED_MODULES``) define ``attribute``?

    The module is imported only when the import system finds it built in or in the
    standard library's folders: a file of the same name on ``sys.path`` (the
    current folder comes first) is never run in the engine; the attribute is then
    not aliased.
    """
    if module not in TRUSTED_MODULES:
        return False
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return False
    origin = spec.origin if spec is not None else None
    folders = tuple(os.path.realpath(sysconfig.get_paths()[k]) + os.sep for k in ("stdlib", "platstdlib"))
    if origin is None or origin != "built-in" and not os.path.realpath(origin).startswith(folders):
        return False
    return hasattr(importlib.import_module(module), attribute)


def _imported_modules(index: ModuleIndex) -> dict[str, str]:
    """Local name -> module for each top-level ``import M`` (no ``as``) the module never rebinds
    (memoised: every candidate attribute of every loop asks)."""
    if "alias.imported_modules" in index.memo:
        return index.memo["alias.imported_modules"]  # type: ignore[return-value]
    found: dict[str, str] = {}
    for statement in index.module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        if alias.asname is None and isinstance(alias.name, cst.Name):
                            found[alias.name.value] = alias.name.value
    bound = {n.target.value for n in walk(index.module)
             if isinstance(n, cst.AssignTarget) and isinstance(n.target, cst.Name)}
    kept = index.memo["alias.imported_modules"] = {k: v for k, v in found.items() if k not in bound}
    return kept


@dataclass(frozen=True)
class _Instance:
    """What a method may assume of its ``self`` (see ``_instance``)."""

    this: str = ""
    attributes: frozenset[str] = frozenset()
    """Attributes every instance built by ``__init__`` has, reading which runs no code."""
    fields: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Attribute -> the fields of the record it surely holds (``_records.passed_fields``)."""


def _instance(method: cst.FunctionDef, index: ModuleIndex) -> _Instance:
    """For a method of a module-level class: the attributes its ``__init__`` assigns as
    ``self.x = ...`` at the top level of its body (so every instance built by it has them), less
    any name the class body binds itself (a property, a method, a class attribute: reading those
    can run code); and for an attribute stored once in the module, as ``self.x = param``, from a
    parameter ``__init__`` never rebinds, the record fields every construction in the module
    passes for that parameter. An empty ``_Instance`` otherwise (memoised per method)."""
    method_id = index.ids.get(method)
    key = ("alias.instance", method_id)
    if key not in index.memo:
        index.memo[key] = _find_instance(method, method_id, index)
    return index.memo[key]  # type: ignore[return-value]


def _find_instance(method: cst.FunctionDef, method_id: str | None, index: ModuleIndex) -> _Instance:
    parent = index.nodes.get(index.parent_of(index.parent_of(method_id or "") or "") or "")
    if not isinstance(parent, cst.ClassDef) or not method.params.params:
        return _Instance()
    if any(isinstance(d.decorator, cst.Name) and d.decorator.value in ("staticmethod", "classmethod")
           for d in method.decorators):
        return _Instance()
    own = set()
    init = None
    for statement in parent.body.body:  # type: ignore[union-attr]
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            own.add(statement.name.value)
            if isinstance(statement, cst.FunctionDef) and statement.name.value == "__init__":
                init = statement
        elif isinstance(statement, cst.SimpleStatementLine):
            own |= {t.target.value for s in statement.body if isinstance(s, (cst.Assign, cst.AnnAssign))
                    for t in (s.targets if isinstance(s, cst.Assign) else [s])
                    if isinstance(t.target, cst.Name)}
    if init is None or not init.params.params or init.params.posonly_params \
            or not isinstance(init.body, cst.IndentedBlock):
        return _Instance()
    this = init.params.params[0].name.value
    params = {p.name.value: (p, i) for i, p in enumerate(init.params.params[1:])}
    rebound = set().union(*(written_by(n, kinds(index)) for n in walk(init.body)
                            if not isinstance(n, cst.Call)))
    stored = [a.attr.value for a in attribute_stores(index)]
    assigned: set[str] = set()
    fields: dict[str, frozenset[str]] = {}
    for statement in init.body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                targets = small.targets if isinstance(small, cst.Assign) else []
                for target in targets:
                    node = target.target
                    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) \
                            and node.value.value == this:
                        name = node.attr.value
                        assigned.add(name)
                        value = small.value  # type: ignore[union-attr]
                        if len(targets) == 1 and isinstance(value, cst.Name) and value.value in params \
                                and value.value not in rebound and stored.count(name) == 1:
                            fields[name] = passed_fields(parent, *params[value.value], index)
    attributes = frozenset(assigned - own)
    return _Instance(method.params.params[0].name.value, attributes,
                     {k: v for k, v in fields.items() if v and k in attributes})


def _readable(chain: cst.Attribute, loop_id: str, index: ModuleIndex, method: cst.FunctionDef) -> bool:
    """Can ``chain`` be read before the loop without raising or running code (see ``AliasAttribute``)?"""
    base = chain.value
    if isinstance(base, cst.Attribute) and isinstance(base.value, cst.Name):
        instance = _instance(method, index)  # a record field: also invariant, whatever the loop runs
        return base.value.value == instance.this and chain.attr.value in instance.fields.get(base.attr.value, ())
    if runs_at_least_once(loop_id, index):
        return True
    if not isinstance(base, cst.Name):
        return False
    module = _imported_modules(index).get(base.value)
    if module is not None:
        return _module_has(module, chain.attr.value)
    instance = _instance(method, index)
    return base.value == instance.this and chain.attr.value in instance.attributes


def _target_of_write(node_id: str, index: ModuleIndex) -> bool:
    """Is the attribute (or an attribute chain it starts) assigned, augmented or deleted?"""
    for ancestor in [node_id, *index.ancestors(node_id)]:
        node = index.nodes[ancestor]
        parent = index.nodes.get(index.parent_of(ancestor) or "")
        if isinstance(parent, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign, cst.Del)) \
                and getattr(parent, "target", None) is node:
            return True
        if not isinstance(node, (cst.Attribute, cst.Subscript)):
            return False
    return False


def _root(node: cst.CSTNode) -> str | None:
    """``self`` for ``self.config`` or ``self.config.drag`` (one or two attributes of a name), else ``None``."""
    if not isinstance(node, cst.Attribute):
        return None
    base = node.value.value if isinstance(node.value, cst.Attribute) else node.value
    return base.value if isinstance(base, cst.Name) else None


def _object_of(node_id: str, chains: list[cst.Attribute], index: ModuleIndex) -> bool:
    """Is the node the object of an attribute read equal to one of ``chains`` (``self.config`` in
    ``self.config.drag``)? Aliasing it too would add a line nothing reads."""
    parent = index.nodes.get(index.parent_of(node_id) or "")
    return isinstance(parent, cst.Attribute) and parent.value is index.nodes[node_id] \
        and any(parent.deep_equals(c) for c in chains)


def aliasable(loop_id: str, index: ModuleIndex) -> list[str]:
    """Ids of the first occurrence of each attribute chain ``AliasAttribute`` may alias in the loop."""
    key = ("aliasable", loop_id)
    if key in index.memo:
        return index.memo[key]  # type: ignore[return-value]
    found: list[str] = []
    loop = index.nodes[loop_id]
    method = enclosing_function(index, loop)
    infer = kinds(index)
    if isinstance(loop, cst.For) and loop.asynchronous is None and method is not None \
            and _effects_confined(loop.body, infer):
        writes = _writes(loop, infer)
        seen: list[tuple[cst.Attribute, str, list[str]]] = []
        for node in walk_own(loop.body, into_comprehensions=False):
            root = _root(node)
            if root is None or any(node.deep_equals(s) for s, _, _ in seen):
                continue
            node_id = index.ids[node]
            if root in writes or _target_of_write(node_id, index):
                continue
            occurrences = [index.ids[n] for n in walk_own(loop.body, into_comprehensions=False)
                           if isinstance(n, cst.Attribute) and n.deep_equals(node)]
            if any(_target_of_write(o, index) for o in occurrences):
                continue
            if not any(unguarded(o, loop_id, index) for o in occurrences):
                continue
            if _readable(node, loop_id, index, method):
                seen.append((node, node_id, occurrences))
        longer = [chain for chain, _, _ in seen if isinstance(chain.value, cst.Attribute)]
        found = [node_id for chain, node_id, occurrences in seen
                 if not all(_object_of(o, longer, index) for o in occurrences)]
    index.memo[key] = found
    return found


class AliasAttribute(Operator):
    """Read a loop-invariant attribute once, into a local named after it, before the loop:
    ``config = self.config`` and ``sqrt = math.sqrt``, then ``config.drag`` and ``sqrt(x)`` inside;
    or ``drag = self.config.drag`` when ``self.config`` is proven to be a record.

    Precondition (all checked; otherwise the attribute is not offered):

    - the chain is one attribute of a plain name (``self.config``,
      ``math.sqrt``), read and never assigned, augmented or deleted in the
      loop, and the loop writes or mutates nothing through that name;
    - every call in the loop is pure (the allow-list of ``_purity``) or an
      ``append``/``pop``/``clear``/``reverse`` of a local list: any other call
      might rebind the attribute;
    - at least one read runs on every iteration (not guarded);
    - reading it before the loop can neither raise nor run code, so a loop
      that runs zero times behaves as before: the loop provably runs
      (``runs_at_least_once``), or the name is a ``TRUSTED_MODULES`` module
      imported as itself and the attribute exists (checked by importing the
      module in the engine), or the name is the method's ``self`` and the
      class's ``__init__`` assigns the attribute at the top level of its body
      while the class body binds no such name (no property, method or class
      attribute). A subclass that deletes it, or an object built without
      ``__init__``, is not covered.

    A chain two attributes deep (``self.config.drag``) is aliased only when
    ``self.config`` is a record whatever the loop does (``_records``):
    ``__init__`` stores a parameter as it is, nothing else in the module
    stores a ``.config``, and every construction of the class in the module
    passes a call of a ``namedtuple``/``NamedTuple`` class that has the field.
    A record's field is immutable and reading it cannot fail or run code. An
    instance built outside the module with another kind of value is not
    covered (the tests would see it only if they build one). When the deeper
    chains are aliasable, their object (``self.config``) is not offered as well.

    As everywhere in ``_purity``, operators, subscripts and attribute stores
    are taken to run no code with effects (no ``__setitem__`` or
    ``__setattr__`` that rebinds the attribute).

    Params: ``{"attr": id of the first read}`` or ``{"attr": "every"}``
    (offered with two or more chains: all in one edit).
    """

    name = "alias_attribute"
    family = SPEEDUP
    description = "read a loop-invariant attribute once, before the loop"
    node_types = (cst.For,)
    examples = (
        Example(
            before="import math\n\n\ndef norms(points):\n    out = []\n    for x, y in points:\n"
                   "        out.append(math.sqrt(x * x + y * y))\n    return out\n",
            after="import math\n\n\ndef norms(points):\n    out = []\n    sqrt = math.sqrt\n    for x, y in points:\n"
                  "        out.append(sqrt(x * x + y * y))\n    return out\n",
            params={"attr": "Attribute@7:19-7:28"},
        ),
        Example(
            before="class Scaler:\n    def __init__(self, factor):\n        self.factor = factor\n\n"
                   "    def scale(self, values):\n        out = []\n        for v in values:\n"
                   "            out.append(v * self.factor)\n        return out\n",
            after="class Scaler:\n    def __init__(self, factor):\n        self.factor = factor\n\n"
                  "    def scale(self, values):\n        out = []\n        factor = self.factor\n"
                  "        for v in values:\n            out.append(v * factor)\n        return out\n",
            params={"attr": "Attribute@8:27-8:38"},
        ),
        Example(
            before="import collections\n\nRate = collections.namedtuple(\"Rate\", [\"factor\", \"offset\"])\n\n\n"
                   "class Scaler:\n    def __init__(self, rate):\n        self.rate = rate\n\n"
                   "    def scale(self, values):\n        out = []\n        for v in values:\n"
                   "            out.append(v * self.rate.factor + self.rate.offset)\n        return out\n\n\n"
                   "def scale(values, factor, offset):\n    return Scaler(Rate(factor, offset)).scale(values)\n",
            after="import collections\n\nRate = collections.namedtuple(\"Rate\", [\"factor\", \"offset\"])\n\n\n"
                  "class Scaler:\n    def __init__(self, rate):\n        self.rate = rate\n\n"
                  "    def scale(self, values):\n        out = []\n        factor = self.rate.factor\n"
                  "        offset = self.rate.offset\n        for v in values:\n"
                  "            out.append(v * factor + offset)\n        return out\n\n\n"
                  "def scale(values, factor, offset):\n    return Scaler(Rate(factor, offset)).scale(values)\n",
            params={"attr": EVERY},
        ),
    )

    def _is_site(self, node: cst.CSTNode, node_id: str, index: ModuleIndex) -> bool:
        return bool(aliasable(node_id, index))

    def propose(self, node_id: str, index: ModuleIndex, rng: random.Random) -> dict[str, Any] | None:
        chains = aliasable(node_id, index)
        choices = chains + ([EVERY] if len(chains) > 1 else [])
        return {"attr": rng.choice(choices)} if chains else None

    def _rewrite(self, visiting: str, node_id: str, original: cst.CSTNode, updated: cst.CSTNode,
                 params: Params, index: ModuleIndex) -> Rewritten:
        assert isinstance(updated, cst.For)
        chains = aliasable(node_id, index)
        if params["attr"] == EVERY and len(chains) > 1:
            targets = chains
        elif params["attr"] in chains:
            targets = [params["attr"]]
        else:
            return None
        assert isinstance(original, cst.For)
        values = []
        for chain_id in targets:
            chain = index.nodes[chain_id]
            assert isinstance(chain, cst.Attribute)
            parts = dotted(chain).split(".")
            attr = parts[-1].strip("_") or "value"
            value: cst.BaseExpression = cst.Name(parts[0])
            for part in parts[1:]:
                value = cst.Attribute(value=value, attr=cst.Name(part))
            values.append((chain, value, (attr, f"{parts[-2].strip('_') or 'value'}_{attr}")))
        return bind_before(original, updated, values, index, opaque=NESTED_SCOPES)
