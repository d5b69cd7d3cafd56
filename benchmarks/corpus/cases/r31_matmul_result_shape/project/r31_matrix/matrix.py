"""Dense matrices as non-empty lists of equal-length row lists."""


def identity(n):
    """The n x n identity matrix."""
    return [[1 if r == c else 0 for c in range(n)] for r in range(n)]


def transpose(m):
    """m with rows and columns exchanged."""
    return [[m[r][c] for r in range(len(m))] for c in range(len(m[0]))]


def multiply(a, b):
    """The matrix product a x b; ValueError when a's column count is not b's row count."""
    if len(a[0]) != len(b):
        raise ValueError("inner dimensions differ")
    result = [[0] * len(a[0]) for _ in range(len(a))]
    for i in range(len(a)):
        for j in range(len(b[0])):
            for k in range(len(b)):
                result[i][j] += a[i][k] * b[k][j]
    return result


def gram(m):
    """m multiplied by its own transpose."""
    return multiply(m, transpose(m))


def power(m, k):
    """The square matrix m multiplied by itself k times (identity for k == 0)."""
    result = identity(len(m))
    for _ in range(k):
        result = multiply(result, m)
    return result
