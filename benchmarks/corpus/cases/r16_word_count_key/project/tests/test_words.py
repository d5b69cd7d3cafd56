from r16_words.words import normalise, top_words, vocabulary, word_counts


def test_normalise():
    assert normalise("(Hello!)") == "hello"
    assert normalise("...") == ""


def test_word_counts_plain():
    assert word_counts("a b a c a") == {"a": 3, "b": 1, "c": 1}


def test_word_counts_case_insensitive():
    assert word_counts("Tea tea TEA") == {"tea": 3}


def test_word_counts_punctuation():
    assert word_counts("stop. stop, (stop)") == {"stop": 3}


def test_word_counts_drops_punctuation_only_tokens():
    assert word_counts("yes ! no ?! yes") == {"yes": 2, "no": 1}


def test_top_words():
    text = "The cat saw the dog; the dog saw a Cat."
    assert top_words(text, 3) == [("the", 3), ("cat", 2), ("dog", 2)]


def test_vocabulary():
    assert vocabulary("b A a, c") == ["a", "b", "c"]


def test_empty_text():
    assert word_counts("") == {}
    assert top_words("", 5) == []
