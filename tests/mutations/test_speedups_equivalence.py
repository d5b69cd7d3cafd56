"""Every speed-up operator's before/after examples compute the same results on random inputs.

The examples are compiled as they are written (the example test checks that the
operator really turns ``before`` into ``after``); Hypothesis draws inputs for the
example's entry function and both versions must agree: equal values of the same
type, or the same exception type.
"""

from __future__ import annotations

import bisect
import copy
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutations import OPERATORS, SPEEDUP

SPEEDUPS = tuple(sorted(name for name, op in OPERATORS.items() if op.family == SPEEDUP))

ints = st.integers(-50, 50)
words = st.text(alphabet="abcAB _-", max_size=6)
scalars = st.one_of(ints, words, st.none(), st.floats(allow_nan=True), st.booleans())
numbers = st.one_of(ints, st.floats(-1e6, 1e6, allow_nan=False))

ENTRIES: dict[tuple[str, int], tuple[str, st.SearchStrategy[tuple[Any, ...]]]] = {
    ("alias_attribute", 0): ("norms", st.tuples(st.lists(st.tuples(numbers, numbers), max_size=6))),
    ("alias_attribute", 2): ("scale", st.tuples(st.lists(numbers, max_size=6), numbers, numbers)),
    ("add_cache", 0): ("fib", st.tuples(st.integers(0, 18))),
    ("add_cache", 1): ("ways", st.tuples(st.integers(-3, 14), st.integers(-2, 8))),
    ("add_cache", 2): ("distance", st.tuples(words, words)),
    ("membership_to_set", 0): ("f", st.tuples(scalars)),
    ("membership_to_set", 2): ("keep", st.tuples(words)),
    ("hoist_invariant_call", 0): ("f", st.tuples(st.lists(numbers, max_size=8))),
    ("hoist_invariant_call", 1): ("matching", st.tuples(st.lists(words, max_size=6), words)),
    ("hoist_invariant_call", 2): ("scale", st.tuples(st.lists(numbers, max_size=8))),
    ("hoist_invariant_call", 3): ("scale", st.tuples(st.lists(numbers, max_size=8))),
    ("loop_to_builtin", 0): ("f", st.tuples(st.lists(numbers, max_size=8))),
    ("loop_to_builtin", 1): ("has_neg", st.tuples(st.lists(numbers, max_size=8))),
    ("loop_to_builtin", 2): ("ok", st.tuples(st.lists(st.tuples(ints, ints), max_size=6))),
    ("local_list_to_set", 0): ("unique", st.tuples(st.lists(st.one_of(ints, words, st.booleans()), max_size=10))),
    ("local_list_to_set", 1): ("keep", st.tuples(st.lists(words, max_size=6), st.lists(words, max_size=4))),
    ("pop0_to_deque", 0): ("serve", st.tuples(st.lists(st.one_of(ints, words), max_size=10))),
    ("concat_to_join", 0): ("render", st.tuples(st.lists(st.tuples(words, scalars), max_size=5))),
    ("append_to_comprehension", 0): ("evens", st.tuples(st.lists(ints, max_size=10))),
    ("loop_to_counter", 0): ("char_counts", st.tuples(st.one_of(words, st.lists(st.one_of(ints, words))))),
    ("sort_once", 0): ("ranks", st.tuples(st.lists(numbers, max_size=8), st.lists(numbers, max_size=5))),
    ("delegate_to_twin", 0): ("is_prime", st.tuples(st.integers(-5, 400))),
    ("early_break", 0): ("first_above", st.tuples(st.lists(numbers, max_size=8), numbers)),
    ("early_break", 1): ("is_sorted", st.tuples(st.lists(ints, max_size=8))),
    ("remove_dead_store", 0): ("moving_average", st.tuples(st.lists(numbers, max_size=10), st.integers(-1, 6))),
    ("remove_dead_store", 1): ("label", st.tuples(st.lists(words, max_size=6))),
}
"""(operator, example index) -> (entry function, strategy for its arguments)."""


def _namespace(source: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"bisect": bisect}
    exec(compile(source, "<example>", "exec"), namespace)  # noqa: S102 - the operator's own example
    return namespace


def _outcome(function: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, Any]:
    try:
        return "value", function(*copy.deepcopy(args))
    except Exception as exc:  # the type of a failure must match too
        return "raised", type(exc)


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same type, element by element; NaN equals NaN; dict order counts."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return bool(a == b)


def test_every_speedup_operator_has_a_property_test() -> None:
    covered = {name for name, _ in ENTRIES}
    assert covered == set(SPEEDUPS)
    assert set(SPEEDUPS) <= set(OPERATORS)


@pytest.mark.parametrize(("operator", "example"), sorted(ENTRIES), ids=lambda v: str(v))
def test_before_and_after_agree_on_random_inputs(operator: str, example: int) -> None:
    entry, arguments = ENTRIES[(operator, example)]
    case = OPERATORS[operator].examples[example]
    before, after = _namespace(case.before)[entry], _namespace(case.after)[entry]

    @settings(max_examples=60, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(arguments)
    def agree(args: tuple[Any, ...]) -> None:
        old, new = _outcome(before, args), _outcome(after, args)
        assert old[0] == new[0] and _same(old[1], new[1]), (args, old, new)

    agree()
