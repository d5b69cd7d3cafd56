"""The benchmark evolve times: one call exercises every helper on fixed inputs.

Each helper is called once per sample, with inputs it has not seen in that
process, so memoising a call only pays where the work really repeats (inside
a recursion), not because the benchmark asks the same question twice.
"""

from clumsy.numbers import fib, mean_distance, sum_of_squares
from clumsy.text import count_content_words, has_shouting

WORDS = ("the quick brown fox jumps over the lazy dog and then it is gone into the night " * 400).split()
POINTS = [((i * 37) % 101) / 7.0 for i in range(900)]


def run():
    """Run every helper once; returns the results so nothing is optimised away."""
    return (
        fib(25),
        mean_distance(POINTS),
        sum_of_squares(60000),
        count_content_words(WORDS),
        has_shouting(WORDS),
    )
