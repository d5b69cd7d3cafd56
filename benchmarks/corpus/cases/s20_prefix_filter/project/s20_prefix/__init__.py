"""Prefix search over names."""
