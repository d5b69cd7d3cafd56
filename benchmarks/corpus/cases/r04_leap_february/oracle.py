"""Valid dates, biased towards leap years and February."""

_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def inputs(rng, n):
    calls = []
    for _ in range(n):
        year = rng.randint(1800, 2200)
        if rng.random() < 0.5:
            year -= year % 4
        month = 2 if rng.random() < 0.3 else rng.randint(1, 12)
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        last = 29 if month == 2 and leap else _DAYS[month - 1]
        calls.append(("r04_calendar.dates:day_of_year", (year, month, rng.randint(1, last)), {}))
    return calls
