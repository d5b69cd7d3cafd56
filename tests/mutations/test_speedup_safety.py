"""The speed-up operators refuse every edit that could change a result: one test per unsafe case.

Each case is a shape where the rewrite looks tempting but an input exists on
which the result (or the exception) would differ; the operator must not offer
it. Where a safe twin of the shape exists, it is checked to be offered, so the
refusal is not an accident of an operator that offers nothing.
"""

from __future__ import annotations

import random

from mutations import ModuleIndex, get_operator


def _index(source: str) -> ModuleIndex:
    return ModuleIndex.build("m.py", source)


def _code(index: ModuleIndex, node_id: str) -> str:
    return index.module.code_for_node(index.nodes[node_id]).strip()


def _hoistable(source: str) -> list[str]:
    """The code of every call ``hoist_invariant_call`` may hoist in the source."""
    index = _index(source)
    op = get_operator("hoist_invariant_call")
    from mutations.speedups_loops import hoistable_calls

    return [_code(index, c) for loop in op.sites(index) for c in hoistable_calls(loop, index)]


def _sites(name: str, source: str) -> list[str]:
    index = _index(source)
    return [_code(index, s).split("\n")[0] for s in get_operator(name).sites(index)]


# --- hoisting -----------------------------------------------------------------


def test_a_call_under_an_if_items_guard_is_not_hoisted() -> None:
    guarded = (
        "def f(data, items):\n    out = []\n    for x in data:\n        if items:\n"
        "            out.append(x + len(items) + len(items[0]))\n    return out\n"
    )
    assert _hoistable(guarded) == []  # f([1], None) returns [] and must not raise
    unguarded = guarded.replace("        if items:\n            out", "        out")
    assert _hoistable(unguarded) == ["len(items)", "len(items[0])"]


def test_a_call_after_a_continue_or_in_a_short_circuit_is_not_hoisted() -> None:
    source = (
        "def f(data, items, k):\n    out = []\n    for x in data:\n        if not x:\n            continue\n"
        "        out.append(len(items))\n    for x in data:\n        out.append(x and abs(k))\n    return out\n"
    )
    assert _hoistable(source) == []


def test_heappop_randrange_and_queue_get_stay_in_the_loop() -> None:
    source = (
        "import heapq\nimport random\n\n\ndef drain(heap, n, q):\n    out = []\n    for _ in range(n):\n"
        "        out.append(heapq.heappop(heap))\n        out.append(random.randrange(n))\n"
        "        out.append(q.get(True))\n    return out\n"
    )
    assert _hoistable(source) == []


def test_a_call_that_fails_on_an_empty_input_waits_for_the_loop_to_run() -> None:
    loop = "    out = []\n    for v in values:\n        out.append(v - min(values))\n    return out\n"
    assert _hoistable("def f(values):\n" + loop) == []  # f([]) returns [] and must not raise
    guarded = "def f(values):\n    if not values:\n        return []\n" + loop
    assert _hoistable(guarded) == ["min(values)"]


def test_a_call_whose_argument_the_loop_mutates_or_hands_away_is_not_hoisted() -> None:
    source = (
        "def f(data, log):\n    for x in data:\n        log.append(len(data))\n        data.sort()\n"
        "    for x in data:\n        record(data)\n        log.append(len(data))\n"
        "    alias = data\n    for x in data:\n        alias.clear()\n        log.append(len(data))\n"
    )
    assert _hoistable(source) == []


def test_a_new_list_is_not_shared_between_iterations() -> None:
    source = "def f(data, text):\n    out = []\n    for x in data:\n        out.append(text.split())\n" \
             "    return out\n"
    assert _hoistable(source) == []


def test_hoisted_names_come_from_the_expression() -> None:
    index = _index("def f(points):\n    out = []\n    for p in points:\n        out.append(p / len(points))\n"
                   "    return out\n")
    op = get_operator("hoist_invariant_call")
    (site,) = op.sites(index)
    params = op.propose(site, index, random.Random(0))
    from populations import Edit, Patch, apply_patch

    code = apply_patch(Patch((Edit.make(op.name, "m.py", site, params),)), {"m.py": index}).sources["m.py"]
    assert "n_points = len(points)" in code and "_hoisted" not in code


