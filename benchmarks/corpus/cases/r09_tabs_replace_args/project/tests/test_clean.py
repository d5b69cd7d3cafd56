from r09_text.clean import clean_lines, collapse_spaces, expand_tabs, indent_level


def test_expand_tabs():
    assert expand_tabs("a\tb") == "a    b"


def test_expand_tabs_width():
    assert expand_tabs("\t\tx", 2) == "    x"


def test_expand_tabs_leaves_spaces_alone():
    assert expand_tabs("if x:        y") == "if x:        y"


def test_collapse_spaces():
    assert collapse_spaces("  a \t b\n c  ") == "a b c"


def test_indent_level_spaces():
    assert indent_level("      return 1") == 6


def test_indent_level_tabs():
    assert indent_level("\t\treturn 1") == 8
    assert indent_level("\t  x", 8) == 10


def test_clean_lines():
    assert clean_lines(["def f():", "\treturn 1   ", "  \t ", ""]) == ["def f():", "    return 1"]


def test_clean_lines_empty():
    assert clean_lines([]) == []
