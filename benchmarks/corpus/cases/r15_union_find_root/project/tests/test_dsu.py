from r15_unionfind.dsu import components, find, groups, union


def test_find_singletons():
    parent = list(range(4))
    assert [find(parent, x) for x in range(4)] == [0, 1, 2, 3]


def test_find_direct_child():
    assert find([0, 0, 2], 1) == 0


def test_union_keeps_first_representative():
    parent = list(range(3))
    assert union(parent, 2, 0) == 2
    assert find(parent, 0) == 2


def test_components_no_edges():
    assert components(5, []) == 5


def test_components_star():
    assert components(4, [(0, 1), (0, 2), (0, 3)]) == 1


def test_find_long_chain_compresses():
    parent = [0, 0, 1, 2, 3]
    assert find(parent, 4) == 0
    assert parent == [0, 0, 0, 0, 0]


def test_components_chain():
    assert components(6, [(1, 0), (2, 1), (3, 2), (5, 4)]) == 2


def test_groups():
    assert groups(7, [(0, 3), (4, 3), (5, 6), (6, 5)]) == [[0, 3, 4], [1], [2], [5, 6]]