# --- memoising ----------------------------------------------------------------


def test_no_cache_on_a_function_returning_a_list_that_callers_mutate() -> None:
    source = (
        "def neighbours(n):\n    return [n - 1, n + 1]\n\n\n"
        "def grow(n):\n    seen = neighbours(n)\n    seen.append(n)\n    return seen\n\n\n"
        "def built(n):\n    out = []\n    out.append(n)\n    return out\n\n\n"
        "def ordered(xs):\n    return sorted(xs)\n"
    )
    assert _sites("add_cache", source) == []


def test_no_cache_on_functions_that_read_or_write_changing_state() -> None:
    source = (
        "import random\n\nLIMITS = [1, 2]\nSCALE = 3\n\n\n"
        "def reads_list(n):\n    return n in LIMITS\n\n\n"
        "def rolls(n):\n    return random.randrange(n)\n\n\n"
        "def prints(n):\n    print(n)\n    return n\n\n\n"
        "def sorts(xs):\n    xs.sort()\n    return len(xs)\n\n\n"
        "def scaled(n):\n    return n * SCALE\n"
    )
    assert _sites("add_cache", source) == ["def scaled(n):"]


def test_no_cache_when_module_code_passes_an_unhashable_argument() -> None:
    source = "def total(xs):\n    return len(xs)\n\n\ndef use():\n    return total([1, 2])\n"
    assert "def total(xs):" not in _sites("add_cache", source)


def test_no_cache_on_a_linear_recursion_where_the_wrapper_only_halves_the_depth() -> None:
    linear = "def count(n):\n    return 0 if n == 0 else 1 + count(n - 1)\n"
    tree = "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n"
    assert _sites("add_cache", linear) == []
    assert _sites("add_cache", tree) == ["def fib(n):"]


def test_a_method_is_cached_only_when_its_attributes_never_change() -> None:
    fixed = (
        "class Tiler:\n    def __init__(self, sizes):\n        self.sizes = tuple(sizes)\n\n"
        "    def ways(self, n):\n        if n <= 0:\n            return int(n == 0)\n"
        "        return sum(self.ways(n - s) for s in self.sizes)\n"
    )
    assert _sites("add_cache", fixed) == ["def ways(self, n):"]
    changed = fixed + "\n    def add(self, s):\n        self.sizes = self.sizes + (s,)\n"
    assert "def ways(self, n):" not in _sites("add_cache", changed)
    mutable = fixed.replace("tuple(sizes)", "list(sizes)")
    assert "def ways(self, n):" not in _sites("add_cache", mutable)


def test_a_nested_function_is_cached_only_when_its_closure_is_fixed() -> None:
    fixed = (
        "def outer(a):\n    def inner(i):\n        return 0 if i <= 0 else inner(i - 1) + inner(i - 2) + len(a)\n"
        "    return inner(len(a))\n"
    )
    assert _sites("add_cache", fixed) == ["def inner(i):"]
    rebound = fixed.replace("    return inner(len(a))\n",
                            "    first = inner(3)\n    a = 'xy'\n    return first + inner(3)\n")
    assert _sites("add_cache", rebound) == []


# --- accumulating loops -------------------------------------------------------


def test_sum_only_when_the_accumulator_starts_at_an_integer() -> None:
    template = "def f(xs):\n    total = {start}\n    for x in xs:\n        total += x\n    return total\n"
    assert _sites("loop_to_builtin", template.format(start="0")) == ["for x in xs:"]
    for start in ('""', "[]", "0.5", "start"):  # sum() of strings raises; lists need a start; 0.5 rounds apart
        assert _sites("loop_to_builtin", template.format(start=start)) == [], start


