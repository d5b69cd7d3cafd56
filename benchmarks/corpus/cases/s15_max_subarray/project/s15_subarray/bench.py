"""Benchmark: the best stretch in four years of daily profit and loss."""
from s15_subarray.runs import max_subarray_sum

DAILY = [((i * 7919) % 201) - 100 for i in range(1460)]


def run():
    return max_subarray_sum(DAILY)
