"""Adaptive pursuit: the operator whose offspring improve gets drawn more; none starves."""

import pytest

from evolve.search.credit import AdaptivePursuit


def test_pursuit_moves_towards_the_operator_that_earns_and_keeps_a_floor() -> None:
    pursuit = AdaptivePursuit(("a", "b", "c", "d"))
    assert pursuit.probabilities == pytest.approx({op: 0.25 for op in "abcd"})
    for _ in range(30):
        pursuit.reward("b", 0.2)
        pursuit.reward("a", 0.0)
        pursuit.reward("c", -0.5)  # a loss counts as no gain, never as a negative credit
        pursuit.adapt()
    p = pursuit.probabilities
    assert p["b"] > 0.7 and sum(p.values()) == pytest.approx(1.0)
    assert min(p.values()) >= pursuit.p_min * 0.999 and pursuit.p_min == pytest.approx(0.25 / 4)


def test_no_reward_yet_changes_nothing() -> None:
    pursuit = AdaptivePursuit(("a", "b"))
    pursuit.reward("a", 0.0)
    pursuit.adapt()
    assert pursuit.probabilities == pytest.approx({"a": 0.5, "b": 0.5})


def test_seeded_from_memory_keeps_the_floor_and_knows_new_operators() -> None:
    pursuit = AdaptivePursuit.seeded(("a", "b", "new"), {"a": 0.98, "b": 0.02, "gone": 0.5})
    p = pursuit.probabilities
    assert p["a"] > p["new"] > 0 and p["b"] >= pursuit.p_min * 0.999
    assert sum(p.values()) == pytest.approx(1.0)


def test_bad_settings_raise() -> None:
    with pytest.raises(ValueError, match="at least one operator"):
        AdaptivePursuit(())
    with pytest.raises(ValueError, match="alpha"):
        AdaptivePursuit(("a",), alpha=0.0)


def test_the_prior_favours_speedups_when_improving_and_fix_patterns_when_repairing() -> None:
    from evolve.search.credit import family_prior
    from mutations import OPERATORS

    ops = [OPERATORS[n] for n in ("pop0_to_deque", "delete_statement", "replace_name")]
    improve = AdaptivePursuit.seeded([op.name for op in ops], family_prior(ops, "improve")).probabilities
    repair = AdaptivePursuit.seeded([op.name for op in ops], family_prior(ops, "repair")).probabilities
    assert improve["pop0_to_deque"] > improve["delete_statement"] > improve["replace_name"]
    assert repair["pop0_to_deque"] < repair["delete_statement"] == pytest.approx(repair["replace_name"])
    assert min(repair.values()) >= AdaptivePursuit(tuple(repair)).p_min * 0.999
    assert family_prior(ops, "unknown mode") == {op.name: 1.0 for op in ops}


def test_improve_mode_leaves_the_fix_patterns_out_unless_named() -> None:
    from evolve.search.credit import default_operators
    from mutations import OPERATORS

    improving = set(default_operators(OPERATORS.values(), "improve"))
    assert "replace_name" not in improving and {"pop0_to_deque", "delete_statement"} <= improving
    assert set(default_operators(OPERATORS.values(), "repair")) == set(OPERATORS)
