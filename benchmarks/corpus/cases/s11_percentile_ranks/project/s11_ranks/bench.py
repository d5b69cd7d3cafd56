"""Benchmark: rank a batch of new results against a large set of past scores."""
from s11_ranks.ranks import percentile_ranks

SCORES = [(i * 7919) % 10007 / 100.0 for i in range(5000)]
QUERIES = [(i * 104729) % 10007 / 100.0 for i in range(2500)]


def run():
    return sum(percentile_ranks(SCORES, QUERIES))
