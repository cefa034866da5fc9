"""Turning local changes into shared records: payloads (consent) and change capture."""
