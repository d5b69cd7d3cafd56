"""Word statistics of plain text (corpus case r16)."""
