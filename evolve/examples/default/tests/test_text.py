from clumsy import count_content_words, has_shouting


def test_counts_content_words():
    assert count_content_words("the cat sat on the mat".split()) == 3


def test_stopwords_are_case_insensitive():
    assert count_content_words(["The", "AND", "Dog"]) == 1


def test_empty():
    assert count_content_words([]) == 0
    assert has_shouting([]) is False


def test_all_stopwords():
    assert count_content_words(["a", "an", "with", "will"]) == 0


def test_shouting_found():
    assert has_shouting(["calm", "words", "NOW"]) is True


def test_single_capital_is_not_shouting():
    assert has_shouting(["I", "am", "calm"]) is False


def test_mixed_case_is_not_shouting():
    assert has_shouting(["Hello", "World"]) is False
