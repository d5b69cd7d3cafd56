import pytest

from r29_leaderboard.board import points_behind, rank_of, standings, top

BOARD = {"zoe": 40, "max": 55, "amy": 40, "kim": 70}


def test_standings():
    assert standings(BOARD) == ["kim", "max", "amy", "zoe"]


def test_top_two():
    assert top(BOARD, 2) == [("kim", 70), ("max", 55)]


def test_top_more_than_available():
    assert len(top(BOARD, 10)) == 4


def test_rank_of_leader():
    assert rank_of(BOARD, "kim") == 1


def test_rank_without_tie():
    assert rank_of(BOARD, "max") == 2


def test_rank_of_tied_names_follows_name_order():
    assert rank_of(BOARD, "amy") == 3
    assert rank_of(BOARD, "zoe") == 4


def test_rank_agrees_with_standings():
    order = standings(BOARD)
    assert [rank_of(BOARD, name) for name in order] == [1, 2, 3, 4]


def test_rank_of_unknown_name():
    with pytest.raises(KeyError):
        rank_of(BOARD, "bob")


def test_points_behind():
    assert points_behind(BOARD, "amy") == 30
