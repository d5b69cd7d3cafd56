"""Benchmarks run only when named (``python -m pytest benchmarks/...``); the target's own tests are data."""

collect_ignore = ["target"]
