"""Shared foundations: the error model and parameter validation (no numpy-heavy imports)."""
