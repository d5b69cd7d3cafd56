import pytest

from r21_tasks.plan import blocked, position, ready, schedule

PLAN = {
    "design": [],
    "build": ["design"],
    "test": ["build"],
    "docs": ["design"],
    "ship": ["test", "docs"],
}


def test_ready_at_start():
    assert ready(PLAN, set()) == ["design"]


def test_ready_after_some_work():
    assert ready(PLAN, {"design"}) == ["build", "docs"]


def test_ready_when_everything_is_done():
    assert ready(PLAN, set(PLAN)) == []


def test_blocked_at_start():
    assert blocked(PLAN, set()) == ["build", "docs", "ship", "test"]


def test_blocked_later():
    assert blocked(PLAN, {"design", "build"}) == ["ship"]


def test_schedule_respects_prerequisites():
    assert schedule(PLAN) == ["design", "build", "docs", "test", "ship"]


def test_schedule_independent_tasks_alphabetical():
    assert schedule({"b": [], "a": [], "c": []}) == ["a", "b", "c"]


def test_schedule_empty_plan():
    assert schedule({}) == []


def test_schedule_cycle_raises():
    with pytest.raises(ValueError):
        schedule({"free": [], "x": ["y"], "y": ["x"]})


def test_position():
    assert position(PLAN, "ship") == 4
