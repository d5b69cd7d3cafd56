"""Runs in sequences (corpus case r03)."""
