"""What a loop writes, what runs on every iteration, whether a loop runs at all, and which loop hung.

Shared by the speed-up operators that move work out of a loop or replace one,
and by the repair operators that answer a test that hung (``hung_loop``).
Every answer errs on the side of "no": a name counts as written when the loop
assigns it, mutates it through a method of ``_kinds.MUTATORS``, deletes it, or
hands it to a call not on the purity allow-list (which might mutate it); a call
counts as guarded when anything before it on its iteration could skip it.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

import libcst as cst

from mutations._index import HUNG, ModuleIndex
from mutations._kinds import MUTATORS, Kinds
from mutations._purity import pure_call
from mutations._tree import enclosing_function, walk

NESTED_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp,
                 cst.GeneratorExp)
_JUMPS = (cst.Break, cst.Continue, cst.Return, cst.Raise, cst.Yield, cst.Await)


def hung_loop(node_id: str, index: ModuleIndex) -> cst.While | None:
    """The innermost ``while`` around the node, within its function, on whose lines a failing test hung
    (its deadline struck there: ``HUNG`` in ``ModuleIndex.crashes``); None when there is none. Such a
    loop's test never turned false: its condition or the update of a name it reads is the likely fault
    (the loop-condition repairs of Infinitel, Marcote and Monperrus, "Automatic Repair of Infinite
    Loops", 2015)."""
    if not index.crashes:
        return None
    for candidate in index.ancestors(node_id):
        node = index.nodes[candidate]
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return None
        if isinstance(node, cst.While) and any(e.startswith(HUNG) for e in index.crashes_on(candidate)):
            return node
    return None


def hung_reads(node_id: str, index: ModuleIndex) -> frozenset[str]:
    """The names the test of ``hung_loop`` reads (empty when no loop around the node hung)."""
    loop = hung_loop(node_id, index)
    return frozenset() if loop is None else frozenset(names_in(loop.test))


def roots(target: cst.CSTNode) -> set[str]:
    """Names a binding target writes to (``a.b[c] = ..`` writes ``a``)."""
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Attribute, cst.Subscript, cst.Element, cst.StarredElement)):
        return roots(target.value)
    if isinstance(target, (cst.Tuple, cst.List)):
        return set().union(*(roots(e) for e in target.elements))
    return set()


def _arg_roots(call: cst.Call) -> set[str]:
    out: set[str] = set()
    for arg in call.args:
        value = arg.value
        while isinstance(value, (cst.Attribute, cst.Subscript)):
            value = value.value
        if isinstance(value, cst.Name):
            out.add(value.value)
    return out


def written_by(node: cst.CSTNode, kinds_: Kinds) -> set[str]:
    """Names this one node binds, mutates, or hands to a call that might mutate them."""
    if isinstance(node, cst.Assign):
        return set().union(*(roots(t.target) for t in node.targets))
    if isinstance(node, (cst.AugAssign, cst.AnnAssign, cst.For, cst.CompFor, cst.NamedExpr, cst.Del)):
        return roots(node.target)
    if isinstance(node, cst.AsName):
        return roots(node.name)
    if isinstance(node, (cst.Global, cst.Nonlocal)):
        return {item.name.value for item in node.names}
    if isinstance(node, cst.Call):
        if pure_call(node, kinds_):
            return set()
        out = _arg_roots(node)
        func = node.func
        if isinstance(func, cst.Attribute):
            out |= roots(func.value) if func.attr.value in MUTATORS or not pure_call(node, kinds_) else set()
        return out
    return set()


def written(loop: cst.For | cst.While, kinds_: Kinds) -> frozenset[str]:
    """Every name the loop's target and body may rebind or mutate (conservative)."""
    key = ("loops.written", id(loop))
    found = kinds_.index.memo.get(key)
    if found is None:
        names = roots(loop.target) if isinstance(loop, cst.For) else set()
        for node in walk(loop.body):
            names |= written_by(node, kinds_)
        if isinstance(loop, cst.While):
            for node in walk(loop.test):
                names |= written_by(node, kinds_)
        found = kinds_.index.memo[key] = frozenset(names)
    return found  # type: ignore[return-value]


def impure_calls(node: cst.CSTNode, kinds_: Kinds) -> bool:
    """Does ``node`` contain a call not on the purity allow-list (or a ``global``)?"""
    return any(isinstance(n, cst.Call) and not pure_call(n, kinds_) or isinstance(n, (cst.Global, cst.Nonlocal))
               for n in walk(node))


