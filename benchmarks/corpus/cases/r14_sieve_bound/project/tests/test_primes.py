from r14_primes.primes import factorise, prime_count, primes_up_to, twin_primes


def test_primes_small_limits():
    assert primes_up_to(0) == []
    assert primes_up_to(1) == []


def test_primes_up_to_composite_limit():
    assert primes_up_to(30) == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]


def test_primes_limit_is_included():
    assert primes_up_to(2) == [2]
    assert primes_up_to(13)[-1] == 13


def test_prime_count():
    assert prime_count(100) == 25
    assert prime_count(97) == 25


def test_factorise():
    assert factorise(1) == []
    assert factorise(360) == [2, 2, 2, 3, 3, 5]
    assert factorise(97) == [97]


def test_sieve_agrees_with_factorise():
    assert primes_up_to(200) == [n for n in range(2, 201) if factorise(n) == [n]]


def test_twin_primes():
    assert twin_primes(31) == [(3, 5), (5, 7), (11, 13), (17, 19), (29, 31)]
