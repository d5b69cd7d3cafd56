"""Parsing delimited records."""
