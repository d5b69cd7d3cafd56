import pytest

from r20_records.records import column, parse, render, split_row


def test_split_row_default():
    assert split_row(" a, b ,c") == ["a", "b", "c"]


def test_split_row_semicolon():
    assert split_row("1,5; 2", ";") == ["1,5", "2"]


def test_parse_commas():
    assert parse("name,qty\nbolt, 4\n\nnut,10\n") == [{"name": "bolt", "qty": "4"}, {"name": "nut", "qty": "10"}]


def test_parse_tabs():
    assert parse("name\tqty\nbolt\t4", sep="\t") == [{"name": "bolt", "qty": "4"}]


def test_parse_empty():
    assert parse("\n\n") == []


def test_parse_ragged_line():
    with pytest.raises(ValueError):
        parse("a,b\n1,2,3")


def test_column_converts():
    records = parse("name;price\nbolt;0.5\nnut;0.25", sep=";")
    assert column(records, "price", float) == [0.5, 0.25]


def test_render_roundtrip():
    records = [{"id": "1", "city": "Lyon"}, {"id": "2", "city": "Turku"}]
    assert parse(render(records, ["id", "city"], "|"), "|") == records
