"""Smoothing series."""
