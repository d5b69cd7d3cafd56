"""Word filtering."""
