import pytest

from ledger.core import median, moving_average, normalize, top_words, word_counts


def test_normalize_lowercases():
    assert normalize(["Hello", "WORLD"]) == ["hello", "world"]


def test_normalize_strips_punctuation():
    assert normalize(["end.", "(aside)", "'quoted'"]) == ["end", "aside", "quoted"]


def test_normalize_drops_stopwords():
    assert normalize(["the", "cat", "and", "the", "hat"]) == ["cat", "hat"]


def test_normalize_drops_empty():
    assert normalize(["...", "", "!"]) == []


def test_normalize_keeps_order():
    assert normalize(["b", "a", "c"]) == ["b", "c"]


def test_word_counts_simple():
    assert word_counts(["x", "y", "x"]) == {"x": 2, "y": 1}


def test_word_counts_normalizes():
    assert word_counts(["Cat", "cat.", "CAT!"]) == {"cat": 3}


def test_word_counts_empty():
    assert word_counts([]) == {}


def test_word_counts_only_stopwords():
    assert word_counts(["the", "of", "a"]) == {}


@pytest.mark.parametrize("n, expected", [(1, ["b"]), (2, ["b", "a"]), (3, ["b", "a", "c"]), (5, ["b", "a", "c"])])
def test_top_words(n, expected):
    assert top_words({"a": 2, "b": 3, "c": 1}, n) == expected


def test_top_words_ties_alphabetical():
    assert top_words({"pear": 2, "apple": 2, "fig": 2}, 2) == ["apple", "fig"]


def test_top_words_zero():
    assert top_words({"a": 1}, 0) == []


def test_top_words_from_counts():
    assert top_words(word_counts("the cat saw the other cat".split()), 1) == ["cat"]


def test_moving_average_pairs():
    assert moving_average([1, 2, 3, 4], 2) == [1.5, 2.5, 3.5]


def test_moving_average_whole():
    assert moving_average([2, 4, 6], 3) == [4.0]


def test_moving_average_window_one():
    assert moving_average([5, 7], 1) == [5.0, 7.0]


def test_moving_average_too_short():
    assert moving_average([1, 2], 3) == []


def test_moving_average_rejects_zero_window():
    with pytest.raises(ValueError):
        moving_average([1, 2], 0)


def test_moving_average_negative_values():
    assert moving_average([-2, 2, -4], 2) == [0.0, -1.0]


@pytest.mark.parametrize("values, expected", [([3], 3), ([3, 1, 2], 2), ([4, 1, 3, 2], 2.5), ([7, 7], 7.0)])
def test_median(values, expected):
    assert median(values) == expected


def test_median_unsorted_negative():
    assert median([-5, 10, 0]) == 0


def test_median_rejects_empty():
    with pytest.raises(ValueError):
        median([])


def test_median_does_not_reorder_input():
    values = [3, 1, 2]
    median(values)
    assert values == [3, 1, 2]


def test_pipeline_median_of_counts():
    counts = word_counts("one two two three three three".split())
    assert median(list(counts.values())) == 2
