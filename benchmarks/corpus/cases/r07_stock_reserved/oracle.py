"""Random stock and reservation maps over a few SKUs."""

_SKUS = ["bolt", "nut", "washer", "screw"]


def _counts(rng):
    return {sku: rng.randint(0, 30) for sku in _SKUS if rng.random() < 0.7}


def inputs(rng, n):
    calls = []
    for _ in range(n):
        stock, reserved, sku = _counts(rng), _counts(rng), rng.choice(_SKUS)
        if rng.random() < 0.5:
            calls.append(("r07_stock.stock:available", (stock, reserved, sku), {}))
        else:
            calls.append(("r07_stock.stock:reorder_quantity", (stock, reserved, sku, rng.randint(0, 60)), {}))
    return calls
