"""Breadth-first search on directed graphs given as ``{node: [successors]}``."""

from collections import deque


def shortest_path(graph, start, goal):
    """A path with the fewest edges from ``start`` to ``goal`` as a list of nodes, or None."""
    if start == goal:
        return [start]
    previous = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for successor in graph.get(node, ()):
            if successor in previous:
                continue
            previous[successor] = node
            if successor == goal:
                return _walk_back(previous, goal)
            queue.append(successor)
    return None


def _walk_back(previous, node):
    """Follow the predecessor links from ``node`` back to the start."""
    path = []
    while node is not None:
        path.append(node)
        node = previous[node]
    return path[::-1]


def distance(graph, start, goal):
    """Number of edges on a shortest path, or -1 when ``goal`` cannot be reached."""
    path = shortest_path(graph, start, goal)
    return -1 if path is None else len(path) - 1


def reachable(graph, start):
    """Set of nodes reachable from ``start`` (including it)."""
    seen = {start}
    queue = deque([start])
    while queue:
        for successor in graph.get(queue.popleft(), ()):
            if successor not in seen:
                seen.add(successor)
                queue.append(successor)
    return seen
