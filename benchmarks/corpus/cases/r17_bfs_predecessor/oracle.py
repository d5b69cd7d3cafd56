"""Random sparse directed graphs on 8 nodes."""


def inputs(rng, n):
    calls = []
    for _ in range(n):
        graph = {v: sorted(rng.sample(range(8), rng.randint(0, 2))) for v in range(8)}
        start, goal = rng.randrange(8), rng.randrange(8)
        entry = rng.choice(["r17_graphs.paths:shortest_path", "r17_graphs.paths:distance"])
        calls.append((entry, (graph, start, goal), {}))
    return calls
