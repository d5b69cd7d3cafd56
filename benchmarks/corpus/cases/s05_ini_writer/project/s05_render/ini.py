"""Write and read back a small INI-style configuration format."""


def format_value(value):
    """``true``/``false`` for booleans, ``str(value)`` for anything else."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def render(sections):
    """INI text for ``{section: {key: value}}``: a ``[section]`` header, then ``key = value`` lines.

    Sections and keys keep their dictionary order; a blank line follows each section.
    """
    text = ""
    for name, entries in sections.items():
        text = text + "[" + name + "]\n"
        for key, value in entries.items():
            text = text + key + " = " + format_value(value) + "\n"
        text = text + "\n"
    return text


def parse(text):
    """The ``{section: {key: value}}`` that ``render`` wrote (values come back as strings)."""
    sections, current = {}, None
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
        elif current is not None and " = " in line:
            key, _, value = line.partition(" = ")
            current[key] = value
    return sections
