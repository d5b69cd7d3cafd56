"""Greedy word wrapping and justification."""


def wrap(text, width):
    """Lines of at most width characters, broken at whitespace only.

    A word longer than width gets a line of its own.
    """
    lines = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = current + " " + word if current else word
    if current:
        lines.append(current)
    return lines


def justify(line, width):
    """line padded to width by widening its gaps, leftmost gaps first.

    A line with a single word is padded on the right.
    """
    words = line.split()
    if len(words) < 2:
        return line.ljust(width)
    base, extra = divmod(width - sum(len(w) for w in words), len(words) - 1)
    out = ""
    for i, word in enumerate(words[:-1]):
        out += word + " " * (base + (1 if i < extra else 0))
    return out + words[-1]


def fill(text, width):
    """The wrapped paragraph with every line but the last justified, joined by newlines."""
    lines = wrap(text, width)
    if not lines:
        return ""
    body = [justify(line, width) for line in lines[:-1]]
    return "\n".join(body + [lines[-1]])