def test_a_string_is_joined_only_when_every_part_is_a_string() -> None:
    joined = "def f(xs):\n    text = ''\n    for x in xs:\n        text += str(x)\n    return text\n"
    assert _sites("concat_to_join", joined) == ["text = ''"]
    unknown = joined.replace("str(x)", "x")  # x may be anything: str + x fails at once, join only at the end
    assert _sites("concat_to_join", unknown) == []
    read = joined.replace("        text += str(x)\n", "        text += str(x)\n        print(len(text))\n")
    assert _sites("concat_to_join", read) == []


def test_an_append_loop_stays_a_loop_when_a_handler_could_see_half_a_list() -> None:
    source = (
        "def f(xs):\n    try:\n        out = []\n        for x in xs:\n            out.append(1 / x)\n"
        "    except ZeroDivisionError:\n        return out\n    return out\n"
    )
    assert _sites("append_to_comprehension", source) == []


def test_a_list_whose_order_or_length_is_seen_stays_a_list() -> None:
    source = (
        "def f(items):\n    seen = []\n    for item in items:\n        if item not in seen:\n"
        "            seen.append(item)\n    return len(seen)\n"
    )
    assert _sites("local_list_to_set", source) == []
    assert _sites("local_list_to_set", source.replace("return len(seen)", "return 1")) == ["[]"]


def test_a_queue_that_is_indexed_or_returned_stays_a_list() -> None:
    queue = "def f(jobs):\n    queue = list(jobs)\n    while queue:\n        job = queue.pop(0)\n{extra}    return 0\n"
    assert _sites("pop0_to_deque", queue.format(extra="")) == ["list(jobs)"]
    for extra in ("        first = queue[0]\n", "        return queue\n", "        queue = queue[1:]\n"):
        assert _sites("pop0_to_deque", queue.format(extra=extra)) == [], extra


def test_a_sort_is_moved_out_only_when_nothing_else_touches_the_list() -> None:
    source = (
        "def f(scores, queries):\n    ordered = list(scores)\n    out = []\n    for q in queries:\n"
        "        ordered.sort()\n{extra}        out.append(bisect.bisect_left(ordered, q))\n    return out\n"
    )
    assert _sites("sort_once", source.format(extra="")) == ["for q in queries:"]
    assert _sites("sort_once", source.format(extra="        ordered.append(q)\n")) == []
    returned = source.format(extra="").replace("    return out\n", "    return ordered\n")
    assert _sites("sort_once", returned) == []  # with no queries the list would come back sorted


# --- stopping early -----------------------------------------------------------


def test_a_loop_stops_early_only_once_its_result_is_settled() -> None:
    first = (
        "def first(xs, limit):\n    found = -1\n    for i, x in enumerate(xs):\n"
        "        if x > limit and found == -1:\n            found = i\n    return found\n"
    )
    assert _sites("early_break", first) == ["for i, x in enumerate(xs):"]
    last = first.replace(" and found == -1", "")  # the last match wins: every iteration matters
    assert _sites("early_break", last) == []
    counted = first.replace("            found = i\n", "            found = i\n            total = x\n")
    assert _sites("early_break", counted.replace("    found = -1\n", "    found = -1\n    total = 0\n")
                  .replace("return found", "return found, total")) == []
    accumulates = (
        "def f(xs):\n    seen = False\n    n = 0\n    for x in xs:\n        n = n + x\n"
        "        if x:\n            seen = True\n    return seen, n\n"
    )
    assert _sites("early_break", accumulates) == []  # n, read after the loop, keeps changing
    with_else = "def f(xs):\n    ok = True\n    for x in xs:\n        if x:\n            ok = False\n" \
                "    else:\n        ok = None\n    return ok\n"
    assert _sites("early_break", with_else) == []


# --- dead stores --------------------------------------------------------------


