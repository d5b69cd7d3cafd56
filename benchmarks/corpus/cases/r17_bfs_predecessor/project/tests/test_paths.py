from r17_graphs.paths import distance, reachable, shortest_path

GRAPH = {
    "a": ["b", "c"],
    "b": ["d"],
    "c": ["d", "e"],
    "d": ["f"],
    "e": ["f"],
    "f": [],
    "g": ["a"],
}


def test_path_to_itself():
    assert shortest_path(GRAPH, "a", "a") == ["a"]


def test_path_one_edge():
    assert shortest_path(GRAPH, "a", "c") == ["a", "c"]


def test_path_two_edges():
    assert shortest_path(GRAPH, "a", "d") == ["a", "b", "d"]


def test_path_three_edges():
    assert shortest_path(GRAPH, "g", "d") == ["g", "a", "b", "d"]


def test_unreachable():
    assert shortest_path(GRAPH, "f", "a") is None
    assert distance(GRAPH, "f", "a") == -1


def test_distance():
    assert distance(GRAPH, "a", "f") == 3


def test_every_path_follows_edges():
    for goal in reachable(GRAPH, "g"):
        path = shortest_path(GRAPH, "g", goal)
        assert all(b in GRAPH[a] for a, b in zip(path, path[1:]))


def test_reachable():
    assert reachable(GRAPH, "c") == {"c", "d", "e", "f"}
