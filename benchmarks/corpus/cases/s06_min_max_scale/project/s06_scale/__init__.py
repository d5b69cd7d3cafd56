"""Rescaling numeric data."""
