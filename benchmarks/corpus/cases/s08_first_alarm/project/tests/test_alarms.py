from s08_scan.alarms import count_above, first_above, longest_run_above


def test_first_above():
    assert first_above([1, 5, 3, 7], 4) == 1


def test_first_above_is_strict():
    assert first_above([4, 4, 5], 4) == 2


def test_first_above_none():
    assert first_above([1, 2, 3], 3) == -1
    assert first_above([], 0) == -1


def test_first_above_negative_limit():
    assert first_above([-5, -2, -9], -3) == 1


def test_first_above_first_element():
    assert first_above([10, 20], 0) == 0


def test_count_above():
    assert count_above([1, 5, 3, 7], 4) == 2
    assert count_above([], 4) == 0


def test_longest_run_above():
    assert longest_run_above([5, 6, 1, 7, 8, 9, 0], 4) == 3
    assert longest_run_above([1, 2], 4) == 0
