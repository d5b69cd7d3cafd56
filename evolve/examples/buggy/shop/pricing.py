"""Prices of orders in a small shop.

One deliberate bug: an order of exactly ``BULK_THRESHOLD`` items should get
the bulk discount and does not. One comparison-operator edit fixes it, which
is what ``python -m evolve repair --config experiments/repair.yaml`` finds.
"""

BULK_THRESHOLD = 10
BULK_DISCOUNT = 0.1


def is_bulk(quantity):
    """An order of BULK_THRESHOLD items or more is a bulk order."""
    return quantity > BULK_THRESHOLD


def order_total(unit_price, quantity):
    """Price of an order, bulk discount included, rounded to cents."""
    total = unit_price * quantity
    if is_bulk(quantity):
        total = total * (1 - BULK_DISCOUNT)
    return round(total, 2)


def cheapest(prices):
    """The lowest price; None for no prices."""
    if not prices:
        return None
    return min(prices)
