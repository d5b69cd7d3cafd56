import pytest

from s04_filter.words import banned_ratio, remove_banned, tokenize


def test_tokenize():
    assert tokenize("Don't PANIC, it's 42!") == ["don't", "panic", "it's", "42"]


def test_tokenize_empty_and_punctuation():
    assert tokenize("") == []
    assert tokenize("... !!") == []


def test_remove_banned_keeps_order():
    assert remove_banned(["a", "b", "c", "b"], ["b"]) == ["a", "c"]


def test_remove_banned_case_insensitive_both_ways():
    assert remove_banned(["Foo", "bar", "BAZ"], ["FOO", "baz"]) == ["bar"]


def test_remove_banned_keeps_original_case():
    assert remove_banned(["Hello", "World"], ["x"]) == ["Hello", "World"]


def test_nothing_banned():
    assert remove_banned(["a", "a"], []) == ["a", "a"]
    assert remove_banned([], ["a"]) == []


def test_banned_ratio():
    assert banned_ratio(["a", "b", "c", "d"], ["a", "B"]) == pytest.approx(0.5)
    assert banned_ratio([], ["a"]) == 0.0
