from r27_ledger.ledger import balances, first_overdraft, largest_movement, turnover


def test_balances_deposits_only():
    assert balances(100, [10, 20, 5]) == [110, 130, 135]


def test_balances_with_withdrawals():
    assert balances(100, [-30, 10, -50]) == [70, 80, 30]


def test_balances_empty():
    assert balances(42, []) == []


def test_first_overdraft():
    assert first_overdraft(50, [20, -60, -20, 100]) == 2


def test_no_overdraft():
    assert first_overdraft(10, [5, 5]) is None


def test_largest_movement_negative():
    assert largest_movement([30, -80, 50]) == -80


def test_largest_movement_tie_keeps_first():
    assert largest_movement([-40, 40]) == -40


def test_turnover():
    assert turnover([30, -80, 50]) == 160
