import pytest

from s03_sched.scheduler import average_turnaround, round_robin, turns_needed


def test_no_jobs():
    assert round_robin([], 3) == []
    assert average_turnaround([], 3) == 0.0


def test_single_job():
    assert round_robin([("a", 5)], 2) == [("a", 5)]


def test_interleaving():
    jobs = [("a", 3), ("b", 1), ("c", 4)]
    assert round_robin(jobs, 2) == [("b", 3), ("a", 6), ("c", 8)]


def test_large_quantum_is_first_come_first_served():
    jobs = [("a", 3), ("b", 1), ("c", 4)]
    assert round_robin(jobs, 10) == [("a", 3), ("b", 4), ("c", 8)]


def test_zero_and_negative_durations_finish_immediately():
    assert round_robin([("a", 0), ("b", -2), ("c", 1)], 1) == [("a", 0), ("b", 0), ("c", 1)]


def test_input_not_modified():
    jobs = [("a", 3), ("b", 2)]
    round_robin(jobs, 1)
    assert jobs == [("a", 3), ("b", 2)]


def test_bad_quantum():
    with pytest.raises(ValueError):
        round_robin([("a", 1)], 0)


def test_average_turnaround():
    assert average_turnaround([("a", 2), ("b", 2)], 1) == pytest.approx(3.5)


def test_turns_needed():
    assert turns_needed(5, 2) == 3
    assert turns_needed(4, 2) == 2
    assert turns_needed(0, 2) == 1
