from s14_pairs.pairs import complements, count_pairs_with_sum, has_pair_with_sum


def test_simple():
    assert count_pairs_with_sum([1, 2, 3, 4], 5) == 2


def test_empty_and_single():
    assert count_pairs_with_sum([], 0) == 0
    assert count_pairs_with_sum([5], 10) == 0


def test_duplicates_count_each_index_pair():
    assert count_pairs_with_sum([2, 2, 2], 4) == 3
    assert count_pairs_with_sum([1, 1, 4, 4], 5) == 4


def test_an_element_does_not_pair_with_itself():
    assert count_pairs_with_sum([3], 6) == 0
    assert count_pairs_with_sum([3, 1], 6) == 0


def test_negatives_and_zero():
    assert count_pairs_with_sum([-2, 2, 0, 0, 5], 0) == 2


def test_has_pair():
    assert has_pair_with_sum([1, 9], 10)
    assert not has_pair_with_sum([1, 8], 10)


def test_complements():
    assert complements([1, 4, 1], 5) == {1: 4, 4: 1}
