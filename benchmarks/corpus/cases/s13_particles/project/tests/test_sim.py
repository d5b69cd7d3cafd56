import pytest

from s13_particles.sim import Config, Simulator, simulate


def test_no_particles():
    assert simulate([], 5) == ([], 0.0)


def test_zero_steps():
    assert simulate([[1.0, 2.0, 3.0, 4.0]], 0) == ([[1.0, 2.0, 3.0, 4.0]], 0.0)


def test_free_fall_without_drag():
    (p,), speed = simulate([[0.0, 0.0, 0.0, 0.0]], 1, gravity=10.0, drag=0.0, dt=0.5)
    assert p == [0.0, -2.5, 0.0, -5.0]
    assert speed == 5.0


def test_drag_slows_horizontal_motion():
    (p,), _ = simulate([[0.0, 0.0, 10.0, 0.0]], 1, gravity=0.0, drag=0.5, dt=0.1)
    assert p[2] == pytest.approx(9.5)
    assert p[0] == pytest.approx(0.95)


def test_updates_in_place():
    particles = [[0.0, 0.0, 1.0, 0.0]]
    Simulator(Config(gravity=0.0, drag=0.0, dt=1.0)).step(particles)
    assert particles == [[1.0, 0.0, 1.0, 0.0]]


def test_speed_sums_over_particles():
    sim = Simulator(Config(gravity=0.0, drag=0.0, dt=1.0))
    assert sim.step([[0, 0, 3.0, 4.0], [0, 0, 0.0, -2.0]]) == pytest.approx(7.0)


def test_config_defaults():
    config = Config()
    assert (config.gravity, config.drag, config.dt) == (9.81, 0.1, 0.01)
