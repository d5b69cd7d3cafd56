"""Filtering words of a text against a list of banned words."""


def tokenize(text):
    """Lower-cased words of ``text``: runs of letters, digits and apostrophes."""
    words, current = [], []
    for ch in text.lower():
        if ch.isalnum() or ch == "'":
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def remove_banned(words, banned):
    """The words not in ``banned``, compared case-insensitively, in their original order."""
    banned_lower = {b.lower() for b in banned}
    return [w for w in words if w.lower() not in banned_lower]


def banned_ratio(words, banned):
    """Share of ``words`` that are banned (0.0 for no words)."""
    if not words:
        return 0.0
    return 1.0 - len(remove_banned(words, banned)) / len(words)
