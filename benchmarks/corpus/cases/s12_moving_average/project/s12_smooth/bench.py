"""Benchmark: a 200-sample moving average over 15000 readings."""
from s12_smooth.smooth import moving_average

READINGS = [(i * 7919) % 1000 / 10.0 for i in range(15000)]


def run():
    return sum(moving_average(READINGS, 200))
