from r01_intervals.intervals import contains, covered_points, gaps, merge


def test_merge_empty():
    assert merge([]) == []


def test_merge_disjoint_sorted():
    assert merge([(5, 7), (1, 2)]) == [(1, 2), (5, 7)]


def test_merge_overlapping():
    assert merge([(1, 4), (2, 6), (8, 9)]) == [(1, 6), (8, 9)]


def test_merge_nested():
    assert merge([(1, 10), (3, 4)]) == [(1, 10)]


def test_merge_touching():
    assert merge([(3, 5), (1, 3)]) == [(1, 5)]


def test_merge_point_intervals():
    assert merge([(2, 2), (2, 2), (4, 4)]) == [(2, 2), (4, 4)]


def test_covered_points_counts_shared_end_once():
    assert covered_points([(1, 3), (3, 5)]) == 5


def test_covered_points_overlap():
    assert covered_points([(0, 4), (2, 3), (10, 10)]) == 6


def test_gaps():
    assert gaps([(1, 2), (6, 8), (4, 4)]) == [(2, 4), (4, 6)]


def test_gaps_none_between_touching():
    assert gaps([(1, 4), (4, 9)]) == []


def test_contains():
    assert contains([(1, 3), (7, 9)], 3)
    assert not contains([(1, 3), (7, 9)], 5)
