from s10_primes.primes import is_prime, is_prime_fast, next_prime, primes_between


def test_small_primes():
    assert [n for n in range(30) if is_prime(n)] == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]


def test_below_two():
    assert not is_prime(1)
    assert not is_prime(0)
    assert not is_prime(-7)


def test_squares_of_primes():
    assert not is_prime(49)
    assert not is_prime(121)
    assert not is_prime(25)


def test_larger_prime():
    assert is_prime(7919)
    assert not is_prime(7917)


def test_twins_agree():
    for n in range(-3, 200):
        assert is_prime(n) == is_prime_fast(n), n


def test_primes_between():
    assert primes_between(10, 30) == [11, 13, 17, 19, 23, 29]
    assert primes_between(30, 10) == []
    assert primes_between(-5, 3) == [2]


def test_next_prime():
    assert next_prime(13) == 17
    assert next_prime(-10) == 2
    assert next_prime(1) == 2
