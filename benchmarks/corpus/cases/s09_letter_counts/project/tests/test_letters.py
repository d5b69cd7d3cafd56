from s09_counts.letters import char_counts, is_anagram, most_common, unique_chars


def test_char_counts():
    assert char_counts("banana") == {"b": 1, "a": 3, "n": 2}


def test_char_counts_first_seen_order():
    assert list(char_counts("zaza m")) == ["z", "a", " ", "m"]


def test_char_counts_empty():
    assert char_counts("") == {}


def test_char_counts_returns_plain_dict():
    assert type(char_counts("x")) is dict


def test_case_matters():
    assert char_counts("Aa") == {"A": 1, "a": 1}


def test_most_common():
    assert most_common("abbccc", 2) == [("c", 3), ("b", 2)]


def test_most_common_ties_and_bounds():
    assert most_common("xyyxz", 5) == [("x", 2), ("y", 2), ("z", 1)]
    assert most_common("x", 0) == []
    assert most_common("x", -1) == []


def test_is_anagram():
    assert is_anagram("Dormitory", "dirty room")
    assert not is_anagram("abc", "abd")
    assert is_anagram("", "  ")


def test_unique_chars():
    assert unique_chars("abacd") == ["b", "c", "d"]
    assert unique_chars("") == []
