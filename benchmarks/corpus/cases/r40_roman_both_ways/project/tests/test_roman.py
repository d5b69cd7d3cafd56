import pytest

from r40_roman.roman import from_roman, is_standard, to_roman


def test_to_roman_small():
    assert [to_roman(n) for n in (1, 3, 4, 9, 14)] == ["I", "III", "IV", "IX", "XIV"]


def test_to_roman_large():
    assert to_roman(1994) == "MCMXCIV"
    assert to_roman(3999) == "MMMCMXCIX"


def test_to_roman_out_of_range():
    with pytest.raises(ValueError):
        to_roman(0)


def test_from_roman_subtractive():
    assert from_roman("MCMXCIV") == 1994


def test_from_roman_repeated_symbols():
    assert from_roman("XXIII") == 23
    assert from_roman("MMM") == 3000


def test_from_roman_unknown_symbol():
    with pytest.raises(KeyError):
        from_roman("XQ")


def test_round_trip():
    assert all(from_roman(to_roman(n)) == n for n in range(1, 400))


def test_is_standard():
    assert is_standard("XLII")
    assert not is_standard("IIII")
    assert not is_standard("ABC")
