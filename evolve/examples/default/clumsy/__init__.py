"""A deliberately slow and clumsy package: the embedded example that evolve improves."""

from clumsy.numbers import fib, mean_distance, sum_of_squares
from clumsy.text import count_content_words, has_shouting

__all__ = ["count_content_words", "fib", "has_shouting", "mean_distance", "sum_of_squares"]
