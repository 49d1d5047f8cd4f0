"""Presentation: the report, its figures and the explorer page; they only render."""
