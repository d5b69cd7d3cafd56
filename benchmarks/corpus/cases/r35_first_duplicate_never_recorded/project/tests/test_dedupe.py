from r35_dedupe.dedupe import duplicates, first_duplicate, has_repeats, unique_in_order


def test_unique_in_order():
    assert unique_in_order([3, 1, 3, 2, 1]) == [3, 1, 2]


def test_unique_in_order_strings():
    assert unique_in_order("banana") == ["b", "a", "n"]


def test_first_duplicate():
    assert first_duplicate([5, 2, 7, 2, 5]) == 2


def test_first_duplicate_adjacent():
    assert first_duplicate(["x", "x"]) == "x"


def test_first_duplicate_none():
    assert first_duplicate([1, 2, 3]) is None


def test_duplicates_in_order_of_second_occurrence():
    assert duplicates([4, 1, 1, 4, 4, 9]) == [1, 4]


def test_has_repeats():
    assert has_repeats([1, 2, 1])
    assert not has_repeats([])
