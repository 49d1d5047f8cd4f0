"""Numbers and study-file text as the report writes them.

Examples
--------
>>> fmt(0.52031), fmt(3.2e-7), fmt(float("nan"))
('0.5203', '3.20e-07', '-')
>>> beta_text((0.5, 0.5, 0.5, 0.5)), beta_text((1.0, 0.3))
('(0.5, ..., 0.5) (p = 4)', '(1, 0.3)')
"""

from __future__ import annotations

import html
import math
import re

__all__ = ["fmt", "beta_text", "escape_text"]


def fmt(x, digits=4) -> str:
    """A number for the report: ``-`` where there is none (never ``nan``)."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    if x == 0:
        return "0"
    if abs(x) < 10 ** -digits:
        return f"{x:.2e}"
    return f"{x:.{digits}f}"


def beta_text(beta) -> str:
    """``(0.5, 0.5, 0.5, 0.5)`` -> ``(0.5, ..., 0.5) (p = 4)``; short vectors in full."""
    values = [f"{v:g}" for v in beta]
    if len(values) > 3 and len(set(values)) == 1:
        return f"({values[0]}, ..., {values[0]}) (p = {len(values)})"
    return "(" + ", ".join(values) + ")"


def escape_text(text) -> str:
    """``text`` from a study file, safe inside Markdown and HTML: one line, no markup."""
    text = " ".join(str(text).split())
    text = html.escape(text, quote=True)
    return re.sub(r"([\\`*_{}\[\]()#+!|<>~-])", r"\\\1", text)
