"""Character frequencies."""
