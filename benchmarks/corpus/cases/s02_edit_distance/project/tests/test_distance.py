import pytest

from s02_edits.distance import closest, edit_distance, similarity


def test_equal_strings():
    assert edit_distance("kayak", "kayak") == 0


def test_empty_strings():
    assert edit_distance("", "") == 0
    assert edit_distance("abc", "") == 3
    assert edit_distance("", "ab") == 2


def test_classic_example():
    assert edit_distance("kitten", "sitting") == 3


def test_symmetric():
    assert edit_distance("flaw", "lawn") == edit_distance("lawn", "flaw") == 2


def test_single_operations():
    assert edit_distance("cat", "cut") == 1
    assert edit_distance("cat", "cats") == 1
    assert edit_distance("cat", "at") == 1


def test_closest_picks_nearest():
    assert closest("helo", ["world", "hello", "help"]) == "hello"


def test_closest_first_on_ties_and_empty():
    assert closest("ab", ["ax", "ay"]) == "ax"
    assert closest("ab", []) is None


def test_similarity():
    assert similarity("", "") == 1.0
    assert similarity("abcd", "abcd") == 1.0
    assert similarity("ab", "xy") == 0.0
    assert similarity("abcd", "abce") == pytest.approx(0.75)
