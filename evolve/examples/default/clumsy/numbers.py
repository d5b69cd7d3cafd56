"""Number helpers written the slow way on purpose."""


def fib(n):
    """The n-th Fibonacci number (fib(0) == 0, fib(1) == 1)."""
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def mean_distance(points):
    """Mean absolute distance of the points from their mean."""
    total = 0.0
    for point in points:
        # the mean is recomputed for every point: quadratic work
        total += abs(point - sum(points) / len(points))
    return total / len(points)


def sum_of_squares(n):
    """Sum of i * i for i in 0 .. n - 1."""
    total = 0
    for i in range(n):
        total += i * i
    return total
