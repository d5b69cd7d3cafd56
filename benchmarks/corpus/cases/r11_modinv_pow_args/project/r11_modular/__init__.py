"""Arithmetic modulo a prime (corpus case r11)."""
