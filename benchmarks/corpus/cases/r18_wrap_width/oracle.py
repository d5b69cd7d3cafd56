"""Random texts of short words wrapped at widths 5 to 100."""


def inputs(rng, n):
    calls = []
    for _ in range(n):
        words = ["".join(rng.choice("abcdefg") for _ in range(rng.randint(1, 8))) for _ in range(rng.randint(0, 30))]
        text = " ".join(words)
        width = rng.randint(5, 100)
        if rng.random() < 0.7:
            calls.append(("r18_wrap.wrap:wrap", (text, width), {}))
        else:
            calls.append(("r18_wrap.wrap:fill", (text, width), {}))
    return calls
