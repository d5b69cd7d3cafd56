from s20_prefix.search import common_prefix, matching, suggest

CITIES = ["Paris", "parma", "Porto", "Pisa", "Lyon"]


def test_matching_ignores_case():
    assert matching(CITIES, "PAR") == ["Paris", "parma"]


def test_matching_strips_typed_text():
    assert matching(CITIES, "  ly ") == ["Lyon"]


def test_matching_collapses_inner_whitespace():
    names = ["New York", "Newark", "new  town"]
    assert matching(names, "new   y") == ["New York"]
    assert matching(names, "NEW\t") == names


def test_empty_query_matches_everything():
    assert matching(CITIES, "") == CITIES
    assert matching(CITIES, "   ") == CITIES


def test_no_match_and_no_names():
    assert matching(CITIES, "x") == []
    assert matching([], "p") == []


def test_suggest_shortest_first():
    assert suggest(CITIES, "p") == ["Pisa", "Paris", "parma", "Porto"]
    assert suggest(CITIES, "p", limit=2) == ["Pisa", "Paris"]
    assert suggest(CITIES, "p", limit=0) == []


def test_common_prefix():
    assert common_prefix(["interval", "internet", "interior"]) == "inter"
    assert common_prefix(["a", "b"]) == ""
    assert common_prefix([]) == ""
    assert common_prefix(["same"]) == "same"
