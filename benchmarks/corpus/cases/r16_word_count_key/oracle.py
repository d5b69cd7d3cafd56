"""Texts over a tiny vocabulary with random capitals and punctuation."""


def _token(rng):
    word = rng.choice(["tea", "cup", "milk", "sugar"])
    if rng.random() < 0.3:
        word = word.capitalize()
    if rng.random() < 0.3:
        word += rng.choice(".,!?")
    return word


def inputs(rng, n):
    calls = []
    for _ in range(n):
        text = " ".join(_token(rng) for _ in range(rng.randint(0, 10)))
        if rng.random() < 0.6:
            calls.append(("r16_words.words:word_counts", (text,), {}))
        else:
            calls.append(("r16_words.words:top_words", (text, rng.randint(1, 4)), {}))
    return calls
