"""Benchmarks of mc_sparsity: ``python benchmarks/run.py`` (see its docstring)."""
