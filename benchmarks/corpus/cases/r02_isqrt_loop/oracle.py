"""Non-negative integers, about a third of them perfect squares."""


def inputs(rng, n):
    calls = []
    for _ in range(n):
        if rng.random() < 0.35:
            value = rng.randint(0, 3000) ** 2
        else:
            value = rng.randint(0, 10 ** 7)
        entry = rng.choice(["r02_roots.roots:isqrt", "r02_roots.roots:is_square"])
        calls.append((entry, (value,), {}))
    return calls
