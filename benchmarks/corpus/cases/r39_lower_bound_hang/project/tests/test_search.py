from r39_search.search import count, index_of, lower_bound, upper_bound

ITEMS = [1, 3, 3, 3, 7, 9]


def test_lower_bound_first_item():
    assert lower_bound(ITEMS, 1) == 0


def test_lower_bound_of_repeated_item():
    assert lower_bound(ITEMS, 3) == 1


def test_lower_bound_past_the_end():
    assert lower_bound(ITEMS, 10) == 6


def test_upper_bound():
    assert upper_bound(ITEMS, 3) == 4
    assert upper_bound(ITEMS, 0) == 0


def test_index_of_present():
    assert index_of(ITEMS, 7) == 4


def test_index_of_absent_inside():
    assert index_of(ITEMS, 5) == -1


def test_index_of_absent_beyond_the_end():
    assert index_of(ITEMS, 12) == -1


def test_index_of_in_empty_list():
    assert index_of([], 3) == -1


def test_count():
    assert count(ITEMS, 3) == 3
    assert count(ITEMS, 4) == 0
