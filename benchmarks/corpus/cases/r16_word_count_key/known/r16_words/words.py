"""Word statistics of plain text, case-insensitive and ignoring surrounding punctuation."""

PUNCTUATION = ".,;:!?\"'()[]"


def normalise(token):
    """Lower-case ``token`` without leading or trailing punctuation."""
    return token.strip(PUNCTUATION).lower()


def word_counts(text):
    """Map each normalised word of ``text`` to its number of occurrences."""
    counts = {}
    for token in text.split():
        word = normalise(token)
        if word:
            counts[word] = counts.get(word, 0) + 1
    return counts


def top_words(text, k):
    """The ``k`` most frequent words as ``(word, count)``, ties in alphabetical order."""
    ranked = sorted(word_counts(text).items(), key=lambda item: (-item[1], item[0]))
    return ranked[:k]


def vocabulary(text):
    """Sorted list of the distinct normalised words."""
    return sorted(word_counts(text))
