"""The router sends a variant to the code swap only when the swap is exactly the variant."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from evolve.router import SWAP, Router
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


def route_text(index: ModuleIndex, new_source: str, edits: tuple[Edit, ...] = ()):
    return Router({"m.py": index}).route(edits, {"m.py": new_source})


def route_patch(index: ModuleIndex, *edits: Edit):
    applied = apply_patch(Patch(edits), {"m.py": index})
    assert applied.sources, "the edit changed nothing"
    return Router({"m.py": index}).route(applied.applied, applied.sources)


def site(index: ModuleIndex, operator: str, scope: str, contains: str = "") -> str:
    return next(n for n in get_operator(operator).sites(index)
                if index.scope_of(n) == scope and contains in index.module.code_for_node(index.nodes[n]))


def test_an_edit_in_a_function_body_is_a_swap_of_that_function(index):
    edit = Edit.make("replace_comparison_operator", "m.py", site(index, "replace_comparison_operator", "total"),
                     {"op": "LessThanEqual"})
    route = route_patch(index, edit)
    assert (route.reason, dict(route.swap)) == (SWAP, {"m.py": ("total",)})


def test_a_method_body_and_a_closure_are_swaps_of_their_defining_function(index):
    assert route_text(index, SOURCE.replace("self.SIZE * self.SIZE", "self.SIZE + self.SIZE")).swap == \
        {"m.py": ("Box.area",)}
    assert route_text(index, SOURCE.replace("count += 1", "count += 2")).swap == {"m.py": ("counter",)}


def test_lines_moving_is_not_a_change(index):
    moved = SOURCE.replace('    """Sum of the values below LIMIT."""\n', '    """Sum of the values\n    below LIMIT."""\n')
    moved = moved.replace("        return [v * factor", "        # a comment\n        return [v * factor")
    route = route_text(index, moved.replace("if value < LIMIT", "if value <= LIMIT"))
    assert route.swap == {"m.py": ("total",)}


def test_a_docstring_change_is_a_swap(index):
    route = route_text(index, SOURCE.replace('"""Sum of the values below LIMIT."""', '"""Changed."""'))
    assert route.swap == {"m.py": ("total",)}


@pytest.mark.parametrize("old, new, why", [
    ("LIMIT = 10", "LIMIT = 11", "import-time code differs"),
    ('WORDS = ["a", "b"]', 'WORDS = {"a", "b"}', "import-time code differs"),
    ("def scale(values, factor=2)", "def scale(values, factor=3)", "import-time code differs"),
    ("    SIZE = 3", "    SIZE = 4", "import-time code differs"),
    ("\n\ndef known(word):", "\n\n@staticmethod\ndef known(word):", "import-time code differs"),
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
    assert route_text(index, SOURCE.replace("result = 0", "result = 0.0")).swap == {"m.py": ("total",)}
    assert route_text(index, SOURCE.replace("result = 0", "result = False")).swap == {"m.py": ("total",)}


def test_a_function_defined_twice_is_never_swapped(index):
    twice = SOURCE + "\n\ndef total(values):\n    return 0\n"
    router = Router({"m.py": ModuleIndex.build("m.py", twice)})
    route = router.route((), {"m.py": twice.replace("return 0\n", "return 1\n")})
    assert (route.swap, route.reason) == (None, "a changed function is defined more than once")


def test_edit_scopes_decide_before_any_compiling(index):
    module_constant = Edit.make("perturb_constant", "m.py", site(index, "perturb_constant", "<module>", "10"),
                                {"mode": "inc"})
    assert route_patch(index, module_constant).reason == "module-level edit"
    cache = Edit.make("add_cache", "m.py", index.functions()["total"])
    assert route_patch(index, cache).reason == "adds an import"
    class_body = Edit.make("perturb_constant", "m.py", site(index, "perturb_constant", "Box", "3"), {"mode": "inc"})
    assert route_patch(index, class_body).reason == "class-body edit"


def test_an_unchanged_function_body_is_no_swap_at_all(index):
    route = route_text(index, SOURCE + "\n# a trailing comment\n")
    assert (route.swap, route.reason) == ({}, SWAP)


def test_the_compile_gates_code_is_reused(index):
    new = SOURCE.replace("count += 1", "count += 2")
    code = compile(new, "m.py", "exec", dont_inherit=True)
    route = Router({"m.py": index}).route((), {"m.py": "this is not python"}, {"m.py": code})
    assert route.swap == {"m.py": ("counter",)}


def test_every_shipped_operator_routes_without_error(index):
    """Each operator's sites in the module route somewhere, and never raise."""
    router = Router({"m.py": index})
    for name in ("delete_statement", "negate_condition", "replace_binary_operator", "membership_to_set",
                 "hoist_invariant_call", "loop_to_builtin", "swap_arguments", "add_cache"):
        operator = get_operator(name)
        for node in operator.sites(index)[:5]:
            params = operator.propose(node, index, __import__("random").Random(0))
            if params is None:
                continue
            applied = apply_patch(Patch((Edit.make(name, "m.py", node, params),)), {"m.py": index})
            if not applied.sources:
                continue
            try:
                cst.parse_module(applied.sources["m.py"])
                compile(applied.sources["m.py"], "m.py", "exec")
            except (SyntaxError, cst.ParserSyntaxError):
                continue
            route = router.route(applied.applied, applied.sources)
            assert route.reason, name
