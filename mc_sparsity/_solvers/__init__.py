"""Iterative solvers and their zeros (ISTA, FISTA, CD, subgradient), and scikit-learn's tolerance."""
