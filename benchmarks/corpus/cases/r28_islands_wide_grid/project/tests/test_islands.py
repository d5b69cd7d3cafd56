from r28_grid.islands import coastline, island_cells, island_sizes, neighbours

SQUARE = [
    [1, 1, 0],
    [0, 1, 0],
    [1, 0, 1],
]

WIDE = [
    [1, 0, 0, 1, 1],
    [1, 0, 0, 0, 1],
]

TALL = [
    [1, 0],
    [0, 0],
    [1, 1],
    [0, 1],
]


def test_neighbours_of_a_corner():
    assert sorted(neighbours(WIDE, 0, 4)) == [(0, 3), (1, 4)]


def test_island_cells():
    assert island_cells(SQUARE, 0, 0) == {(0, 0), (0, 1), (1, 1)}


def test_island_sizes_square_grid():
    assert island_sizes(SQUARE) == [3, 1, 1]


def test_island_sizes_wide_grid():
    assert island_sizes(WIDE) == [3, 2]


def test_island_sizes_tall_grid():
    assert island_sizes(TALL) == [3, 1]


def test_island_sizes_all_water():
    assert island_sizes([[0, 0], [0, 0]]) == []


def test_coastline_single_cell():
    assert coastline([[1]]) == 4


def test_coastline_wide_grid():
    assert coastline(WIDE) == 14
