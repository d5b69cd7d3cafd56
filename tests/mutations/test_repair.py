"""What the repair operators offer: names in scope and of the right kind, ingredients from the program."""

from __future__ import annotations

from mutations import ModuleIndex, get_operator
from mutations._index import HUNG


def _index(source: str) -> ModuleIndex:
    return ModuleIndex.build("m.py", source)


def _offers(name: str, source: str, code: str, key: str) -> list[object]:
    """The ``key`` parameter of every option ``name`` offers at the first site whose code is ``code``."""
    index = _index(source)
    op = get_operator(name)
    site = next(s for s in op.sites(index)
                if index.module.code_for_node(index.nodes[s]).strip().split("\n")[0] == code.split("\n")[0])
    return [o[key] for o in op.options(site, index)]  # type: ignore[attr-defined]


def test_a_name_becomes_a_visible_variable_of_the_same_kind() -> None:
    source = (
        "LIMIT = 3\n\n\ndef helper(v):\n    return v\n\n\nclass K:\n    SIZE = 2\n\n"
        "    def m(self, a):\n        b = a\n        return z(a)\n\n\n"
        "def f(x, y):\n    total = x\n    use(y)\n    later = 1\n    return later\n\n\n"
        "def g():\n    return helper(1)\n"
    )
    assert _offers("replace_name", source, "y", "name") == ["LIMIT", "total", "x"]  # not `later`, not `helper`
    assert "SIZE" not in _offers("replace_name", source, "a", "name")  # a class body is not visible in methods
    assert _offers("replace_name", source, "helper", "name") == ["f", "g"]  # functions for a function


def test_a_builtin_becomes_its_likely_twin() -> None:
    assert _offers("replace_name", "def f(xs):\n    return min(xs)\n", "min", "name") == ["max"]


def test_a_constant_becomes_a_variable_that_may_hold_its_kind() -> None:
    source = "def wrap(text, width=80, seps=None):\n    words = text.split()\n    return len(words) <= 80\n"
    assert _offers("constant_to_name", source, "80", "name") == ["seps", "text", "width"]  # not the list `words`


def test_a_clause_comes_from_the_program_or_the_names_the_test_reads() -> None:
    dates = (
        "def check(year, month, day):\n    if year < 1 or month > 12:\n        raise ValueError(year)\n"
        "    if day > last(year, month):\n        raise ValueError(day)\n"
    )
    clauses = _offers("add_condition_clause", dates, "if day > last(year, month):", "clause")
    assert {"day < 1", "year < 1", "day is None", "not day"} <= set(clauses)
    bounds = "def bin_of(value, lo, hi, items, i):\n    if value > hi:\n        return items[i]\n" \
             "    if items[i] == value:\n        return i\n"
    assert "i < len(items)" in _offers("add_condition_clause", bounds, "if items[i] == value:", "clause")
    assert "value < lo" in _offers("add_condition_clause", bounds, "if value > hi:", "clause")


def test_a_guard_returns_what_the_function_and_its_callers_know() -> None:
    source = (
        "def steps(jumps, i):\n    seen = set()\n    n = 0\n    while i < len(jumps):\n        seen.add(i)\n"
        "        i += jumps[i]\n        n += 1\n    return n\n\n\n"
        "def exits(jumps):\n    return [s for s in range(len(jumps)) if steps(jumps, s) != -1]\n"
    )
    thens = set(_offers("insert_guard", source, "seen.add(i)", "then"))
    assert {"return -1", "return 0", "return n", "continue", "break"} <= thens
    assert 'return ""' not in thens  # steps returns numbers
    outside = set(_offers("insert_guard", source, "n = 0", "then"))
    assert "continue" not in outside and "break" not in outside


def test_off_by_one_on_integer_places_never_on_literals_or_strings() -> None:
    source = (
        "def f(xs, lo, hi):\n    mid = (lo + hi) // 2\n    name = 'a' + str(mid)\n    first = xs[mid]\n"
        "    return xs[1], list(range(2, hi)), name, first\n"
    )
    index = _index(source)
    sites = [index.module.code_for_node(index.nodes[s]) for s in get_operator("off_by_one").sites(index)]
    assert sites == ["(lo + hi) // 2", "mid", "hi"]


def test_a_copied_statement_is_renamed_to_a_name_its_new_block_uses() -> None:
    source = (
        "def a(items):\n    seen = set()\n    for item in items:\n        seen.add(item)\n\n\n"
        "def b(items, other):\n    visited = set()\n    for item in items:\n        if item in visited:\n"
        "            return item\n    return other\n"
    )
    renames = _offers("insert_renamed_statement", source, "if item in visited:", "rename")
    assert "seen:visited" in renames and "seen:other" not in renames  # `other` is not used in that block


