"""Repeats in sequences (corpus case r35)."""
