"""Named random streams: every random number of the package comes from one of these.

A run has one root ``numpy.random.SeedSequence`` (from ``rng``/``seed``).  Its
children are keyed by ``spawn_key`` tuples appended to the root's own key:

=====================  =========================================  =========================================
stream                 key appended to ``root.spawn_key``          used by
=====================  =========================================  =========================================
block ``b``            ``(b,)``, ``0 <= b < MAX_BLOCKS``           the engine: replication blocks (Monte Carlo)
``name``, ``*key``     ``(STREAM_BASE + CODES[name], *key)``       everything else (below)
=====================  =========================================  =========================================

``STREAM_BASE = 2**48`` lies above every block index (``MAX_BLOCKS = 2**44``,
what ``MAX_REPS = 2**62`` replications in blocks of ``2**18`` need), so a named
stream never coincides with a block; distinct names have distinct codes.
Inside a named stream the engine's blocks are again ``(b,)`` children, so a
named stream can be handed to :func:`~mc_sparsity._mc.engine.run_kernel` as
a root.  Two streams with different ``(name, key)`` are different children:
no two uses share random numbers (tested).
"""

from __future__ import annotations

import numpy as np

__all__ = ["STREAM_BASE", "MAX_BLOCKS", "CODES", "named_stream", "block_stream"]

#: Block indices stay below this (checked where blocks are made).
MAX_BLOCKS = 2**44
#: Named streams start here, above every block index.
STREAM_BASE = 2**48

#: Every named stream and its code; a code is never reused for another purpose.
CODES = {
    "importance": 1,   # importance-sampling rows of a study (key: none)
    "solvers": 2,      # the solver study's runs (key: the table's index)
    "sklearn": 3,      # scikit-learn's tolerance study: design (0) and data (1)
    "figures": 4,      # draws made for a figure (key: the figure's number)
    "recovery": 5,     # random-design support recovery (key: scenario index)
    "transition": 6,   # random measurements, basis pursuit (key: scenario index)
    "paired": 7,       # paired comparisons drawn apart from a scenario (key: index)
    "zhao_yu": 8,      # Zhao and Yu's example 1 in the report (key: index)
}


def named_stream(root: np.random.SeedSequence, name: str, *key: int) -> np.random.SeedSequence:
    """The child of ``root`` that the stream ``name`` (with ``key``) draws from.

    Examples
    --------
    >>> root = np.random.SeedSequence(1)
    >>> named_stream(root, "recovery", 3).spawn_key == (2**48 + 5, 3)
    True
    >>> named_stream(root, "nonesuch")
    Traceback (most recent call last):
    ...
    KeyError: "no random stream named 'nonesuch'"
    """
    if name not in CODES:
        raise KeyError(f"no random stream named {name!r}")
    if any(int(k) < 0 for k in key):
        raise ValueError(f"stream keys are non-negative integers, got {key}")
    return np.random.SeedSequence(root.entropy, spawn_key=tuple(root.spawn_key) + (STREAM_BASE + CODES[name],
                                                                                     *map(int, key)),
                                  pool_size=root.pool_size)


def block_stream(root: np.random.SeedSequence, block: int) -> np.random.SeedSequence:
    """Block ``block``'s child of ``root``: what ``root.spawn`` would give as its ``block``-th child."""
    if not 0 <= block < MAX_BLOCKS:
        raise ValueError(f"block index {block} outside [0, 2**44)")
    return np.random.SeedSequence(root.entropy, spawn_key=tuple(root.spawn_key) + (int(block),),
                                  pool_size=root.pool_size)
