import pytest

from r04_calendar.dates import day_of_year, days_in_month, from_day_of_year, is_leap


def test_is_leap():
    assert [y for y in (1900, 1996, 2000, 2023, 2024, 2100) if is_leap(y)] == [1996, 2000, 2024]


def test_days_in_month():
    assert days_in_month(2024, 2) == 29
    assert days_in_month(2023, 2) == 28
    assert days_in_month(2023, 4) == 30


def test_day_of_year_january():
    assert day_of_year(2024, 1, 31) == 31


def test_day_of_year_common_year():
    assert day_of_year(2023, 3, 1) == 60
    assert day_of_year(2023, 12, 31) == 365


def test_day_of_year_leap_year_after_february():
    assert day_of_year(2024, 3, 1) == 61
    assert day_of_year(2024, 12, 31) == 366


def test_day_of_year_leap_february():
    assert day_of_year(2024, 2, 1) == 32
    assert day_of_year(2024, 2, 29) == 60


def test_day_of_year_invalid():
    with pytest.raises(ValueError):
        day_of_year(2023, 2, 29)
    with pytest.raises(ValueError):
        day_of_year(2023, 13, 1)


def test_from_day_of_year():
    assert from_day_of_year(2024, 60) == (2, 29)
    assert from_day_of_year(2023, 60) == (3, 1)


def test_roundtrip_every_day_of_a_leap_year():
    for ordinal in range(1, 367):
        assert day_of_year(2000, *from_day_of_year(2000, ordinal)) == ordinal
