from r22_inventory.stock import load, parse_line, restock_needed, total_units

LINES = [
    "# warehouse A",
    "bolt, 120",
    "nut,4",
    "",
    "washer,",
    "screw, 0",
    "nut, 9",
]


def test_parse_line_with_quantity():
    assert parse_line(" bolt , 12 ") == ("bolt", 12)


def test_parse_line_blank_quantity():
    assert parse_line("washer,") == ("washer", None)


def test_load_skips_comments_and_blank_lines():
    assert load(LINES) == {"bolt": 120, "nut": 9, "washer": None, "screw": 0}


def test_total_units_ignores_unknown():
    assert total_units(load(LINES)) == 129


def test_total_units_empty():
    assert total_units({}) == 0


def test_restock_known_quantities():
    assert restock_needed({"bolt": 120, "nut": 9, "screw": 0}, 10) == ["nut", "screw"]


def test_restock_includes_unknown_quantities():
    assert restock_needed(load(LINES), 10) == ["nut", "screw", "washer"]


def test_restock_nothing_needed():
    assert restock_needed({"bolt": 50}, 10) == []
