"""Pairs of numbers with a given sum."""
