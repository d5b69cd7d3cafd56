from s05_render.ini import format_value, parse, render


def test_empty():
    assert render({}) == ""
    assert parse("") == {}


def test_one_section():
    assert render({"db": {"host": "localhost", "port": 5432}}) == "[db]\nhost = localhost\nport = 5432\n\n"


def test_empty_section():
    assert render({"a": {}, "b": {"x": 1}}) == "[a]\n\n[b]\nx = 1\n\n"


def test_booleans_and_none():
    assert format_value(True) == "true"
    assert format_value(False) == "false"
    assert format_value(None) == "None"
    assert format_value(1) == "1"


def test_order_is_kept():
    text = render({"z": {"b": 1, "a": 2}, "y": {"c": 3}})
    assert text.index("[z]") < text.index("[y]")
    assert text.index("b = 1") < text.index("a = 2")


def test_round_trip():
    config = {"main": {"debug": True, "level": 3}, "paths": {"home": "/tmp"}}
    assert parse(render(config)) == {"main": {"debug": "true", "level": "3"}, "paths": {"home": "/tmp"}}


def test_parse_ignores_lines_before_first_section():
    assert parse("x = 1\n[s]\ny = 2\n") == {"s": {"y": "2"}}
