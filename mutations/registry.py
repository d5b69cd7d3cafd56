"""Every operator, by name. Adding an operator is one class and one line here."""

from __future__ import annotations

from mutations._base import Operator
from mutations.expressions import (
    NegateCondition,
    PerturbConstant,
    ReplaceAugmentedAssignment,
    ReplaceBinaryOperator,
    ReplaceBooleanOperator,
    ReplaceComparisonOperator,
    SwapArguments,
)
from mutations.semantic import AddCache, HoistInvariantCall, LoopToBuiltin, MembershipToSet
from mutations.statements import CopyStatement, DeleteStatement, ReplaceStatement, SwapStatements

OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in (
        DeleteStatement(),
        CopyStatement(),
        ReplaceStatement(),
        SwapStatements(),
        ReplaceBinaryOperator(),
        ReplaceComparisonOperator(),
        ReplaceBooleanOperator(),
        ReplaceAugmentedAssignment(),
        PerturbConstant(),
        NegateCondition(),
        SwapArguments(),
        AddCache(),
        MembershipToSet(),
        HoistInvariantCall(),
        LoopToBuiltin(),
    )
}


def get_operator(name: str) -> Operator:
    """The registered operator called ``name`` (``KeyError`` listing the known ones)."""
    try:
        return OPERATORS[name]
    except KeyError:
        raise KeyError(f"unknown operator {name!r}; known: {', '.join(sorted(OPERATORS))}") from None
