"""Every operator, by name. Adding an operator is one class and one line here."""

from __future__ import annotations

from mutations._base import Operator
from mutations.statements import DeleteStatement

OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in (
        DeleteStatement(),
    )
}


def get_operator(name: str) -> Operator:
    try:
        return OPERATORS[name]
    except KeyError:
        raise KeyError(f"unknown operator {name!r}; known: {', '.join(sorted(OPERATORS))}") from None
