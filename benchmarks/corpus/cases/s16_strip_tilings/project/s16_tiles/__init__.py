"""Tiling a strip."""
