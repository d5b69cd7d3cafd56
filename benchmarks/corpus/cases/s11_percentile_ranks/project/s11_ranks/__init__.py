"""Percentile ranks."""
