"""Simple delimited text: a header line, then one record per line (no quoting)."""


def split_row(line, sep=","):
    """The fields of one line, each stripped of surrounding blanks."""
    return [field.strip() for field in line.split(",")]


def parse(text, sep=","):
    """Records as dicts keyed by the header's field names; blank lines are skipped."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    header = split_row(lines[0], sep)
    records = []
    for number, line in enumerate(lines[1:], start=2):
        values = split_row(line, sep)
        if len(values) != len(header):
            raise ValueError(f"line {number}: {len(values)} fields, expected {len(header)}")
        records.append(dict(zip(header, values)))
    return records


def column(records, name, convert=str):
    """The values of one field across all records, passed through ``convert``."""
    return [convert(record[name]) for record in records]


def render(records, fields, sep=","):
    """Inverse of :func:`parse` for the given field order."""
    lines = [sep.join(fields)]
    lines.extend(sep.join(str(record[field]) for field in fields) for record in records)
    return "\n".join(lines)
