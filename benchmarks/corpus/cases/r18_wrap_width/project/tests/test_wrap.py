from r18_wrap.wrap import fill, indent, wrap

TEXT = "the quick grey fox leapt over seven sleeping dogs and ran far into the hills"


def test_wrap_empty():
    assert wrap("") == []
    assert wrap("   ") == []


def test_wrap_default_width_keeps_short_text_on_one_line():
    assert wrap(TEXT) == [TEXT]


def test_wrap_default_width_long_text():
    lines = wrap(" ".join(["word"] * 40))
    assert [len(line) for line in lines] == [79, 79, 39]


def test_wrap_narrow():
    assert wrap(TEXT, 20) == ["the quick grey fox", "leapt over seven", "sleeping dogs and", "ran far into the", "hills"]


def test_wrap_exact_fit():
    assert wrap("abc def", 7) == ["abc def"]
    assert wrap("abc def", 6) == ["abc", "def"]


def test_wrap_long_word_alone():
    assert wrap("a enormousword b", 5) == ["a", "enormousword", "b"]


def test_fill():
    assert fill("one two three", 8) == "one two\nthree"


def test_indent():
    assert indent("one two three four", "> ", 11) == ["> one two", "> three", "> four"]
