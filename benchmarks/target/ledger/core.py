"""Five helpers written plainly, with room for edits: the benchmark target.

The shapes are the usual ones (loops over inputs, dictionaries, sorting,
arithmetic) and there is no ``while`` loop, so an edit can make a helper wrong
or slow but rarely make it run forever.
"""

STOPWORDS = ["a", "an", "and", "the", "of", "to", "in", "is", "it", "on"]


def normalize(words):
    """Lower-cased words without surrounding punctuation, stopwords dropped."""
    out = []
    for word in words:
        cleaned = word.strip(".,;:!?\"'()").lower()
        if cleaned and cleaned not in STOPWORDS:
            out.append(cleaned)
    return out


def word_counts(words):
    """How often each normalized word occurs."""
    counts = {}
    for word in normalize(words):
        if word in counts:
            counts[word] = counts[word] + 1
        else:
            counts[word] = 1
    return counts


def top_words(counts, n):
    """The ``n`` most frequent words, ties broken alphabetically."""
    if n <= 0:
        return []
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    result = []
    for word, count in ranked[:n]:
        result.append(word)
    return result


def moving_average(values, window):
    """Mean of each run of ``window`` consecutive values."""
    if window <= 0:
        raise ValueError("window must be positive")
    averages = []
    for start in range(len(values) - window + 1):
        total = 0
        for value in values[start:start + window]:
            total = total + value
        averages.append(total / window)
    return averages


def median(values):
    """The middle value (the mean of the two middle ones for an even count)."""
    if not values:
        raise ValueError("median of no values")
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2 == 1:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2
