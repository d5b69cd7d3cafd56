"""Benchmark: a cloud of particles simulated for a few dozen steps."""
from s13_particles.sim import simulate


def run():
    particles = [[0.0, 100.0, (i % 17) - 8.0, (i % 11) * 0.5] for i in range(3000)]
    return simulate(particles, 60)[1]
