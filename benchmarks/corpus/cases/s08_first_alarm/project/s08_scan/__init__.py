"""Scanning sensor readings."""
