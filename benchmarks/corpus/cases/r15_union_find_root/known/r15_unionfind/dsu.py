"""Disjoint sets over the elements ``0 .. n-1`` kept in a parent list."""


def find(parent, x):
    """Representative of the set holding ``x``; points the path from ``x`` straight at it."""
    root = x
    while parent[root] != root:
        root = parent[root]
    while x != root:
        following = parent[x]
        parent[x] = root
        x = following
    return root


def union(parent, a, b):
    """Join the sets of ``a`` and ``b``; the representative of ``a`` stays representative."""
    ra, rb = find(parent, a), find(parent, b)
    if ra != rb:
        parent[rb] = ra
    return ra


def components(n, edges):
    """Number of connected components of the graph on ``0 .. n-1`` with these edges."""
    parent = list(range(n))
    for a, b in edges:
        union(parent, a, b)
    return len({find(parent, x) for x in range(n)})


def groups(n, edges):
    """The components as sorted lists, ordered by their smallest element."""
    parent = list(range(n))
    for a, b in edges:
        union(parent, a, b)
    members = {}
    for x in range(n):
        members.setdefault(find(parent, x), []).append(x)
    return sorted(members.values())
