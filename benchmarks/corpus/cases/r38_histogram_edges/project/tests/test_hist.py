from r38_histogram.hist import bin_edges, bin_index, fullest_bin, histogram


def test_bin_edges():
    assert bin_edges(0, 10, 4) == [0, 2.5, 5, 7.5, 10]


def test_bin_index_inside():
    assert bin_index(3, 0, 10, 5) == 1


def test_bin_index_top_edge_is_last_bin():
    assert bin_index(10, 0, 10, 5) == 4


def test_bin_index_below_range():
    assert bin_index(-1, 0, 10, 5) is None


def test_bin_index_above_range():
    assert bin_index(11, 0, 10, 5) is None


def test_histogram_interior_values():
    assert histogram([1, 2, 3, 6, 7], 0, 8, 4) == [1, 2, 0, 2]


def test_histogram_includes_both_ends():
    assert histogram([0, 8, 8], 0, 8, 2) == [1, 2]


def test_histogram_ignores_values_outside():
    assert histogram([-6, -1, 4, 9], 0, 8, 2) == [0, 1]


def test_fullest_bin():
    assert fullest_bin([1, 5, 5, 6], 0, 8, 4) == (4.0, 6.0)
