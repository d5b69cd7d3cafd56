from r32_words.textstats import average_word_length, frequencies, longest_word, words


def test_words_splits_on_punctuation():
    assert words("Don't stop -- it's 3am!") == ["don't", "stop", "it's", "am"]


def test_words_of_empty_text():
    assert words("") == []


def test_longest_word():
    assert longest_word("a bb ccc dd eee") == "ccc"


def test_longest_word_without_words():
    assert longest_word("42 -- !") == ""


def test_average_word_length():
    assert average_word_length("to be or not") == 2.25


def test_average_word_length_empty_text():
    assert average_word_length("") == 0


def test_average_word_length_only_digits():
    assert average_word_length("1 2 3") == 0


def test_frequencies_order():
    assert list(frequencies("b a b c a b").items()) == [("b", 3), ("a", 2), ("c", 1)]
