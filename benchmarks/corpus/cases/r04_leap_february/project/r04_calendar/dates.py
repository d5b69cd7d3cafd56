"""Gregorian dates as (year, month, day) and their ordinal day within the year."""

DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def is_leap(year):
    """Gregorian leap year: divisible by 4, except centuries not divisible by 400."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year, month):
    """Number of days of ``month`` (1-12) in ``year``."""
    if month == 2 and is_leap(year):
        return 29
    return DAYS_IN_MONTH[month - 1]


def day_of_year(year, month, day):
    """1 for January 1st up to 365 (366 in leap years) for December 31st."""
    if not 1 <= month <= 12 or not 1 <= day <= days_in_month(year, month):
        raise ValueError(f"no such date: {year}-{month}-{day}")
    total = sum(DAYS_IN_MONTH[:month - 1]) + day
    if month >= 2 and is_leap(year):
        total += 1
    return total


def from_day_of_year(year, ordinal):
    """The ``(month, day)`` of the ``ordinal``-th day of ``year``."""
    length = 366 if is_leap(year) else 365
    if not 1 <= ordinal <= length:
        raise ValueError(f"{year} has no day {ordinal}")
    month = 1
    while ordinal > days_in_month(year, month):
        ordinal -= days_in_month(year, month)
        month += 1
    return month, ordinal
