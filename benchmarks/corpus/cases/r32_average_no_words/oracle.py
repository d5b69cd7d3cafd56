"""Random short texts of letters, digits and punctuation; some have no words at all."""

import random


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for _ in range(n):
        alphabet = "0123 .,!-" if rng.random() < 0.3 else "abcXY' 12 .,!"
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 15)))
        calls.append(("r32_words.textstats:average_word_length", (text,), {}))
    return calls