def test_an_unwrapped_generator_gets_parentheses_of_its_own() -> None:
    """``next(x for x in xs)`` lends its parentheses to the generator: unwrapped, it needs its own."""
    from populations.patch import Edit, Patch, apply_patch

    index = _index("def first(xs):\n    return next(x for x in xs if x)\n")
    op = get_operator("unwrap_call")
    (site,) = op.sites(index)
    (option,) = op.options(site, index)  # type: ignore[attr-defined]
    result = apply_patch(Patch((Edit.make(op.name, "m.py", site, option),)), {"m.py": index})
    assert result.sources["m.py"] == "def first(xs):\n    return (x for x in xs if x)\n"
    compile(result.sources["m.py"], "m.py", "exec")


def _ranked(name: str, source: str, line: int, key: str | tuple[str, ...],
            crashes: dict[int, tuple[str, ...]] | None = None) -> list[object]:
    """The ``key`` parameter(s) of the options ``name`` offers at its site on ``line``, likeliest first,
    with the failing tests' ``crashes`` (line -> errors) known to the index."""
    index = _index(source)
    index.crashes = crashes or {}
    op = get_operator(name)
    site = next(s for s in op.sites(index) if index.line_of(s) == line)
    pairs = zip(op.options(site, index), op.option_weights(site, index))  # type: ignore[attr-defined]
    pick = (lambda o: o[key]) if isinstance(key, str) else (lambda o: tuple(o[k] for k in key))
    return [pick(o) for o, _ in sorted(pairs, key=lambda p: -p[1])]


def test_the_variable_bound_last_before_the_site_is_tried_first() -> None:
    source = (
        "PUNCTUATION = '.,'\n\n\ndef counts(text):\n    found = {}\n    for token in text.split():\n"
        "        word = token.strip(PUNCTUATION).lower()\n        found[word] = found.get(token, 0) + 1\n"
        "    return found\n"
    )
    ranked = _ranked("replace_name", source, 8, "name")
    assert ranked[0] == "word" and ranked[-1] == "PUNCTUATION"  # a global binds nothing in the function


def test_a_probe_guards_from_the_left() -> None:
    source = "def restock(stock, minimum):\n    return sorted(s for s, qty in stock.items() if qty < minimum)\n"
    index = _index(source)
    op = get_operator("add_condition_clause")
    (site,) = op.sites(index)
    options = op.options(site, index)  # type: ignore[attr-defined]
    weights = op.option_weights(site, index)  # type: ignore[attr-defined]
    probes = {p for name in ("qty", "minimum") for p in (name, f"not {name}", f"{name} is None", f"{name} is not None")}
    left = min(w for o, w in zip(options, weights) if o["clause"] in probes and o["side"] == "left")
    right = max(w for o, w in zip(options, weights) if o["clause"] in probes and o["side"] == "right")
    assert left > right  # `qty is None or qty < minimum` guards; `qty < minimum or qty is None` still fails


def test_a_copy_is_renamed_only_to_a_variable_of_its_kind() -> None:
    source = (
        "def a(items):\n    seen = set()\n    for item in items:\n        if item not in seen:\n"
        "            seen.add(item)\n    return seen\n\n\n"
        "def b(items):\n    visited = set()\n    out = []\n    for item in items:\n        if item in visited:\n"
        "            out.append(item)\n    return out\n"
    )
    renames = _ranked("insert_renamed_statement", source, 13, "rename")
    assert "seen:visited" in renames and "seen:out" not in renames  # a set is not renamed to a list
    assert renames[0] == "seen:visited"  # `seen.add(item)` under `if item not in seen:` suits `if item in visited:`


def test_a_copy_may_use_the_variable_of_the_loop_around_it() -> None:
    source = (
        "def tokens(text):\n    out = []\n    i = 0\n    while i < len(text):\n        if text[i] == ' ':\n"
        "            continue\n        j = i\n        while j < len(text) and text[j].isdigit():\n            j += 1\n"
        "        out.append(text[i:j])\n        i = j\n    return out\n"
    )
    index = _index(source)
    op = get_operator("insert_renamed_statement")
    site = next(s for s in op.sites(index) if index.line_of(s) == 6)
    texts = [index.module.code_for_node(index.nodes[o["donor"]]).strip() + " " + o["rename"]
             for o in op.options(site, index)]  # type: ignore[attr-defined]
    assert "j += 1 j:i" in texts  # the `i += 1` the `continue` skipped: `i` is read by the loop's header only


