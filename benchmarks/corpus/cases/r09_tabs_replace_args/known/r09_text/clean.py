"""Cleaning lines of plain text: tabs, runs of blanks, indentation, blank lines."""


def expand_tabs(line, width=4):
    """Replace every tab character by ``width`` spaces."""
    return line.replace("\t", " " * width)


def collapse_spaces(text):
    """Replace every run of whitespace by one space and trim both ends."""
    return " ".join(text.split())


def indent_level(line, width=4):
    """Number of leading spaces once tabs count as ``width`` spaces."""
    expanded = expand_tabs(line, width)
    return len(expanded) - len(expanded.lstrip(" "))


def clean_lines(lines, width=4):
    """Expand tabs, drop trailing blanks and remove lines that end up empty."""
    out = []
    for line in lines:
        line = expand_tabs(line, width).rstrip()
        if line:
            out.append(line)
    return out
