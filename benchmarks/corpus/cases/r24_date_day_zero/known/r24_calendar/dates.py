"""Gregorian calendar arithmetic on (year, month, day) triples."""

MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def is_leap(year):
    """True for Gregorian leap years."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year, month):
    """Number of days in month (1-12) of year."""
    if month == 2 and is_leap(year):
        return 29
    return MONTH_DAYS[month - 1]


def check_date(year, month, day):
    """Raise ValueError unless year-month-day is a real date with year >= 1."""
    if year < 1 or month < 1 or month > 12:
        raise ValueError(f"no such month: {year}-{month}")
    if day < 1 or day > days_in_month(year, month):
        raise ValueError(f"no such day: {year}-{month}-{day}")


def is_valid(year, month, day):
    """True when year-month-day is a real date."""
    try:
        check_date(year, month, day)
    except ValueError:
        return False
    return True


def day_of_year(year, month, day):
    """1-based position of the date within its year; ValueError for impossible dates."""
    check_date(year, month, day)
    return sum(days_in_month(year, m) for m in range(1, month)) + day
