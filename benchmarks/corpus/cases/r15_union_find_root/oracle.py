"""Random edge lists on up to 10 vertices (long parent chains are common)."""


def inputs(rng, n):
    calls = []
    for _ in range(n):
        size = rng.randint(1, 10)
        edges = [(rng.randrange(size), rng.randrange(size)) for _ in range(rng.randint(0, 12))]
        entry = rng.choice(["r15_unionfind.dsu:components", "r15_unionfind.dsu:groups"])
        calls.append((entry, (size, edges), {}))
    return calls