def test_a_store_is_removed_only_when_nothing_can_read_it_and_its_value_has_no_effect() -> None:
    def offered(body: str) -> list[str]:
        return _sites("remove_dead_store", f"def f(items, log):\n{body}    return len(items)\n")

    assert offered("    peak = max(items)\n") == ["peak = max(items)"]  # the safe twin
    assert offered("    n = len(items)\n    print(n)\n") == []  # read later
    assert offered("    last = items.pop()\n") == []  # the call mutates
    assert offered("    entry = log.write('x')\n") == []  # a call off the allow-list may have an effect
    assert offered("    n = len(items)\n    n = 2\n") == []  # written again: not this operator's shape
    assert offered("    n = len(items)\n    show = lambda: n\n") == ["show = lambda: n"]  # a closure reads n
    assert offered("    n = len(items)\n    names = locals()\n") == []  # read by name
    assert offered("    global n\n    n = len(items)\n") == []  # not a local
    assert offered("    n = (yield items)\n") == []  # a yield is an effect


# --- attribute aliases --------------------------------------------------------


def _aliasable(source: str) -> list[str]:
    """The code of every attribute ``alias_attribute`` may alias in the source."""
    from mutations.speedups_alias import aliasable

    index = _index(source)
    return [_code(index, a) for loop in get_operator("alias_attribute").sites(index) for a in aliasable(loop, index)]


def _method(body: str, cls: str = "") -> str:
    return ("import math\nimport os.path\nimport random\nimport numbers as num\n\n\nclass Sim:\n" + cls +
            "    def __init__(self, config):\n        self.config = config\n        if config:\n"
            "            self.extra = 1\n\n    def step(self, items, other):\n        out = []\n"
            "        for p in items:\n" + body + "        return out\n")


def test_an_attribute_is_aliased_only_when_the_loop_cannot_change_it_and_reading_it_early_cannot_fail() -> None:
    assert _aliasable(_method("            out.append(self.config.drag * math.sqrt(p))\n")) == \
        ["self.config", "math.sqrt"]  # the safe twin: not self.config.drag, whose existence nothing proves
    assert _aliasable(_method("            out.append(self.config)\n            helper(p)\n")) == []  # any call
    assert _aliasable(_method("            out.append(self.config)\n            self.config = p\n")) == []
    assert _aliasable(_method("            out.append(self.config)\n            del self.config\n")) == []
    assert _aliasable(_method("            out.append(self.extra)\n")) == []  # set only under an if
    assert _aliasable(_method("            out.append(self.config)\n",
                              cls="    config = property(lambda self: 1)\n\n")) == []  # reading it runs code
    assert _aliasable(_method("            out.append(math.nosuch)\n")) == []  # math has no such attribute
    assert _aliasable(_method("            out.append(random.random)\n")) == []  # not a trusted module
    assert _aliasable(_method("            out.append(num.Number)\n")) == []  # imported under another name
    assert _aliasable(_method("            if p:\n                out.append(math.pi)\n")) == []  # guarded
    provably = _method("            out.append(other.scale)\n").replace(
        "        out = []\n", "        out = []\n        if not items:\n            return out\n")
    assert _aliasable(provably) == ["other.scale"]  # a loop that surely runs reads it anyway


def _record(tail: str, init: str = "        self.config = config\n", signature: str = "config") -> str:
    """A method reading ``self.config.drag`` in a loop, the record ``Config`` and, after them, ``tail``."""
    return ("import collections\nimport math\n"
            "\nConfig = collections.namedtuple(\"Config\", \"drag dt\")\n\n\n"
            "class Sim:\n    def __init__(self, " + signature + "):\n" + init + "\n"
            "    def step(self, items):\n        out = []\n        for p in items:\n"
            "            out.append(self.config.drag * p)\n        return out\n\n\n" + tail)


