import pytest

from r19_radix.radix import convert, from_base, to_base


def test_to_base():
    assert to_base(0, 2) == "0"
    assert to_base(10, 2) == "1010"
    assert to_base(255, 16) == "ff"
    assert to_base(35, 36) == "z"


def test_from_base_decimal():
    assert from_base("1234", 10) == 1234


def test_from_base_binary():
    assert from_base("1010", 2) == 10


def test_from_base_hex_any_case():
    assert from_base("fF", 16) == 255


def test_from_base_rejects_bad_digit():
    with pytest.raises(ValueError):
        from_base("12", 2)
    with pytest.raises(ValueError):
        from_base("", 10)


def test_bad_base():
    with pytest.raises(ValueError):
        to_base(5, 1)


def test_roundtrip():
    for base in (2, 3, 7, 10, 16, 36):
        for n in (0, 1, 9, 100, 12345):
            assert from_base(to_base(n, base), base) == n


def test_convert():
    assert convert("777", 8, 2) == "111111111"
