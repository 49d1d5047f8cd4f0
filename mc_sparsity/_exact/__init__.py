"""Reference values: exact laws and numerical integrals (mathematics only, no I/O)."""
