"""Benchmark: the partition numbers up to 38."""
from s01_partitions.core import partition_table


def run():
    return partition_table(38)
