"""A calculator for +, -, * and parentheses over non-negative integer literals."""


def tokenize(text):
    """Integers and one-character operators of text, skipping spaces; ValueError otherwise."""
    tokens = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == " ":
            i += 1
            continue
        j = i + 1
        if ch.isdigit():
            while j < len(text) and text[j].isdigit():
                j += 1
            tokens.append(int(text[i:j]))
        elif ch in "+-*()":
            tokens.append(ch)
        else:
            raise ValueError(f"unexpected character {ch!r}")
        i = j
    return tokens


def evaluate(text):
    """Value of the expression text, with * binding tighter than + and -."""
    tokens = tokenize(text)
    value, pos = _sum(tokens, 0)
    if pos != len(tokens):
        raise ValueError(f"unexpected {tokens[pos]!r}")
    return value


def _sum(tokens, pos):
    """(value, next position) of the terms joined by + and - from pos."""
    value, pos = _product(tokens, pos)
    while pos < len(tokens) and tokens[pos] in ("+", "-"):
        op = tokens[pos]
        rhs, pos = _product(tokens, pos + 1)
        value = value + rhs if op == "+" else value - rhs
    return value, pos


def _product(tokens, pos):
    """(value, next position) of the factors joined by * from pos."""
    value, pos = _factor(tokens, pos)
    while pos < len(tokens) and tokens[pos] == "*":
        rhs, pos = _factor(tokens, pos + 1)
        value *= rhs
    return value, pos


def _factor(tokens, pos):
    """(value, next position) of an integer or a parenthesised expression at pos."""
    if pos >= len(tokens):
        raise ValueError("unexpected end of expression")
    if tokens[pos] == "(":
        value, pos = _sum(tokens, pos + 1)
        if pos >= len(tokens) or tokens[pos] != ")":
            raise ValueError("missing )")
        return value, pos + 1
    if isinstance(tokens[pos], int):
        return tokens[pos], pos + 1
    raise ValueError(f"unexpected {tokens[pos]!r}")
