"""Benchmarks run only when named (``python -m pytest benchmarks/...``); the target's own tests are data,
and so are the search-quality corpus's cases (``corpus/cases/*/project/tests``)."""

collect_ignore = ["target", "corpus"]
