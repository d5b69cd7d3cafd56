from r05_bits.bits import from_gray, gray_sequence, hamming, popcount, to_gray


def test_to_gray_small():
    assert [to_gray(n) for n in range(8)] == [0, 1, 3, 2, 6, 7, 5, 4]


def test_from_gray_small():
    assert [from_gray(c) for c in [0, 1, 3, 2, 6, 7, 5, 4]] == list(range(8))


def test_gray_roundtrip():
    for n in range(300):
        assert from_gray(to_gray(n)) == n


def test_popcount():
    assert [popcount(n) for n in (0, 1, 7, 8, 255, 1024 + 3)] == [0, 1, 3, 1, 8, 3]


def test_hamming():
    assert hamming(0b1011, 0b1001) == 1
    assert hamming(0, 0) == 0
    assert hamming(15, 0) == 4


def test_gray_sequence_is_a_permutation():
    assert sorted(gray_sequence(4)) == list(range(16))


def test_gray_sequence_neighbours_differ_in_one_bit():
    codes = gray_sequence(5)
    assert all(hamming(a, b) == 1 for a, b in zip(codes, codes[1:]))
