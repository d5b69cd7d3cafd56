from s01_partitions.core import count_partitions, is_partition, partition_number, partition_table


def test_small_partition_numbers():
    assert [partition_number(k) for k in range(8)] == [1, 1, 2, 3, 5, 7, 11, 15]


def test_known_larger_value():
    assert partition_number(20) == 627


def test_negative_has_no_partitions():
    assert partition_number(-1) == 0
    assert count_partitions(-5, 3) == 0


def test_zero_has_the_empty_partition():
    assert count_partitions(0, 0) == 1
    assert count_partitions(0, -4) == 1


def test_largest_part_bounds_the_count():
    # 5 with parts at most 2: 2+2+1, 2+1+1+1, 1*5
    assert count_partitions(5, 2) == 3
    assert count_partitions(5, 1) == 1
    assert count_partitions(5, 0) == 0


def test_largest_above_n_changes_nothing():
    assert count_partitions(6, 100) == partition_number(6)


def test_table():
    assert partition_table(5) == [1, 1, 2, 3, 5, 7]
    assert partition_table(-1) == []


def test_is_partition():
    assert is_partition([3, 1, 1], 5)
    assert not is_partition([3, 2], 6)
    assert not is_partition([4, 0, 1], 5)
    assert is_partition([], 0)
