"""Word statistics of plain text."""


def words(text):
    """Lower-case words of text: maximal runs of letters and apostrophes."""
    found = []
    current = ""
    for ch in text.lower():
        if ch.isalpha() or ch == "'":
            current += ch
        elif current:
            found.append(current)
            current = ""
    if current:
        found.append(current)
    return found


def longest_word(text):
    """The longest word (the first one on ties), or "" for text without words."""
    found = words(text)
    if not found:
        return ""
    return max(found, key=len)


def average_word_length(text):
    """Mean number of characters per word, or 0 for text without words."""
    found = words(text)
    if not found:
        return 0
    return sum(len(w) for w in found) / len(found)


def frequencies(text):
    """{word: count}, most frequent words first and ties in alphabetical order."""
    counts = {}
    for w in words(text):
        counts[w] = counts.get(w, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
