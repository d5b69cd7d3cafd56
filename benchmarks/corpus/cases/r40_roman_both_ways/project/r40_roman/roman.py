"""Roman numerals for the numbers 1 to 3999."""

SYMBOLS = [
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"),
    (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
    (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
]
VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def to_roman(n):
    """The standard numeral of n; ValueError outside 1..3999."""
    if not 1 <= n <= 3999:
        raise ValueError(f"{n} has no roman numeral")
    out = []
    for value, symbol in SYMBOLS:
        while n > value:
            out.append(symbol)
            n -= value
    return "".join(out)


def from_roman(text):
    """Value of a numeral: a symbol counts negative when a larger one follows it."""
    total = 0
    for i, ch in enumerate(text):
        value = VALUES[ch]
        if i + 1 < len(text) and value <= VALUES[text[i + 1]]:
            total -= value
        else:
            total += value
    return total


def is_standard(text):
    """True when text is the standard numeral of its own value."""
    try:
        return to_roman(from_roman(text)) == text
    except (KeyError, ValueError):
        return False
