import pytest

from r02_roots.roots import iroot, is_square, isqrt


def test_isqrt_small():
    assert [isqrt(n) for n in range(10)] == [0, 1, 1, 1, 2, 2, 2, 2, 2, 3]


def test_isqrt_perfect_squares():
    for r in range(2, 60):
        assert isqrt(r * r) == r
        assert isqrt(r * r - 1) == r - 1


def test_isqrt_large():
    assert isqrt(10 ** 30) == 10 ** 15


def test_isqrt_negative():
    with pytest.raises(ValueError):
        isqrt(-4)


def test_is_square():
    assert [n for n in range(30) if is_square(n)] == [0, 1, 4, 9, 16, 25]
    assert not is_square(-9)


def test_iroot_cubes():
    assert iroot(26, 3) == 2
    assert iroot(27, 3) == 3
    assert iroot(0, 3) == 0


def test_iroot_first_power():
    assert iroot(17, 1) == 17


def test_iroot_bad_arguments():
    with pytest.raises(ValueError):
        iroot(8, 0)
