"""Times of day written "HH:MM" on a 24-hour clock, as minutes after midnight."""

MINUTES_PER_DAY = 24 * 60


def parse_hhmm(text):
    """Minutes after midnight of a time written "HH:MM"."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"not a time: {text!r}")
    h, m = int(hours), int(minutes)
    if h > 23 or m > 59:
        raise ValueError(f"not a time: {text!r}")
    return h * 60 + m


def format_hhmm(minutes):
    """The text "HH:MM" of a number of minutes after midnight (taken modulo one day)."""
    h, m = divmod(minutes % MINUTES_PER_DAY, 60)
    return f"{h:02d}:{m:02d}"


def minutes_between(start, end):
    """Minutes from ``start`` forward to ``end``, past midnight if need be."""
    return (parse_hhmm(start) - parse_hhmm(end)) % MINUTES_PER_DAY


def add_minutes(time, minutes):
    """The time ``minutes`` after ``time`` (negative goes back)."""
    return format_hhmm(parse_hhmm(time) + minutes)
