import pytest

from r31_matrix.matrix import gram, identity, multiply, power, transpose


def test_identity():
    assert identity(2) == [[1, 0], [0, 1]]


def test_transpose_rectangular():
    assert transpose([[1, 2, 3], [4, 5, 6]]) == [[1, 4], [2, 5], [3, 6]]


def test_multiply_square():
    assert multiply([[1, 2], [3, 4]], [[5, 6], [7, 8]]) == [[19, 22], [43, 50]]


def test_multiply_wide_by_tall():
    assert multiply([[1, 2, 3], [4, 5, 6]], [[1, 0], [0, 1], [1, 1]]) == [[4, 5], [10, 11]]


def test_multiply_tall_by_wide():
    assert multiply([[1], [2]], [[3, 4, 5]]) == [[3, 4, 5], [6, 8, 10]]


def test_multiply_row_by_column():
    assert multiply([[1, 2, 3]], [[4], [5], [6]]) == [[32]]


def test_multiply_mismatch_raises():
    with pytest.raises(ValueError):
        multiply([[1, 2]], [[1, 2]])


def test_gram():
    assert gram([[1, 2, 0]]) == [[5]]


def test_power():
    assert power([[1, 1], [1, 0]], 5) == [[8, 5], [5, 3]]
    assert power([[2, 0], [0, 3]], 0) == identity(2)
