"""Point particles falling under gravity with linear air drag (explicit Euler steps)."""
import collections
import math

Config = collections.namedtuple("Config", ["gravity", "drag", "dt"], defaults=[9.81, 0.1, 0.01])
Config.__doc__ = "Physical constants of a simulation: gravity (m/s^2), drag (1/s), time step (s)."


class Simulator:
    """Advances particles ``[x, y, vx, vy]`` in place, one time step at a time."""

    def __init__(self, config):
        self.config = config

    def step(self, particles):
        """Advance every particle by one step; return the total speed afterwards."""
        total_speed = 0.0
        config = self.config
        gravity, drag, dt = config.gravity, config.drag, config.dt
        sqrt = math.sqrt
        for p in particles:
            p[2] -= drag * p[2] * dt
            p[3] -= (gravity + drag * p[3]) * dt
            p[0] += p[2] * dt
            p[1] += p[3] * dt
            total_speed += sqrt(p[2] * p[2] + p[3] * p[3])
        return total_speed


def simulate(particles, steps, gravity=9.81, drag=0.1, dt=0.01):
    """Run ``steps`` steps; return the particles and the total speed after the last step."""
    simulator = Simulator(Config(gravity, drag, dt))
    speed = 0.0
    for _ in range(steps):
        speed = simulator.step(particles)
    return particles, speed
