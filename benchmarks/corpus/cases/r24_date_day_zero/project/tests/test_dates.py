import pytest

from r24_calendar.dates import day_of_year, days_in_month, is_leap, is_valid


def test_leap_years():
    assert [is_leap(y) for y in (1900, 2000, 2023, 2024)] == [False, True, False, True]


def test_days_in_february():
    assert days_in_month(2024, 2) == 29
    assert days_in_month(2023, 2) == 28


def test_valid_ordinary_date():
    assert is_valid(2023, 7, 31)


def test_invalid_month():
    assert not is_valid(2023, 13, 1)
    assert not is_valid(2023, 0, 1)


def test_invalid_day_past_month_end():
    assert not is_valid(2023, 2, 29)


def test_day_zero_is_invalid():
    assert not is_valid(2023, 5, 0)


def test_negative_day_is_invalid():
    assert not is_valid(2023, 5, -3)


def test_day_of_year():
    assert day_of_year(2024, 3, 1) == 61
    assert day_of_year(2023, 12, 31) == 365


def test_day_of_year_rejects_day_zero():
    with pytest.raises(ValueError):
        day_of_year(2023, 3, 0)


def test_day_of_year_rejects_year_zero():
    with pytest.raises(ValueError):
        day_of_year(0, 1, 1)
