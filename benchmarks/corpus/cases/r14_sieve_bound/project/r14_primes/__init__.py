"""Primes by sieving and by trial division (corpus case r14)."""
