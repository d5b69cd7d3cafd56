"""Islands of 1s in a rectangular grid of 0/1 rows, cells joined orthogonally."""


def neighbours(grid, r, c):
    """The orthogonal neighbours of (r, c) that lie inside the grid."""
    result = []
    for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        nr, nc = r + dr, c + dc
        if 0 <= nr < len(grid) and 0 <= nc < len(grid[0]):
            result.append((nr, nc))
    return result


def island_cells(grid, r, c):
    """Set of the land cells connected to the land cell (r, c)."""
    cells = {(r, c)}
    stack = [(r, c)]
    while stack:
        cr, cc = stack.pop()
        for nr, nc in neighbours(grid, cr, cc):
            if grid[nr][nc] == 1 and (nr, nc) not in cells:
                cells.add((nr, nc))
                stack.append((nr, nc))
    return cells


def island_sizes(grid):
    """Sizes of all islands, largest first."""
    seen = set()
    sizes = []
    for r in range(len(grid)):
        for c in range(len(grid[0])):
            if grid[r][c] == 1 and (r, c) not in seen:
                cells = island_cells(grid, r, c)
                seen |= cells
                sizes.append(len(cells))
    return sorted(sizes, reverse=True)


def coastline(grid):
    """Number of land-cell sides that face water or the edge of the grid."""
    sides = 0
    for r in range(len(grid)):
        for c in range(len(grid[0])):
            if grid[r][c] == 1:
                inside = neighbours(grid, r, c)
                sides += 4 - len(inside) + sum(1 for nr, nc in inside if grid[nr][nc] == 0)
    return sides
