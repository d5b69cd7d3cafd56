"""Turn delimited text lines into dictionaries keyed by a header."""


def parse_records(header, lines, sep=","):
    """One dict per non-blank line, keyed by the header's field names.

    Field names are stripped and lower-cased; values are stripped. A line
    with fewer values than fields leaves the missing fields out; extra values
    are ignored. An empty ``sep`` is a ValueError.
    """
    if not sep:
        raise ValueError("empty separator")
    records = []
    names = [name.strip().lower() for name in header.split(sep)]
    for line in lines:
        if not line.strip():
            continue
        values = [value.strip() for value in line.split(sep)]
        records.append(dict(zip(names, values)))
    return records


def column(records, name):
    """The values of field ``name`` in order, ``None`` where a record lacks it."""
    return [record.get(name) for record in records]


def group_by(records, name):
    """``{value: [records...]}`` for field ``name``, in first-seen order of the values."""
    groups = {}
    for record in records:
        groups.setdefault(record.get(name), []).append(record)
    return groups