def test_a_field_of_a_record_every_construction_passes_is_read_once() -> None:
    built = "def run(items):\n    return Sim(Config(0.1, 0.5)).step(items)\n"
    assert _aliasable(_record(built)) == ["self.config.drag"]  # not self.config too: nothing else reads it
    assert _aliasable(_record("def run(items):\n    return Sim(config=Config(dt=1, drag=2)).step(items)\n")) == \
        ["self.config.drag"]
    assert _aliasable(_record("def run(items):\n    return Sim().step(items)\n",
                              signature="config=Config(0.1, 0.5)")) == ["self.config.drag"]  # the default
    typed = _record(built).replace("Config = collections.namedtuple(\"Config\", \"drag dt\")\n",
                                   "class Config(typing.NamedTuple):\n    drag: float\n    dt: float = 0.0\n")
    assert _aliasable(typed.replace("import math\n", "import math\nimport typing\n")) == ["self.config.drag"]


def test_a_field_is_not_read_early_unless_every_construction_is_known() -> None:
    unproven = ["self.config"]  # the safe alias stays; its field is read in the loop as before
    built = "def run(items):\n    return Sim(Config(0.1, 0.5)).step(items)\n"
    assert _aliasable(_record("def run(items, config):\n    return Sim(config).step(items)\n")) == unproven
    assert _aliasable(_record(built + "\n\ndef other(items):\n    return Sim(dict(drag=1)).step(items)\n")) == \
        unproven  # one construction passes something else
    assert _aliasable(_record(built + "\n\nfactory = Sim\n")) == unproven  # built elsewhere, unseen
    assert _aliasable(_record(built + "\n\nclass Fast(Sim):\n    pass\n")) == unproven  # a subclass
    for header in ("@functools.total_ordering\nclass Sim:", "class Sim(Base):", "class Sim(metaclass=Meta):"):
        assert _aliasable(_record(built).replace("class Sim:", header)) == unproven  # may be built otherwise
    new = "        self.config = config\n\n    def __new__(cls, config):\n        return super().__new__(cls)\n"
    assert _aliasable(_record(built, init=new)) == unproven
    assert _aliasable(_record("def run(items, kw):\n    return Sim(**kw).step(items)\n")) == unproven
    assert _aliasable(_record("def run(items, names):\n    return Sim(*names, Config(0.1, 0.5)).step(items)\n",
                              signature="name, config")) == unproven  # the record may land in ``name``
    assert _aliasable(_record(built + "\n\nConfig.drag = property(lambda self: 0)\n")) == unproven
    assert _aliasable(_record(built + "\n\ndef reset(sim):\n    sim.config = None\n")) == unproven
    assert _aliasable(_record(built + "\n\ndef reset(sim):\n    sim.config, n = None, 0\n")) == unproven
    assert _aliasable(_record(built + "\n\nfor Config.drag in [1]:\n    pass\n")) == unproven
    assert _aliasable(_record(built, init="        config = config or {}\n        self.config = config\n")) \
        == unproven  # __init__ rebinds the parameter
    assert _aliasable(_record("def run(items):\n    Config = dict\n    return Sim(Config(drag=1)).step(items)\n")) \
        == unproven  # a local shadows the record
    assert _aliasable(_record(built.replace("Config(0.1, 0.5)", "Config(0.1, 0.5)._replace(drag=2)"))) == unproven
    renamed = _record(built).replace("\"drag dt\")", "\"drag dt\", rename=True)")
    assert _aliasable(renamed) == unproven  # rename may change the field names
    assert _aliasable(_record(built).replace("\"drag dt\"", "\"dt\"")) == unproven  # no such field
    assert _aliasable(_record("")) == unproven  # never built in the module: nothing is known


def test_a_project_module_shadowing_a_trusted_one_never_runs_in_the_engine(tmp_path) -> None:
    """The engine checks ``statistics.mean`` exists by importing ``statistics``: never the project's own file."""
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "statistics.py").write_text("import sys\nsys.exit(3)  # the project's module ran\n")
    root = Path(__file__).resolve().parents[2]
    check = ("import sys\nsys.path.insert(1, sys.argv[1])\nfrom mutations.speedups_alias import _module_has\n"
             "print(_module_has('statistics', 'mean'), _module_has('math', 'sqrt'))\n")
    done = subprocess.run([sys.executable, "-c", check, str(root)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]
