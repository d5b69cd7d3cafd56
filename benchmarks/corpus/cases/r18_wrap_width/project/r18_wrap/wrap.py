"""Greedy word wrapping of plain text into lines of bounded width."""


def wrap(text, width=80):
    """Lines of at most ``width`` characters, filled greedily word by word.

    A word longer than ``width`` gets a line of its own rather than being split.
    """
    lines = []
    current = ""
    for word in text.split():
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= 80:
            current += " " + word
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def fill(text, width=80):
    """The wrapped lines joined by newlines."""
    return "\n".join(wrap(text, width))


def indent(text, prefix, width=80):
    """Wrap so that every line, ``prefix`` included, fits in ``width`` characters."""
    return [prefix + line for line in wrap(text, width - len(prefix))]
