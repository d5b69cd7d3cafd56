"""Counting integer partitions: the ways to write a number as a sum of positive parts."""
import functools


@functools.cache
def count_partitions(n, largest):
    """Number of partitions of ``n`` whose parts are all at most ``largest``.

    Order does not matter (3 + 1 and 1 + 3 are one partition). ``n == 0`` has
    exactly one partition, the empty sum; a negative ``n`` has none, and so has a
    positive ``n`` when ``largest < 1``.
    """
    if n == 0:
        return 1
    if n < 0 or largest < 1:
        return 0
    # Either some part equals ``largest`` (take one away), or no part does.
    return count_partitions(n - largest, largest) + count_partitions(n, largest - 1)


def partition_number(n):
    """p(n), the number of partitions of ``n`` (0 for a negative ``n``)."""
    if n < 0:
        return 0
    return count_partitions(n, n)


def partition_table(limit):
    """``[p(0), p(1), ..., p(limit)]``; empty for a negative ``limit``."""
    return [partition_number(k) for k in range(limit + 1)]


def is_partition(parts, n):
    """Is ``parts`` a partition of ``n``: positive integers summing to ``n``?"""
    return all(p > 0 for p in parts) and sum(parts) == n
