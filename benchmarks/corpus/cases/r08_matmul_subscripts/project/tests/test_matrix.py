import pytest

from r08_matrix.matrix import identity, matmul, matpow, shape, transpose


def test_shape():
    assert shape([[1, 2, 3], [4, 5, 6]]) == (2, 3)
    assert shape([]) == (0, 0)


def test_transpose():
    assert transpose([[1, 2, 3], [4, 5, 6]]) == [[1, 4], [2, 5], [3, 6]]


def test_identity_is_neutral():
    m = [[2, 7], [1, 8]]
    assert matmul(identity(2), m) == m
    assert matmul(m, identity(2)) == m


def test_matmul_square():
    assert matmul([[1, 2], [3, 4]], [[5, 6], [7, 8]]) == [[19, 22], [43, 50]]


def test_matmul_rectangular():
    assert matmul([[1, 2, 3]], [[1], [0], [2]]) == [[7]]
    assert matmul([[1], [2]], [[3, 4]]) == [[3, 4], [6, 8]]


def test_matmul_shape_mismatch():
    with pytest.raises(ValueError):
        matmul([[1, 2]], [[1, 2]])


def test_matpow_fibonacci():
    assert matpow([[1, 1], [1, 0]], 10)[0][1] == 55


def test_matpow_zero():
    assert matpow([[3, 1], [4, 1]], 0) == [[1, 0], [0, 1]]


def test_transpose_of_product():
    a, b = [[1, 2], [0, 1], [3, 1]], [[2, 0, 1], [1, 1, 0]]
    assert transpose(matmul(a, b)) == matmul(transpose(b), transpose(a))
