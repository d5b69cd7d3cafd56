"""The router sends a variant to the code swap only when the swap is exactly the variant."""

from __future__ import annotations

import dataclasses
import marshal
import random
import textwrap

import pytest

from evolve.evaluation.router import REBIND, SWAP, Route, Router, Swap
from mutations._index import ModuleIndex
from mutations.registry import get_operator
from populations.patch import Edit, Patch, apply_patch

SOURCE = textwrap.dedent('''\
    """A module with the shapes the router must tell apart."""

    LIMIT = 10
    WORDS = ["a", "b"]


    def total(values):
        """Sum of the values below LIMIT."""
        result = 0
        for value in values:
            if value < LIMIT:
                result += value
        return result


    def scale(values, factor=2):
        return [v * factor for v in values]


    def counter():
        count = 0

        def bump():
            nonlocal count
            count += 1
            return count
        return bump


    class Box:
        SIZE = 3

        def area(self):
            return self.SIZE * self.SIZE

        def grow(self):
            return super().__repr__()


    def known(word):
        return word in WORDS
''')


@pytest.fixture
def index() -> ModuleIndex:
    return ModuleIndex.build("m.py", SOURCE)


def plain(route: Route) -> Route:
    """The route with the shipped code left out (compared separately)."""
    if route.swap is None:
        return route
    assert all(marshal.loads(change.code) for change in route.swap.values())
    return Route({f: dataclasses.replace(c, code=b"") for f, c in route.swap.items()}, route.reason)


def route_text(index: ModuleIndex, new_source: str, edits: tuple[Edit, ...] = ()) -> Route:
    return plain(Router({"m.py": index}).route(edits, {"m.py": new_source}))


def route_patch(index: ModuleIndex, *edits: Edit) -> Route:
    applied = apply_patch(Patch(edits), {"m.py": index})
    assert applied.sources, "the edit changed nothing"
    return plain(Router({"m.py": index}).route(applied.applied, applied.sources))


def site(index: ModuleIndex, operator: str, scope: str, contains: str = "") -> str:
    return next(n for n in get_operator(operator).sites(index)
                if index.scope_of(n) == scope and contains in index.module.code_for_node(index.nodes[n]))


def swapped(*functions: str) -> dict[str, Swap]:
    return {"m.py": Swap(functions=functions)}


def test_an_edit_in_a_function_body_is_a_swap_of_that_function(index):
    edit = Edit.make("replace_comparison_operator", "m.py", site(index, "replace_comparison_operator", "total"),
                     {"op": "LessThanEqual"})
    route = route_patch(index, edit)
    assert (route.reason, dict(route.swap)) == (SWAP, swapped("total"))


def test_a_method_body_and_a_closure_are_swaps_of_their_defining_function(index):
    assert route_text(index, SOURCE.replace("self.SIZE * self.SIZE", "self.SIZE + self.SIZE")).swap == \
        swapped("Box.area")
    assert route_text(index, SOURCE.replace("count += 1", "count += 2")).swap == swapped("counter")


def test_lines_moving_is_not_a_change(index):
    moved = SOURCE.replace('    """Sum of the values below LIMIT."""\n', '    """Sum of the values\n    below LIMIT."""\n')
    moved = moved.replace("        return [v * factor", "        # a comment\n        return [v * factor")
    route = route_text(index, moved.replace("if value < LIMIT", "if value <= LIMIT"))
    assert route.swap == swapped("total")


def test_a_docstring_change_is_a_swap(index):
    route = route_text(index, SOURCE.replace('"""Sum of the values below LIMIT."""', '"""Changed."""'))
    assert route.swap == swapped("total")


@pytest.mark.parametrize("old, new, why", [
    ("LIMIT = 10", "LIMIT = len(WORDS)", "a module-level value is not a literal"),
    ("LIMIT = 10\n", "LIMIT = 10\nDOUBLE = 20\n", "import-time code differs"),
    ("def scale(values, factor=2)", "def scale(values, factor=3)", "import-time code differs"),
    ("    SIZE = 3", "    SIZE = 4", "import-time code differs"),
    ("\n\ndef known(word):", "\n\n@staticmethod\ndef known(word):", "a decorator changed"),
    ("def total(values):", "def total(values, extra=0):", "import-time code differs"),
    ("def total(values):", "def total(numbers):", "a changed function's parameters, closure or kind differ"),
    ("        return self.SIZE * self.SIZE", "        return __class__.SIZE * self.SIZE",
     "import-time code differs"),  # the class body now makes a ``__class__`` cell
    ("    return result", "    yield result", "a changed function's parameters, closure or kind differ"),
])
def test_what_runs_at_import_or_changes_a_functions_shape_is_rebuilt(index, old, new, why):
    assert SOURCE.count(old) == 1
    route = route_text(index, SOURCE.replace(old, new))
    assert (route.swap, route.reason) == (None, why)


