import pytest

from r11_modular.modular import binomial, divide, inverse, is_prime


def test_is_prime():
    assert [n for n in range(20) if is_prime(n)] == [2, 3, 5, 7, 11, 13, 17, 19]


def test_inverse_of_one():
    assert inverse(1, 13) == 1


def test_inverse_small():
    assert inverse(3, 7) == 5
    assert inverse(2, 11) == 6


def test_inverse_property():
    p = 101
    for a in range(1, p):
        assert a * inverse(a, p) % p == 1


def test_inverse_of_zero():
    with pytest.raises(ZeroDivisionError):
        inverse(26, 13)


def test_divide():
    assert divide(6, 3, 7) == 2
    assert divide(1, 2, 7) == 4


def test_binomial():
    assert binomial(10, 3, 1009) == 120
    assert binomial(5, 0, 7) == 1
    assert binomial(4, 6, 7) == 0


def test_binomial_symmetry():
    assert all(binomial(20, k, 97) == binomial(20, 20 - k, 97) for k in range(21))