def _can_jump(statement: cst.CSTNode) -> bool:
    """May executing ``statement`` leave its iteration early (a jump not inside a nested loop
    or function, or a ``raise``)?"""
    stack: list[tuple[cst.CSTNode, bool]] = [(statement, False)]
    while stack:
        node, nested_loop = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, (cst.Return, cst.Raise, cst.Yield, cst.Await)):
            return True
        if isinstance(node, (cst.Break, cst.Continue)) and not nested_loop:
            return True
        inner = nested_loop or isinstance(node, (cst.For, cst.While))
        stack.extend((child, inner) for child in node.children)
    return False


def unguarded(node_id: str, loop_id: str, index: ModuleIndex) -> bool:
    """Is the node evaluated on every iteration of the loop that starts?

    It must sit in a statement directly in the loop's body, preceded there by
    no statement that can jump or raise, and inside that statement not in a
    branch (if/else bodies, the right of ``and``/``or``, a conditional
    expression's arms, a nested loop's body, a ``try``/``with`` body, a
    comprehension past its first iterable, a lambda).
    """
    loop = index.nodes[loop_id]
    assert isinstance(loop, (cst.For, cst.While))
    path = [node_id, *index.ancestors(node_id)]
    if loop_id not in path:
        return False
    chain = path[:path.index(loop_id) + 1]
    nodes = [index.nodes[i] for i in chain]
    for child, parent in zip(nodes, nodes[1:]):
        if not _always_evaluates(parent, child):
            return False
    block = index.nodes[chain[-2]] if len(chain) >= 2 else None
    if block is not loop.body or len(chain) < 3:
        return False
    statement = index.nodes[chain[-3]]
    for sibling in loop.body.body:  # type: ignore[attr-defined]
        if sibling is statement:
            return True
        if _can_jump(sibling):
            return False
    return False


