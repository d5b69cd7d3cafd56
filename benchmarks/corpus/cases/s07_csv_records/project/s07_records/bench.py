"""Benchmark: parse a wide export of a few thousand short rows."""
from s07_records.parse import parse_records

HEADER = ", ".join("Field %d" % i for i in range(30))
LINES = [",".join(str((r * 31 + c) % 10) for c in range(4)) for r in range(6000)]


def run():
    return len(parse_records(HEADER, LINES))
