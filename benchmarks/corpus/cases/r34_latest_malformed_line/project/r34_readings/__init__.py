"""Sensor readings (corpus case r34)."""
