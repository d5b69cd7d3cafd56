from r07_stock.stock import available, receive, reorder_quantity, stock_value


def test_available_without_reservations():
    assert available({"bolt": 40}, {}, "bolt") == 40


def test_available_subtracts_reserved():
    assert available({"bolt": 40}, {"bolt": 15}, "bolt") == 25


def test_available_never_negative():
    assert available({"nut": 3}, {"nut": 5}, "nut") == 0


def test_available_unknown_sku():
    assert available({}, {}, "washer") == 0


def test_reorder_quantity():
    assert reorder_quantity({"bolt": 40}, {"bolt": 30}, "bolt", 50) == 40


def test_reorder_quantity_nothing_needed():
    assert reorder_quantity({"bolt": 90}, {}, "bolt", 50) == 0


def test_receive_does_not_mutate():
    stock = {"bolt": 1}
    assert receive(stock, {"bolt": 4, "nut": 2}) == {"bolt": 5, "nut": 2}
    assert stock == {"bolt": 1}


def test_stock_value():
    assert stock_value({"bolt": 10, "nut": 4}, {"bolt": 0.5, "nut": 0.25}) == 6.0
