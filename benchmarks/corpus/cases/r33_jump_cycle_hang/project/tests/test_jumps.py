from r33_jumps.jumps import exits, loop_entry, path, steps_to_exit


def test_path_until_exit():
    assert path([2, 0, 3, 0, 0], 0) == [0, 2]


def test_path_stops_at_a_repeat():
    assert path([1, 1, -1], 0) == [0, 1, 2]


def test_steps_to_exit_forward():
    assert steps_to_exit([1, 1, 1], 0) == 3


def test_steps_to_exit_backwards():
    assert steps_to_exit([-1, -1, 5], 1) == 2


def test_steps_from_outside():
    assert steps_to_exit([0], 4) == 0


def test_steps_on_a_cycle():
    assert steps_to_exit([1, 1, -1], 0) == -1


def test_steps_on_a_self_loop():
    assert steps_to_exit([0, 3], 0) == -1


def test_exits():
    assert exits([1, -1, 3, 1, 0]) == [2]


def test_loop_entry():
    assert loop_entry([1, 1, -1], 0) == 1
    assert loop_entry([1, 1, 1], 0) is None
