"""Lines made of words, spaces and tabs, with a tab width of 1 to 8."""


def _line(rng):
    parts = [rng.choice(["x", "if", "return", " ", "  ", "    ", "\t", "\t\t"]) for _ in range(rng.randint(0, 8))]
    return "".join(parts)


def inputs(rng, n):
    calls = []
    for _ in range(n):
        width = rng.randint(1, 8)
        kind = rng.random()
        if kind < 0.4:
            calls.append(("r09_text.clean:expand_tabs", (_line(rng), width), {}))
        elif kind < 0.7:
            calls.append(("r09_text.clean:indent_level", (_line(rng), width), {}))
        else:
            calls.append(("r09_text.clean:clean_lines", ([_line(rng) for _ in range(4)], width), {}))
    return calls
