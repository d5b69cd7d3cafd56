"""Benchmark: the distinct visitors of a long access log, in order of first visit."""
from s17_unique.dedupe import unique_in_order

VISITS = ["user%d" % ((i * 7919) % 1500) for i in range(6000)]


def run():
    return len(unique_in_order(VISITS))
