"""Text helpers written the slow way on purpose."""

STOPWORDS = [
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into",
    "is", "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then",
    "there", "these", "they", "this", "to", "was", "will", "with",
]


def count_content_words(words):
    """How many of the words are not stopwords (case-insensitive)."""
    count = 0
    for word in words:
        if word.lower() not in STOPWORDS:
            count += 1
    return count


def has_shouting(words):
    """True if any word longer than one letter is written in capitals."""
    for word in words:
        if len(word) > 1 and word.isupper():
            return True
    return False
