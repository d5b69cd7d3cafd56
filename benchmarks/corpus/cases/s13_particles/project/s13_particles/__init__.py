"""A small particle simulation."""
