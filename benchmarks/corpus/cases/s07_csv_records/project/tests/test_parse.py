import pytest

from s07_records.parse import column, group_by, parse_records


def test_basic():
    assert parse_records("a,b", ["1,2", "3,4"]) == [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]


def test_names_normalised_and_values_stripped():
    assert parse_records(" Name , AGE", [" bob , 7 "]) == [{"name": "bob", "age": "7"}]


def test_blank_lines_skipped():
    assert parse_records("a", ["", "   ", "x"]) == [{"a": "x"}]


def test_short_and_long_lines():
    assert parse_records("a,b,c", ["1", "1,2,3,4"]) == [{"a": "1"}, {"a": "1", "b": "2", "c": "3"}]


def test_other_separator():
    assert parse_records("a;b", ["1;2"], sep=";") == [{"a": "1", "b": "2"}]


def test_no_lines():
    assert parse_records("a,b", []) == []


def test_column():
    records = [{"a": "1"}, {"b": "2"}]
    assert column(records, "a") == ["1", None]


def test_group_by():
    records = parse_records("k,v", ["x,1", "y,2", "x,3"])
    groups = group_by(records, "k")
    assert list(groups) == ["x", "y"]
    assert [r["v"] for r in groups["x"]] == ["1", "3"]


def test_empty_separator():
    with pytest.raises(ValueError):
        parse_records("a", [], sep="")
