"""Every operator, by name. Adding an operator is one class and one line here.

Names are stable identifiers: patches, run histories and the edit memory refer
to them, so an operator is never renamed (a new behaviour gets a new name).
"""

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
from mutations.guards import AddConditionClause, DropConditionClause, InsertGuard
from mutations.repair_calls import CopyExpression, ReplaceReturnValue, UnwrapCall, WrapCall
from mutations.repair_exprs import OffByOne, SwapOperands, SwapSubscripts
from mutations.repair_names import ConstantToName, ReplaceAttribute, ReplaceName
from mutations.repair_statements import InsertRenamedStatement
from mutations.speedups_alias import AliasAttribute
from mutations.speedups_build import LoopToBuiltin, LoopToCounter
from mutations.speedups_collect import AppendToComprehension, ConcatToJoin
from mutations.speedups_data import LocalListToSet, MembershipToSet, Pop0ToDeque
from mutations.speedups_dead import RemoveDeadStore
from mutations.speedups_exit import EarlyBreak
from mutations.speedups_loops import HoistInvariantCall
from mutations.speedups_memo import AddCache
from mutations.speedups_sort import SortOnce
from mutations.speedups_twin import DelegateToTwin
from mutations.statements import CopyStatement, DeleteStatement, ReplaceStatement, SwapStatements

OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in (
        # classic GI (statements, expressions)
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
        # speed-ups (each docstring states its precondition)
        AddCache(),
        MembershipToSet(),
        HoistInvariantCall(),
        LoopToBuiltin(),
        LocalListToSet(),
        Pop0ToDeque(),
        ConcatToJoin(),
        AppendToComprehension(),
        LoopToCounter(),
        SortOnce(),
        DelegateToTwin(),
        EarlyBreak(),
        RemoveDeadStore(),
        AliasAttribute(),
        # repair fix patterns (no claim of equivalence: the tests decide)
        ReplaceName(),
        ReplaceAttribute(),
        ConstantToName(),
        OffByOne(),
        SwapOperands(),
        SwapSubscripts(),
        WrapCall(),
        UnwrapCall(),
        CopyExpression(),
        ReplaceReturnValue(),
        AddConditionClause(),
        DropConditionClause(),
        InsertGuard(),
        InsertRenamedStatement(),
    )
}


def get_operator(name: str) -> Operator:
    """The registered operator called ``name`` (``KeyError`` listing the known ones)."""
    try:
        return OPERATORS[name]
    except KeyError:
        raise KeyError(f"unknown operator {name!r}; known: {', '.join(sorted(OPERATORS))}") from None
