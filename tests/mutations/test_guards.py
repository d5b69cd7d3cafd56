"""Sites that operators must refuse: rewrites that would not compile or would not be equivalent-looking."""

from __future__ import annotations

import random

from mutations import ModuleIndex, get_operator
from mutations.statements import fits
from populations import Edit, Patch, apply_patch


def _index(source: str) -> ModuleIndex:
    return ModuleIndex.build("m.py", source)


def _first_line(index: ModuleIndex, node_id: str) -> str:
    return index.module.code_for_node(index.nodes[node_id]).strip().split("\n")[0]


def _site_code(name: str, source: str) -> list[str]:
    """The first line of each site of operator ``name``."""
    index = _index(source)
    return [_first_line(index, s) for s in get_operator(name).sites(index)]


def _statement(index: ModuleIndex, line: str) -> str:
    return next(s for s in index.statements if _first_line(index, s) == line)


LOOPS = """\
def f(xs):
    for x in xs:
        if x:
            break
    y = 1
    return y


async def g(c):
    await c.close()
    global Z
    return 2
"""


def test_break_only_goes_into_loops() -> None:
    index = _index(LOOPS)
    donor = _statement(index, "break")
    assert not fits(donor, _statement(index, "y = 1"), index)
    assert fits(donor, _statement(index, "if x:"), index)


def test_await_stays_in_its_function_and_global_never_moves() -> None:
    index = _index(LOOPS)
    awaited, declared = _statement(index, "await c.close()"), _statement(index, "global Z")
    assert not fits(awaited, _statement(index, "y = 1"), index)
    assert fits(awaited, _statement(index, "return 2"), index)
    assert not fits(declared, _statement(index, "return 2"), index)


def test_propose_never_draws_an_unfit_donor() -> None:
    index = _index(LOOPS)
    target = _statement(index, "y = 1")
    copy = get_operator("copy_statement")
    donors = {copy.propose(target, index, random.Random(seed))["donor"] for seed in range(40)}  # type: ignore[index]
    assert donors and all(fits(d, target, index) for d in donors)


def test_elif_and_class_bodies_are_not_donor_targets() -> None:
    source = "def f(a):\n    if a:\n        x = 1\n    elif a > 1:\n        x = 2\n    class C:\n        y = 3\n"
    assert "elif" not in " ".join(_site_code("copy_statement", source))
    assert "y = 3" not in _site_code("replace_statement", source)
    assert "y = 3" in _site_code("delete_statement", source)


def test_swap_refuses_a_statement_and_its_own_ancestor() -> None:
    index = _index(LOOPS)
    swap = get_operator("swap_statements")
    outer, inner = _statement(index, "for x in xs:"), _statement(index, "break")
    for seed in range(30):
        params = swap.propose(outer, index, random.Random(seed))
        assert params is None or params["other"] != inner


def test_constants_in_docstrings_and_concatenations_are_left_alone() -> None:
    source = 'def f(x):\n    """Doc."""\n    s = "a" "b"\n    return 2\n'
    assert _site_code("perturb_constant", source) == ["2"]


def test_identical_arguments_are_not_swapped() -> None:
    assert _site_code("swap_arguments", "f(x, x)\ng(x, y)\n") == ["g(x, y)"]


def test_membership_needs_constants_and_membership_only_uses() -> None:
    source = (
        "A = [1, 2]\nB = [1, 2]\nC = []\nD = [1, x]\n\n\n"
        "def f(v):\n    return v in A or v in B or B[0] or v in C or v in D or v in [x]\n"
    )
    assert _site_code("membership_to_set", source) == ["[1, 2]"]


def test_cache_never_on_generators_coroutines_or_decorated_functions() -> None:
    source = (
        "import functools\n\n\n@functools.lru_cache(None)\ndef a(n):\n    return n\n\n\n"
        "def b(n):\n    yield n\n\n\nasync def c(n):\n    return n\n\n\n"
        "class K:\n    def d(self):\n        return 1\n\n\ndef e(n):\n    return n\n"
    )
    assert _site_code("add_cache", source) == ["def d(self):", "def e(n):"]


def test_hoist_needs_a_loop_that_leaves_the_arguments_alone() -> None:
    source = (
        "def f(data, k):\n"
        "    for x in data:\n        data.append(len(data))\n"
        "    for x in data:\n        data = data[1:]\n        k = len(data)\n        print(k)\n"
        "    for x in data:\n        y = len(x) + abs(k)\n"
    )
    index = _index(source)
    hoist = get_operator("hoist_invariant_call")
    (site,) = hoist.sites(index)
    assert index.module.code_for_node(index.nodes[hoist.propose(site, index, random.Random(0))["call"]]) == "abs(k)"  # type: ignore[index]


def test_loop_to_builtin_needs_the_loop_variable_dead_after_the_loop() -> None:
    source = (
        "def f(xs, t):\n"
        "    for x in xs:\n        t += x\n    return t, x\n\n\n"
        "def g(xs, t):\n    for x in xs:\n        t += x\n        t += 1\n    return t\n\n\n"
        "def h(xs, t):\n    for x in xs:\n        t += t * x\n    return t\n\n\n"
        "def k(xs):\n    for x in xs:\n        if x:\n            return x\n    return None\n\n\n"
        "def c(xs, counts):\n    for x in xs:\n        counts[x] += 1\n"
    )
    assert _site_code("loop_to_builtin", source) == []
    fine = "def s(xs):\n    t = 0\n    for x in xs:\n        t += x\n    return t\n"
    assert _site_code("loop_to_builtin", fine) == ["for x in xs:"]
    assert _site_code("loop_to_builtin", fine + "\n\nsum = len\n") == []


def test_an_aliased_functools_import_gets_a_plain_one_beside_it() -> None:
    source = "import functools as ft\n\n\ndef e(n):\n    return n\n"
    index = _index(source)
    (site,) = get_operator("add_cache").sites(index)
    code = apply_patch(Patch((Edit.make("add_cache", "m.py", site),)), {"m.py": index}).sources["m.py"]
    assert code == "import functools as ft\nimport functools\n\n\n@functools.cache\ndef e(n):\n    return n\n"


def test_nothing_is_inserted_before_a_global_declaration() -> None:
    source = "def f():\n    x = 1\n    global LIMIT\n    LIMIT = x\n"
    for name in ("insert_guard", "insert_renamed_statement", "copy_statement"):
        assert "x = 1" not in _site_code(name, source), name
