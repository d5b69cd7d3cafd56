"""Small delimited tables with a random separator (comma, semicolon, tab or bar)."""


def inputs(rng, n):
    calls = []
    for _ in range(n):
        sep = rng.choice([",", ";", "\t", "|"])
        width = rng.randint(1, 4)
        rows = [[f"f{i}" for i in range(width)]]
        for _ in range(rng.randint(0, 4)):
            rows.append(["".join(rng.choice("xyz19 ") for _ in range(rng.randint(0, 4))) for _ in range(width)])
        text = "\n".join(sep.join(row) for row in rows)
        if rng.random() < 0.7:
            calls.append(("r20_records.records:parse", (text, sep), {}))
        else:
            calls.append(("r20_records.records:split_row", (sep.join(rows[-1]), sep), {}))
    return calls
