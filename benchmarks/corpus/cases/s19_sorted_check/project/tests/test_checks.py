from s19_order.checks import first_descent, is_sorted, sorted_batches


def test_sorted():
    assert is_sorted([1, 2, 2, 5])


def test_not_sorted():
    assert not is_sorted([1, 3, 2, 4])
    assert not is_sorted([2, 1])


def test_trivial_inputs():
    assert is_sorted([])
    assert is_sorted([7])


def test_reverse():
    assert is_sorted([5, 3, 3, -1], reverse=True)
    assert not is_sorted([5, 6], reverse=True)


def test_strings():
    assert is_sorted(["apple", "banana"])
    assert not is_sorted("ba")


def test_first_descent():
    assert first_descent([1, 2, 0, -1]) == 2
    assert first_descent([1, 1, 2]) is None
    assert first_descent([]) is None


def test_sorted_batches():
    assert sorted_batches([[1, 2], [2, 1], [], [3, 3]]) == 3
    assert sorted_batches([]) == 0
