"""Edit distances between strings."""
