"""Designs: the Gram matrix G = X^T X of a fixed design, one type for every design."""
