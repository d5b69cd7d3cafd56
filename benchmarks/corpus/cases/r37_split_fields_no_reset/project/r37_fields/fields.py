"""Splitting lines of text into fields and words."""


def split_words(text):
    """The whitespace-separated words of text."""
    words = []
    word = ""
    for ch in text:
        if not ch.isspace():
            word += ch
        elif word:
            words.append(word)
            word = ""
    if word:
        words.append(word)
    return words


def split_fields(line, sep=","):
    """Fields of line split at sep, except inside double quotes (which are dropped)."""
    fields = []
    field = ""
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == sep and not quoted:
            fields.append(field)
        else:
            field += ch
    fields.append(field)
    return fields


def parse_table(lines, sep=","):
    """Rows of stripped fields, one row per non-blank line."""
    return [[f.strip() for f in split_fields(line, sep)] for line in lines if line.strip()]


def column(lines, index, sep=","):
    """The index-th field of every row that has one."""
    return [row[index] for row in parse_table(lines, sep) if len(row) > index]
