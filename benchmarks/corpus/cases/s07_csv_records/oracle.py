"""Random calls for s07_records: blank lines, ragged rows, duplicate field names, other separators."""
import random

ENTRY = "s07_records.parse:"


def _line(rng, sep):
    return (sep or ",").join(rng.choice(["", " 1", "x ", "Y", "2"]) for _ in range(rng.randint(0, 4)))


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for i in range(n):
        sep = rng.choice([",", ",", ";", " ", ""])
        header = (sep or ",").join(rng.choice(["A", " b", "C ", "a", "Id"]) for _ in range(rng.randint(1, 4)))
        lines = [_line(rng, sep) for _ in range(rng.randint(0, 6))]
        pick = i % 3
        if pick == 0:
            if sep == ",":
                calls.append((ENTRY + "parse_records", (header, lines), {}))
            else:
                calls.append((ENTRY + "parse_records", (header, lines), {"sep": sep}))
        else:
            records = [{k: rng.choice(["1", "2"]) for k in rng.sample("abc", rng.randint(0, 3))} for _ in range(rng.randint(0, 6))]
            name = rng.choice("abd")
            calls.append((ENTRY + ("column" if pick == 1 else "group_by"), (records, name), {}))
    return calls
