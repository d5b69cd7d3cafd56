import pytest

from r30_bases.convert import convert, from_base, is_valid, to_base


def test_to_base_binary():
    assert to_base(10, 2) == "1010"


def test_to_base_hex_negative():
    assert to_base(-255, 16) == "-FF"


def test_to_base_zero():
    assert to_base(0, 7) == "0"


def test_to_base_rejects_bad_base():
    with pytest.raises(ValueError):
        to_base(5, 1)


def test_is_valid_accepts_lower_case():
    assert is_valid("ff", 16)
    assert not is_valid("fg", 16)


def test_from_base_upper_case():
    assert from_base("7B", 16) == 123


def test_from_base_lower_case():
    assert from_base("ff", 16) == 255


def test_from_base_mixed_case_negative():
    assert from_base("-zZ", 36) == -1295


def test_from_base_rejects_invalid():
    with pytest.raises(ValueError):
        from_base("129", 2)


def test_convert_round_trip():
    assert convert("deadbeef", 16, 10) == "3735928559"
    assert convert("3735928559", 10, 16) == "DEADBEEF"