RESTOCK = (
    "def restock(stock, minimum):\n    return sorted(s for s, qty in stock.items() if qty < minimum)\n\n\n"
    "def total(stock):\n    return sum(qty for qty in stock.values() if qty > 0)\n"
)
CLAUSE = ("clause", "op", "side")


def test_a_crash_about_none_puts_the_null_check_first() -> None:
    """PAR's null-pointer checker, picked by the failing tests' ``TypeError`` on the test's line."""
    blind = _ranked("add_condition_clause", RESTOCK, 2, CLAUSE)
    crashed = _ranked("add_condition_clause", RESTOCK, 2, CLAUSE,
                      {2: ("TypeError: '<' not supported between instances of 'NoneType' and 'int'",)})
    checks = {("qty is None", "or", "left"), ("qty is not None", "and", "left"),
              ("minimum is None", "or", "left"), ("minimum is not None", "and", "left")}
    assert set(crashed[:4]) == checks
    assert not set(blind[:4]) >= checks  # without the crash the ranking differs
    other_line = _ranked("add_condition_clause", RESTOCK, 2, CLAUSE, {6: ("TypeError: 'NoneType' ...",)})
    assert other_line == blind  # a crash elsewhere says nothing about this test
    index = _index(RESTOCK)
    index.crashes = {2: ("TypeError: '<' not supported between instances of 'NoneType' and 'int'",)}
    index.nones = {2: frozenset({"qty", "s"})}  # the crashing frame saw `qty` (and `s`, unread here) hold None
    op = get_operator("add_condition_clause")
    site = next(s for s in op.sites(index) if index.line_of(s) == 2)
    weighed = sorted(zip(op.option_weights(site, index), op.options(site, index)),  # type: ignore[attr-defined]
                     key=lambda p: -p[0])
    assert {(o["clause"], o["op"], o["side"]) for _, o in weighed[:2]} == {
        ("qty is None", "or", "left"), ("qty is not None", "and", "left")}  # `minimum` held no None


def test_an_index_error_puts_the_bound_check_first() -> None:
    source = ("def index_of(items, target):\n    i = len(items) // 2\n    if items[i] == target:\n"
              "        return i\n    return -1\n")
    crashed = _ranked("add_condition_clause", source, 3, CLAUSE, {3: ("IndexError: list index out of range",)})
    assert crashed[0] == ("i < len(items)", "and", "left")
    assert _ranked("add_condition_clause", source, 3, CLAUSE)[0] != crashed[0]


def test_the_other_half_of_a_range_check_comes_first() -> None:
    source = (
        "def check_date(year, month, day):\n    if year < 1 or month < 1 or month > 12:\n        raise ValueError(month)\n"
        "    if day > 28 + month % 2:\n        raise ValueError(day)\n"
    )
    ranked = _ranked("add_condition_clause", source, 4, CLAUSE)
    assert ranked[0] == ("day < 1", "or", "left")  # `month < 1` renamed: the bound `day > ...` lacks below
    halves = [r for r in ranked if isinstance(r, tuple) and r[0].startswith("day <") and r[0].count(" ") == 2]
    written = [r for r in halves if r[1:] == ("or", "left")]  # the test rejects: `or`, the low end first
    assert len(written) >= 2 and halves[:len(written)] == written, halves


def test_an_accepting_test_is_completed_with_and_its_low_end_first() -> None:
    source = ("def count(values, lo, hi):\n    n = 0\n    for v in values:\n        if v <= hi:\n"
              "            n += 1\n    return n\n\n\ndef first_at_least(values, lo):\n"
              "    return next(v for v in values if v >= lo)\n")
    assert _ranked("add_condition_clause", source, 4, CLAUSE)[0] == ("v >= lo", "and", "left")


def test_an_index_read_past_the_end_is_answered_by_clamping_the_function_that_made_it() -> None:
    """The failing tests' ``IndexError`` at ``counts[i]``, ``i`` from ``slot(...)``: clamp what ``slot``
    returns to the last index, by the parameter that receives the list's length (``size`` is ``n`` there)."""
    source = ("def slot(x, width, n):\n    return int(x / width)\n\n\n"
              "def tally(xs, width, size):\n    counts = [0] * size\n    for x in xs:\n"
              "        i = slot(x, width, size)\n        counts[i] += 1\n    return counts\n")
    op = get_operator("wrap_call")
    for crashes in ({}, {9: ("IndexError: list index out of range",)}):
        index = _index(source)
        index.crashes = crashes
        site = next(s for s in op.sites(index) if index.module.code_for_node(index.nodes[s]) == "int(x / width)")
        weighed = sorted(zip(op.option_weights(site, index), op.options(site, index)),  # type: ignore[attr-defined]
                         key=lambda p: -p[0])
        first = weighed[0][1]
        if crashes:
            assert op.answers(site, index) and first == {"func": "min", "extra": "n - 1"}, weighed[:3]
        else:
            assert not op.answers(site, index) and first != {"func": "min", "extra": "n - 1"}


