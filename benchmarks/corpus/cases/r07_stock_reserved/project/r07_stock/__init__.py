"""Warehouse stock keeping (corpus case r07)."""
