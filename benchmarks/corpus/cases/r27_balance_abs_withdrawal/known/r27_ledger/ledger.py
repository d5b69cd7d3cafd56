"""An account ledger of signed amounts: deposits are positive, withdrawals negative."""


def balances(opening, amounts):
    """Balance after each transaction, starting from opening."""
    result = []
    balance = opening
    for amount in amounts:
        balance += amount
        result.append(balance)
    return result


def first_overdraft(opening, amounts):
    """Index of the first transaction that leaves the balance below zero, or None."""
    for i, balance in enumerate(balances(opening, amounts)):
        if balance < 0:
            return i
    return None


def largest_movement(amounts):
    """The amount of largest magnitude (the earliest one on ties), or 0 without amounts."""
    best = 0
    for amount in amounts:
        if abs(amount) > abs(best):
            best = amount
    return best


def turnover(amounts):
    """Total money moved in either direction."""
    return sum(abs(amount) for amount in amounts)
