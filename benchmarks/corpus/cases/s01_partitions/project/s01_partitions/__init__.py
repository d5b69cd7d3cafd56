"""Integer partitions."""
