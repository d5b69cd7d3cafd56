"""Dense matrices stored as lists of equally long rows."""


def shape(m):
    """``(rows, columns)`` of a matrix; the empty matrix is ``(0, 0)``."""
    return (len(m), len(m[0]) if m else 0)


def identity(n):
    """The ``n`` by ``n`` identity matrix."""
    return [[1 if i == j else 0 for j in range(n)] for i in range(n)]


def transpose(m):
    """Rows become columns."""
    return [list(column) for column in zip(*m)]


def matmul(a, b):
    """Matrix product ``a @ b``; the columns of ``a`` must match the rows of ``b``."""
    rows, inner = shape(a)
    inner_b, cols = shape(b)
    if inner != inner_b:
        raise ValueError(f"cannot multiply {rows}x{inner} by {inner_b}x{cols}")
    out = [[0] * cols for _ in range(rows)]
    for i in range(rows):
        for j in range(cols):
            total = 0
            for k in range(inner):
                total += a[i][k] * b[j][k]
            out[i][j] = total
    return out


def matpow(m, exponent):
    """``m`` multiplied by itself ``exponent`` times (identity for 0), by repeated squaring."""
    result = identity(len(m))
    while exponent:
        if exponent & 1:
            result = matmul(result, m)
        m = matmul(m, m)
        exponent >>= 1
    return result
