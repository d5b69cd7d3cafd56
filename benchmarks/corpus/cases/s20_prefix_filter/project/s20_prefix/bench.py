"""Benchmark: a few autocomplete queries against a large list of city-like names."""
from s20_prefix.search import matching

NAMES = ["%s%s town %d" % ("NSEW"[i % 4], "aeiou"[(i * 7) % 5], i) for i in range(40000)]
QUERIES = ["  na ", "Se", "wu", "E", "no match"]


def run():
    return [len(matching(NAMES, typed)) for typed in QUERIES]
