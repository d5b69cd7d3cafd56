"""Integers written in bases 2 to 36 with the digits 0-9 and then A-Z."""

DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def to_base(n, base):
    """Digits of the integer n in base (upper case), with a leading "-" for negatives."""
    if not 2 <= base <= 36:
        raise ValueError("base must be in 2..36")
    if n == 0:
        return "0"
    sign = "-" if n < 0 else ""
    n = abs(n)
    digits = []
    while n:
        n, rem = divmod(n, base)
        digits.append(DIGITS[rem])
    return sign + "".join(reversed(digits))


def is_valid(text, base):
    """True when text is an optional "-" and base digits in either letter case."""
    body = text[1:] if text.startswith("-") else text
    return bool(body) and all(ch.upper() in DIGITS[:base] for ch in body)


def from_base(text, base):
    """The integer written as text in base; ValueError for text that is not such a number."""
    if not is_valid(text, base):
        raise ValueError(f"not a base-{base} number: {text!r}")
    body = text[1:] if text.startswith("-") else text
    value = 0
    for ch in body:
        value = value * base + DIGITS.index(ch.upper())
    return -value if text.startswith("-") else value


def convert(text, source, target):
    """text rewritten from base source into base target."""
    return to_base(from_base(text, source), target)
