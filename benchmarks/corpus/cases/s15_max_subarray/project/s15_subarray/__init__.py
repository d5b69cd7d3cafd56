"""Best contiguous runs."""
