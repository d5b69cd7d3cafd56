from r37_fields.fields import column, parse_table, split_fields, split_words


def test_split_words():
    assert split_words("  to be\tor  not\n") == ["to", "be", "or", "not"]


def test_split_fields_single_field():
    assert split_fields("alone") == ["alone"]


def test_split_fields_plain():
    assert split_fields("a,b,c") == ["a", "b", "c"]


def test_split_fields_empty_fields():
    assert split_fields(",x,") == ["", "x", ""]


def test_split_fields_quoted_separator():
    assert split_fields('name,"Smith, Jane",42') == ["name", "Smith, Jane", "42"]


def test_split_fields_other_separator():
    assert split_fields("1;2", sep=";") == ["1", "2"]


def test_parse_table():
    assert parse_table(["id, name", "", "7, Ann "]) == [["id", "name"], ["7", "Ann"]]


def test_column():
    assert column(["a,1", "b", "c,3"], 1) == ["1", "3"]
