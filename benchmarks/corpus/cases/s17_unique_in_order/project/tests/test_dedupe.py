from s17_unique.dedupe import first_repeat, merge_unique, unique_in_order


def test_unique_in_order():
    assert unique_in_order([3, 1, 3, 2, 1]) == [3, 1, 2]


def test_unique_empty_and_all_same():
    assert unique_in_order([]) == []
    assert unique_in_order(["a", "a", "a"]) == ["a"]


def test_unique_strings_case_sensitive():
    assert unique_in_order(["a", "A", "a"]) == ["a", "A"]


def test_equal_numbers_are_repeats():
    assert unique_in_order([1, 1.0, True, 2]) == [1, 2]


def test_unique_accepts_any_iterable():
    assert unique_in_order(iter("banana")) == ["b", "a", "n"]
    assert unique_in_order((2, 2, 5)) == [2, 5]


def test_first_repeat():
    assert first_repeat([1, 2, 3, 2, 1]) == 2
    assert first_repeat([1, 2, 3]) is None
    assert first_repeat([]) is None


def test_merge_unique():
    assert merge_unique([1, 2], [2, 3], [3, 1, 4]) == [1, 2, 3, 4]
    assert merge_unique() == []
