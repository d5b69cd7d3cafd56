"""Rendering INI-style configuration text."""
