from r23_textwrap.wrap import fill, justify, wrap


def test_wrap_short_words():
    assert wrap("the quick brown fox jumps", 10) == ["the quick", "brown fox", "jumps"]


def test_wrap_exact_fit():
    assert wrap("ab cd ef", 5) == ["ab cd", "ef"]


def test_wrap_empty_text():
    assert wrap("   ", 8) == []


def test_wrap_long_word_in_the_middle():
    assert wrap("a enormous b", 4) == ["a", "enormous", "b"]


def test_wrap_long_first_word():
    assert wrap("extraordinary day", 6) == ["extraordinary", "day"]


def test_wrap_first_word_exactly_width():
    assert wrap("abcd ef", 4) == ["abcd", "ef"]


def test_justify_spreads_extra_spaces_left():
    assert justify("a bb c", 9) == "a   bb  c"


def test_justify_single_word():
    assert justify("word", 7) == "word   "


def test_fill_paragraph():
    assert fill("one two three four five", 9) == "one   two\nthree    \nfour five"


def test_fill_starting_with_a_long_word():
    assert fill("incomprehensible it is", 8) == "incomprehensible\nit is"
