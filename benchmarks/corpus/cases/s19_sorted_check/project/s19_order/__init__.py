"""Checking order."""
