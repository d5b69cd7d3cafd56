"""Benchmark: count the pairs of prices that exactly fill a budget."""
from s14_pairs.pairs import count_pairs_with_sum

PRICES = [(i * 7919) % 2000 for i in range(1600)]


def run():
    return count_pairs_with_sum(PRICES, 1999)
