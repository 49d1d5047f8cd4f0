"""Colours and the matplotlib set-up shared by the report's figures."""

from __future__ import annotations

__all__ = ["LASSO_COLOUR", "RIDGE_COLOUR", "REGION_COLOUR"]

LASSO_COLOUR = "#c0392b"
RIDGE_COLOUR = "#2471a3"
REGION_COLOUR = "#bbbbbb"


def _setup():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")
    return plt, sns




def _legend_dot(handle):
    """A visible legend marker for a faint, tiny scatter."""
    from matplotlib.collections import PathCollection
    from matplotlib.lines import Line2D

    if isinstance(handle, PathCollection):
        return Line2D([], [], ls="none", marker="o", ms=6, color=handle.get_facecolor()[0], alpha=1.0)
    return handle

