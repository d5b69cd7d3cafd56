from shop.pricing import cheapest, is_bulk, order_total


def test_small_order_is_not_bulk():
    assert not is_bulk(9)


def test_threshold_order_is_bulk():
    assert is_bulk(10)


def test_large_order_is_bulk():
    assert is_bulk(11)


def test_small_order_pays_full_price():
    assert order_total(2.0, 3) == 6.0


def test_threshold_order_gets_the_discount():
    assert order_total(2.0, 10) == 18.0


def test_large_order_gets_the_discount():
    assert order_total(1.0, 20) == 18.0


def test_cheapest():
    assert cheapest([3.5, 1.25, 2.0]) == 1.25


def test_cheapest_of_nothing():
    assert cheapest([]) is None


def test_totals_are_rounded_to_cents():
    assert order_total(1.25, 3) == 3.75
    assert order_total(0.333, 3) == 1.0
