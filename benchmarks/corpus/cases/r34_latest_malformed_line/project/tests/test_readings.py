from r34_readings.readings import latest, mean_by_sensor, parse, valid_readings

LINES = [
    "100, kitchen, 20.5",
    "105, hall, 18.0",
    "garbage",
    "110, kitchen, 21.5",
    "abc, hall, 19.0",
    "107, , 3.0",
    "103, hall, 17.0",
]


def test_parse_good_line():
    assert parse(" 7 ,attic, -2.5") == (7, "attic", -2.5)


def test_parse_bad_lines():
    assert parse("1,2") is None
    assert parse("x, attic, 2") is None
    assert parse("1, attic, warm") is None


def test_valid_readings_skip_malformed():
    assert [r[0] for r in valid_readings(LINES)] == [100, 105, 110, 103]


def test_latest_clean_input():
    assert latest(["1, a, 1.0", "3, a, 3.0", "2, a, 2.0"]) == {"a": 3.0}


def test_latest_tie_goes_to_later_line():
    assert latest(["5, a, 1.0", "5, a, 9.0"]) == {"a": 9.0}


def test_latest_skips_malformed_lines():
    assert latest(LINES) == {"kitchen": 21.5, "hall": 18.0}


def test_latest_no_lines():
    assert latest([]) == {}


def test_mean_by_sensor():
    assert mean_by_sensor(LINES) == {"kitchen": 21.0, "hall": 17.5}
