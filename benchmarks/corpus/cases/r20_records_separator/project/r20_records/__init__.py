"""Delimited text records (corpus case r20)."""
