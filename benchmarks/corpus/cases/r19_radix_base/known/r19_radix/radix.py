"""Non-negative integers written in bases 2 to 36 with digits 0-9 then a-z."""

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _check_base(base):
    if not 2 <= base <= len(DIGITS):
        raise ValueError(f"unsupported base {base}")


def to_base(n, base):
    """The digits of ``n >= 0`` in ``base``, most significant first."""
    _check_base(base)
    if n == 0:
        return "0"
    digits = []
    while n:
        n, remainder = divmod(n, base)
        digits.append(DIGITS[remainder])
    return "".join(reversed(digits))


def from_base(text, base):
    """The integer written as ``text`` in ``base`` (letters in either case)."""
    _check_base(base)
    if not text:
        raise ValueError("no digits")
    value = 0
    for char in text.lower():
        digit = DIGITS.find(char)
        if digit < 0 or digit >= base:
            raise ValueError(f"{char!r} is not a digit in base {base}")
        value = value * base + digit
    return value


def convert(text, source, target):
    """Rewrite a number from base ``source`` into base ``target``."""
    return to_base(from_base(text, source), target)
