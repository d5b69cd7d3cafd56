"""Random delimited lines, some with quoted fields."""

import random


def _line(rng: random.Random) -> str:
    fields = []
    for _ in range(rng.randint(1, 4)):
        text = "".join(rng.choice("ab ,") for _ in range(rng.randint(0, 3)))
        fields.append('"' + text + '"' if rng.random() < 0.3 else text.replace(",", ""))
    return ",".join(fields)


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for _ in range(n):
        if rng.random() < 0.7:
            calls.append(("r37_fields.fields:split_fields", (_line(rng),), {}))
        else:
            calls.append(("r37_fields.fields:parse_table", ([_line(rng) for _ in range(rng.randint(0, 3))],), {}))
    return calls
