"""Order-preserving de-duplication."""
