"""Random calls for s02_edits: short strings over small alphabets (many repeats), empties."""
import random

ENTRY = "s02_edits.distance:"


def _word(rng, longest=6):
    return "".join(rng.choice("abc") for _ in range(rng.randint(0, longest)))


def inputs(rng: random.Random, n: int) -> list[tuple[str, tuple, dict]]:
    calls = []
    for i in range(n):
        pick = i % 3
        if pick == 0:
            calls.append((ENTRY + "edit_distance", (_word(rng), _word(rng)), {}))
        elif pick == 1:
            candidates = [_word(rng, 5) for _ in range(rng.randint(0, 4))]
            calls.append((ENTRY + "closest", (_word(rng, 5), candidates), {}))
        else:
            calls.append((ENTRY + "similarity", (_word(rng), _word(rng)), {}))
    return calls
