"""A small ledger of text and number helpers: the target the evaluation benchmarks evolve."""
