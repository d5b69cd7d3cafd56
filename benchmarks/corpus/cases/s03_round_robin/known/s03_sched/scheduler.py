"""A round-robin CPU scheduler simulation."""
import collections


def round_robin(jobs, quantum):
    """Simulate round-robin scheduling and return ``(name, finish_time)`` in finishing order.

    ``jobs`` is a list of ``(name, duration)``, all ready at time 0 and served in
    list order. Each turn a job runs for at most ``quantum`` time units and, if it
    is not done, goes to the back of the queue. Jobs of duration 0 or less finish
    at their first turn without using time.
    """
    if quantum <= 0:
        raise ValueError("quantum must be positive")
    queue = collections.deque((name, duration) for name, duration in jobs)
    clock = 0
    finished = []
    while queue:
        name, remaining = queue.popleft()
        step = min(quantum, max(remaining, 0))
        clock += step
        remaining -= step
        if remaining > 0:
            queue.append((name, remaining))
        else:
            finished.append((name, clock))
    return finished


def average_turnaround(jobs, quantum):
    """Mean finish time over all jobs (0.0 when there are none)."""
    finished = round_robin(jobs, quantum)
    if not finished:
        return 0.0
    return sum(time for _, time in finished) / len(finished)


def turns_needed(duration, quantum):
    """How many turns a job of ``duration`` takes (at least one)."""
    if duration <= 0:
        return 1
    return -(-duration // quantum)
