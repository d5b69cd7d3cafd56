"""Stock keeping for a small warehouse.

``stock`` maps a SKU to the units on the shelves, ``reserved`` maps a SKU to
the units promised to open orders; a SKU missing from a mapping has zero.
"""


def available(stock, reserved, sku):
    """Units of ``sku`` that can still be promised: on hand minus reserved, at least 0."""
    on_hand = stock.get(sku, 0)
    held = reserved.get(sku, 0)
    return max(0, on_hand + held)


def reorder_quantity(stock, reserved, sku, target):
    """Units to order so that the available units of ``sku`` reach ``target``."""
    return max(0, target - available(stock, reserved, sku))


def receive(stock, shipment):
    """New stock mapping after a shipment (SKU -> units) arrives; inputs are not changed."""
    updated = dict(stock)
    for sku, units in shipment.items():
        updated[sku] = updated.get(sku, 0) + units
    return updated


def stock_value(stock, prices):
    """Total value of the units on hand at the given unit prices."""
    return sum(units * prices[sku] for sku, units in stock.items())
