"""Benchmark: alarm times for several limits on a long, slowly rising, noisy series."""
from s08_scan.alarms import first_above

READINGS = [i / 3000 + (i * 7919) % 100 / 10 for i in range(300000)]
LIMITS = [20.0, 40.0, 60.0]


def run():
    return [first_above(READINGS, limit) for limit in LIMITS]
