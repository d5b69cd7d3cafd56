"""Benchmark: a busy machine with twenty-five thousand short jobs."""
from s03_sched.scheduler import round_robin

JOBS = [("job%d" % i, 1 + (i * 7919) % 3) for i in range(25000)]


def run():
    return round_robin(JOBS, 2)[-1]