def test_a_comparison_slips_at_its_boundary_first() -> None:
    """PIT's conditionals-boundary mutation, as a repair: ``>`` first becomes ``>=``, ``<=`` becomes ``<``."""
    assert _ranked("replace_comparison_operator", "def f(n, v):\n    return n > v\n", 2, "op")[0] == \
        "GreaterThanEqual"
    assert _ranked("replace_comparison_operator", "def f(n, v):\n    return n <= v\n", 2, "op")[0] == "LessThan"
    index = _index("def f(n, v):\n    return n != v\n")
    op = get_operator("replace_comparison_operator")
    site = next(iter(op.sites(index)))
    assert len(set(op.option_weights(site, index))) == 1  # `!=` has no boundary: its options weigh alike


def test_a_copy_that_moves_a_hung_loop_on_comes_first() -> None:
    source = (
        "def tokens(text):\n    out = []\n    i = 0\n    while i < len(text):\n        if text[i] == ' ':\n"
        "            continue\n        j = i\n        while j < len(text) and text[j].isdigit():\n            j += 1\n"
        "        out.append(text[i:j])\n        i = j\n    return out\n"
    )
    hung = _ranked("insert_renamed_statement", source, 6, ("donor", "rename"),
                   {5: (f"{HUNG}: the test ran past 2 s",)})
    blind = _ranked("insert_renamed_statement", source, 6, ("donor", "rename"))
    index = _index(source)
    first = [index.module.code_for_node(index.nodes[d]).strip() + " " + r for d, r in (hung[0], blind[0])]
    assert first[0] == "j += 1 j:i"  # `i += 1` moves on the `i` the loop's test reads (`i = 0` starts over)
    assert first[1] != first[0]


LOWER_BOUND = (
    "def lower_bound(items, target):\n    lo, hi = 0, len(items)\n    while lo < hi:\n        mid = (lo + hi) // 2\n"
    "        if items[mid] < target:\n            lo = mid\n        else:\n            hi = mid\n    return lo\n"
)


def test_a_loop_that_hung_is_answered_by_its_test_and_the_update_of_what_it_reads() -> None:
    """Infinitel's evidence: a test hung in the loop, so its condition and the assignments to the names
    the condition reads are answered; other sites, and the same sites without the hang, are not."""
    index = _index(LOWER_BOUND)
    answered = {}
    for crashes in ({}, {6: (f"{HUNG}: the test ran past 1 s",)}):
        index.crashes = crashes
        answered[bool(crashes)] = {
            (name, index.module.code_for_node(index.nodes[site]).strip())
            for name in ("off_by_one", "replace_comparison_operator") for site in get_operator(name).sites(index)
            if get_operator(name).answers(site, index)}
    assert answered[False] == set()
    assert answered[True] == {("off_by_one", "mid"), ("replace_comparison_operator", "< hi")}


AVERAGE = ("def average(text):\n    found = text.split()\n    total = sum(len(w) for w in found)\n"
           "    return total / len(found)\n")


def test_a_division_by_zero_is_answered_by_a_guard_on_the_divisor() -> None:
    op = get_operator("insert_guard")
    blind = _index(AVERAGE)
    assert not any(op.answers(s, blind) for s in op.sites(blind))
    index = _index(AVERAGE)
    index.crashes = {4: ("ZeroDivisionError: division by zero",)}  # set before anything is drawn, as a run does
    site = next(s for s in op.sites(index) if index.line_of(s) == 4)
    assert op.answers(site, index)
    assert not any(op.answers(s, index) for s in op.sites(index) if s != site)  # only where it crashed
    ranked = _ranked("insert_guard", AVERAGE, 4, "test", index.crashes)
    answering = ranked.count("not found")
    assert answering > 1 and set(ranked[:answering]) == {"not found"}  # every `not found` guard before the rest


def test_an_unpacked_none_is_answered_by_a_null_check() -> None:
    source = ("def latest(lines, parse):\n    best = {}\n    for line in lines:\n        reading = parse(line)\n"
              "        stamp, value = reading\n        best[stamp] = value\n    return best\n")
    crash = {5: ("TypeError: cannot unpack non-iterable NoneType object",)}
    ranked = _ranked("insert_guard", source, 5, ("test", "then"), crash)
    assert ranked[0][0] == "reading is None" and ("reading is None", "continue") in ranked[:3]
    assert _ranked("insert_guard", source, 5, "test")[:len(ranked)] != [t for t, _ in ranked]
