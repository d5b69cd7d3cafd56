"""Benchmark: the primes in a window of five-digit numbers."""
from s10_primes.primes import primes_between


def run():
    return len(primes_between(20000, 21000))
