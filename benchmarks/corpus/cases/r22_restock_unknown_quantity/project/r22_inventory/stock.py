"""A small stock ledger read from "sku,quantity" lines; a blank quantity means unknown."""


def parse_line(line):
    """(sku, quantity) from "sku,quantity"; the quantity is None when it is left blank."""
    sku, _, qty = line.partition(",")
    sku, qty = sku.strip(), qty.strip()
    if not qty:
        return sku, None
    return sku, int(qty)


def load(lines):
    """{sku: quantity} from lines, skipping blank lines and # comments; later lines win."""
    stock = {}
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        sku, qty = parse_line(line)
        stock[sku] = qty
    return stock


def total_units(stock):
    """Sum of the known quantities."""
    return sum(qty for qty in stock.values() if qty is not None)


def restock_needed(stock, minimum):
    """Sorted skus whose quantity is unknown or below minimum."""
    return sorted(sku for sku, qty in stock.items() if qty < minimum)
