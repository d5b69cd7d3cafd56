"""Character frequency tables and what they tell about texts."""
import collections


def char_counts(text):
    """``{character: occurrences}`` for every character of ``text``, in first-seen order."""
    return dict(collections.Counter(text))


def most_common(text, k):
    """The ``k`` most frequent ``(character, count)`` pairs; ties keep first-seen order."""
    ranked = sorted(char_counts(text).items(), key=lambda item: -item[1])
    return ranked[:max(k, 0)]


def is_anagram(a, b):
    """Do ``a`` and ``b`` use the same letters equally often (ignoring case and spaces)?"""
    return char_counts(a.lower().replace(" ", "")) == char_counts(b.lower().replace(" ", ""))


def unique_chars(text):
    """Characters that occur exactly once, in order of appearance."""
    return [ch for ch, n in char_counts(text).items() if n == 1]
