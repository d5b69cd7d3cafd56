from r12_search.bounds import contains, count_between, lower_bound, upper_bound


def test_upper_bound():
    assert upper_bound([1, 2, 2, 2, 5], 2) == 4
    assert upper_bound([1, 2, 5], 9) == 3
    assert upper_bound([], 3) == 0


def test_lower_bound_empty():
    assert lower_bound([], 4) == 0


def test_lower_bound_before_everything():
    assert lower_bound([3, 4, 8], 1) == 0


def test_lower_bound_duplicates():
    assert lower_bound([1, 2, 2, 2, 5], 2) == 1


def test_lower_bound_after_everything():
    assert lower_bound([1, 2, 5], 9) == 3


def test_contains():
    values = [2, 3, 5, 7, 11, 13]
    assert [x for x in range(15) if contains(values, x)] == values


def test_count_between():
    assert count_between([1, 3, 3, 4, 8, 9], 3, 8) == 4
    assert count_between([1, 3, 3, 4, 8, 9], 5, 7) == 0
    assert count_between([1, 2], 5, 1) == 0