def _always_evaluates(parent: cst.CSTNode, child: cst.CSTNode) -> bool:
    """Does evaluating ``parent`` always evaluate ``child``?"""
    if isinstance(parent, (cst.For, cst.While)):
        return child is parent.body or (isinstance(parent, cst.For) and child is parent.iter) \
            or (isinstance(parent, cst.While) and child is parent.test)
    if isinstance(parent, cst.If):
        return child is parent.test
    if isinstance(parent, cst.BooleanOperation):
        return child is parent.left
    if isinstance(parent, cst.IfExp):
        return child is parent.test
    if isinstance(parent, (cst.Try, cst.TryStar, cst.With, cst.Lambda, cst.FunctionDef, cst.ClassDef, cst.Match)):
        return False
    if isinstance(parent, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
        return child is parent.for_in
    if isinstance(parent, cst.CompFor):
        return child is parent.iter
    if isinstance(parent, cst.Comparison):
        return child is parent.left or child is parent.comparisons[0]
    return True


def runs_at_least_once(loop_id: str, index: ModuleIndex) -> bool:
    """Is the ``for`` loop's iterable provably non-empty when the loop starts?

    True when the loop iterates a name ``xs`` (or ``enumerate(xs)``,
    ``range(len(xs))``) and an earlier statement of the same block is
    ``if not xs: return/raise ...`` (or ``if len(xs) == 0:``), with nothing in
    between rebinding ``xs``.
    """
    loop = index.nodes[loop_id]
    if not isinstance(loop, cst.For):
        return False
    name = _iterated_name(loop.iter)
    block = index.nodes.get(index.parent_of(loop_id) or "")
    if name is None or not isinstance(block, cst.IndentedBlock):
        return False
    position = next(i for i, s in enumerate(block.body) if s is loop)
    for statement in reversed(block.body[:position]):
        if _empty_guard(statement, name):
            return True
        if name in set().union(*(roots(n.target) for n in walk(statement) if isinstance(n, cst.AssignTarget))) \
                or any(isinstance(n, cst.Call) and name in _arg_roots(n) for n in walk(statement)):
            return False
    return False


def _iterated_name(iterable: cst.BaseExpression) -> str | None:
    if isinstance(iterable, cst.Name):
        return iterable.value
    if isinstance(iterable, cst.Call) and isinstance(iterable.func, cst.Name) and len(iterable.args) == 1:
        inner = iterable.args[0].value
        if iterable.func.value == "enumerate":
            return _iterated_name(inner)
        if iterable.func.value == "range" and isinstance(inner, cst.Call) and isinstance(inner.func, cst.Name) \
                and inner.func.value == "len" and len(inner.args) == 1 and isinstance(inner.args[0].value, cst.Name):
            return inner.args[0].value.value
    return None


def _empty_guard(statement: cst.CSTNode, name: str) -> bool:
    """``if not xs: return ...`` / ``if len(xs) == 0: raise ...`` (nothing else in the body)."""
    if not isinstance(statement, cst.If) or statement.orelse is not None:
        return False
    body = statement.body.body  # type: ignore[attr-defined]
    if not (len(body) == 1 and isinstance(body[0], cst.SimpleStatementLine)
            and isinstance(body[0].body[-1], (cst.Return, cst.Raise))):
        return False
    test = statement.test
    code = cst.Module([]).code_for_node(test).strip()
    return code in (f"not {name}", f"len({name}) == 0", f"not len({name})", f"{name} == []")


# --- shapes of accumulating loops ---------------------------------------------

NOT_IN_GENEXP = (cst.NamedExpr, cst.Await, cst.Yield)
"""Walrus cannot rebind a comprehension variable; await/yield change the generator's kind."""


@lru_cache(maxsize=1024)
def name_counts(node: cst.CSTNode) -> Counter[str]:
    return Counter(n.value for n in walk(node) if isinstance(n, cst.Name))


def names_in(node: cst.CSTNode) -> set[str]:
    return set(name_counts(node))


def contains(node: cst.CSTNode, kinds_: tuple[type[cst.CSTNode], ...]) -> bool:
    return any(isinstance(n, kinds_) for n in walk(node))


def loop_names(loop: cst.For) -> set[str] | None:
    """Names the loop target binds, if it is a name or a tuple/list of names."""
    target = loop.target
    elements = target.elements if isinstance(target, (cst.Tuple, cst.List)) else [target]
    values = [e.value if isinstance(e, cst.Element) else e for e in elements]
    return {v.value for v in values} if all(isinstance(v, cst.Name) for v in values) else None


def only_statement(block: cst.BaseSuite) -> cst.BaseStatement | None:
    if isinstance(block, cst.IndentedBlock) and len(block.body) == 1:
        return block.body[0]
    return None


def used_outside(loop_id: str, names: set[str], index: ModuleIndex) -> bool:
    """Does the enclosing function mention a loop variable outside the loop?"""
    function = enclosing_function(index, index.nodes[loop_id])
    if function is None:
        return True  # module level: the loop variable is a global someone may read
    inside, everywhere = name_counts(index.nodes[loop_id]), name_counts(function)
    return any(everywhere[n] != inside[n] for n in names)


def plain_loop(loop: cst.CSTNode, loop_id: str, index: ModuleIndex) -> set[str] | None:
    """The loop's variables, if it is a plain ``for`` in a function whose variables die with it."""
    if not isinstance(loop, cst.For) or loop.asynchronous is not None or loop.orelse is not None:
        return None
    names = loop_names(loop)
    if names is None or used_outside(loop_id, names, index):
        return None
    return names


def previous_statement(node_id: str, index: ModuleIndex) -> tuple[str, cst.CSTNode] | None:
    """The statement just before ``node_id`` in its block."""
    block = index.nodes.get(index.parent_of(node_id) or "")
    if not isinstance(block, cst.IndentedBlock):
        return None
    node = index.nodes[node_id]
    position = next(i for i, s in enumerate(block.body) if s is node)
    if position == 0:
        return None
    previous = block.body[position - 1]
    return index.ids[previous], previous


def genexp(elt: cst.BaseExpression, loop: cst.For, ifs: list[cst.CompIf] | None = None) -> cst.GeneratorExp:
    """``(elt for target in iter)`` without its own parentheses (the call's serve)."""
    if isinstance(elt, cst.Tuple) and not elt.lpar:
        elt = elt.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    source = loop.iter
    if isinstance(source, (cst.Tuple, cst.IfExp, cst.Lambda, cst.NamedExpr, cst.Yield)) and not source.lpar:
        source = source.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.GeneratorExp(elt=elt, for_in=cst.CompFor(target=loop.target, iter=source, ifs=ifs or []),
                            lpar=[], rpar=[])


def builtin_call(function: str, elt: cst.BaseExpression, loop: cst.For) -> cst.Call:
    return cst.Call(func=cst.Name(function), args=[cst.Arg(genexp(elt, loop))])


def kept_comments(loop: cst.For, inner: cst.CSTNode) -> list[cst.EmptyLine]:
    """The loop's comments (above, on the ``for`` line, in its block) in reading order."""
    block = loop.body
    assert isinstance(block, cst.IndentedBlock)
    header = [cst.EmptyLine(comment=block.header.comment)] if block.header.comment else []
    footer = [line for line in block.footer if line.comment is not None]
    return [*loop.leading_lines, *header, *inner.leading_lines, *footer]  # type: ignore[attr-defined]
