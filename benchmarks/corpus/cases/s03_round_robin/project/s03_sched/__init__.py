"""Round-robin scheduling."""