def test_constants_are_compared_by_type_too(index):
    assert route_text(index, SOURCE.replace("result = 0", "result = 0.0")).swap == swapped("total")
    assert route_text(index, SOURCE.replace("result = 0", "result = False")).swap == swapped("total")


@pytest.mark.parametrize("old, new, constants, readers", [
    ("LIMIT = 10", "LIMIT = 11", (("LIMIT", "11"),), ("total",)),
    ('WORDS = ["a", "b"]', 'WORDS = {"a", "b"}', (("WORDS", '{"a", "b"}'),), ("known",)),
])
def test_a_new_literal_for_a_module_constant_is_a_rebind(index, old, new, constants, readers):
    route = route_text(index, SOURCE.replace(old, new))
    assert (route.reason, dict(route.swap)) == (REBIND, {"m.py": Swap(constants=constants, readers=readers)})
    both = route_text(index, SOURCE.replace(old, new).replace("count += 1", "count += 2"))
    assert both.swap == {"m.py": Swap(functions=("counter",), constants=constants, readers=readers)}


@pytest.mark.parametrize("extra", ["PAIRS = [LIMIT]\n", "LIMIT = 12\n", "def later(x=LIMIT):\n    return x\n"])
def test_a_constant_read_or_bound_again_at_import_is_rebuilt(extra):
    source = SOURCE + "\n\n" + extra
    router = Router({"m.py": ModuleIndex.build("m.py", source)})
    route = router.route((), {"m.py": source.replace("LIMIT = 10", "LIMIT = 11")})
    assert (route.swap, route.reason) == (None, "a rebound name is assigned again or read at import time")


def test_adding_a_cache_is_a_rebind_with_its_import(index):
    route = route_patch(index, Edit.make("add_cache", "m.py", index.functions()["total"]))
    assert (route.reason, dict(route.swap)) == (REBIND, {"m.py": Swap(cached=("total",), imports=("functools",))})
    held = SOURCE + "\n\nALIASES = {'t': total}\n"
    cached = held.replace("\n\ndef total", "\n\n@functools.cache\ndef total").replace("\nLIMIT", "\nimport functools\nLIMIT")
    route = Router({"m.py": ModuleIndex.build("m.py", held)}).route((), {"m.py": cached})
    assert route.swap is None  # module-level code holds the function: rebinding the name would not reach it


def test_a_function_defined_twice_is_never_swapped(index):
    twice = SOURCE + "\n\ndef total(values):\n    return 0\n"
    router = Router({"m.py": ModuleIndex.build("m.py", twice)})
    route = router.route((), {"m.py": twice.replace("return 0\n", "return 1\n")})
    assert (route.swap, route.reason) == (None, "a changed function is defined more than once")


def test_edit_scopes_decide_before_any_compiling(index):
    class_body = Edit.make("perturb_constant", "m.py", site(index, "perturb_constant", "Box", "3"), {"mode": "inc"})
    assert route_patch(index, class_body).reason == "class-body edit"
    module_constant = Edit.make("perturb_constant", "m.py", site(index, "perturb_constant", "<module>", "10"),
                                {"mode": "inc"})
    assert route_patch(index, module_constant).reason == REBIND


def test_an_unchanged_function_body_is_no_swap_at_all(index):
    route = route_text(index, SOURCE + "\n# a trailing comment\n")
    assert (route.swap, route.reason) == ({}, SWAP)


def test_the_compile_gates_code_is_reused(index):
    new = SOURCE.replace("count += 1", "count += 2")
    code = compile(new, "m.py", "exec", dont_inherit=True)
    route = Router({"m.py": index}).route((), {"m.py": "this is not python"}, {"m.py": code})
    assert plain(route).swap == swapped("counter")
    assert marshal.loads(route.swap["m.py"].code) == code


def test_every_shipped_operator_routes_without_error(index):
    """Each operator's first sites in the module route somewhere, and never raise."""
    router = Router({"m.py": index})
    for name in ("delete_statement", "copy_statement", "swap_statements", "negate_condition",
                 "replace_binary_operator", "perturb_constant", "membership_to_set", "hoist_invariant_call",
                 "loop_to_builtin", "swap_arguments", "add_cache"):
        operator = get_operator(name)
        for node in operator.sites(index)[:6]:
            params = operator.propose(node, index, random.Random(0))
            if params is None:
                continue
            applied = apply_patch(Patch((Edit.make(name, "m.py", node, params),)), {"m.py": index})
            if not applied.sources:
                continue
            try:
                compile(applied.sources["m.py"], "m.py", "exec")
            except SyntaxError:
                continue
            assert router.route(applied.applied, applied.sources).reason, name
