from r03_runs.runs import decode, encode, increasing_runs, longest_increasing_run


def test_encode():
    assert encode("aaabcc") == [["a", 3], ["b", 1], ["c", 2]]


def test_encode_empty():
    assert encode([]) == []


def test_decode_roundtrip():
    data = [4, 4, 1, 1, 1, 9]
    assert decode(encode(data)) == data


def test_longest_run_empty_and_single():
    assert longest_increasing_run([]) == 0
    assert longest_increasing_run([7]) == 1


def test_longest_run_strict():
    assert longest_increasing_run([1, 2, 2, 3]) == 2


def test_longest_run_all_equal():
    assert longest_increasing_run([5, 5, 5, 5]) == 1


def test_longest_run_middle():
    assert longest_increasing_run([9, 1, 3, 4, 8, 2, 5]) == 4


def test_longest_run_decreasing():
    assert longest_increasing_run([5, 4, 3]) == 1


def test_increasing_runs():
    assert increasing_runs([1, 3, 3, 2, 5]) == [[1, 3], [3], [2, 5]]


def test_runs_agree_with_longest():
    data = [2, 4, 6, 6, 7, 8, 9, 1]
    assert max(map(len, increasing_runs(data))) == longest_increasing_run(data)
