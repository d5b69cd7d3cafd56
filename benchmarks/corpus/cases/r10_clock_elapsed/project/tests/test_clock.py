import pytest

from r10_clock.clock import add_minutes, format_hhmm, minutes_between, parse_hhmm


def test_parse():
    assert parse_hhmm("09:30") == 570
    assert parse_hhmm("0:05") == 5


def test_parse_rejects():
    for text in ("24:00", "12:60", "1230", "ab:cd", "7:5"):
        with pytest.raises(ValueError):
            parse_hhmm(text)


def test_format():
    assert format_hhmm(570) == "09:30"
    assert format_hhmm(1440 + 61) == "01:01"


def test_minutes_between_same_day():
    assert minutes_between("09:30", "11:15") == 105


def test_minutes_between_past_midnight():
    assert minutes_between("23:50", "00:20") == 30


def test_minutes_between_same_time():
    assert minutes_between("08:00", "08:00") == 0


def test_add_minutes():
    assert add_minutes("22:45", 90) == "00:15"
    assert add_minutes("00:10", -20) == "23:50"


def test_add_then_measure():
    assert minutes_between("13:07", add_minutes("13:07", 500)) == 500
