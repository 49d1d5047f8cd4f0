"""numpy's PCG64 and its standard normals, inlined into the compiled kernels.

A numba kernel that calls ``rng.standard_normal()`` on a numpy ``Generator``
reaches the bit generator through a function pointer: an opaque call per
normal, around which the compiler must keep every value of the loop in
memory.  Here the same generator is compiled into the kernel itself: its
128-bit state lives in a small ``uint64`` array (:func:`state_of`), the
step is numpy's (``state = state * M + inc``, then the XSL-RR output), and
:func:`standard_normal` is numpy's ziggurat (numba's copy of
``random_standard_normal``, with its tables), so the draws are numpy's, bit
for bit (tested against ``Generator.standard_normal``).

The kernels take a ``Generator`` (the engine's protocol) and hand its state
to the compiled loop (:func:`state_of`), then write the advanced state back
(:func:`store_state`): the Generator continues exactly as if it had drawn the
normals itself.
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic
from numba.np.random._constants import fi_double, ki_double, wi_double, ziggurat_nor_inv_r, ziggurat_nor_r

__all__ = ["state_of", "store_state", "run_on_state", "next_uint64", "next_double", "standard_normal"]

#: numpy's PCG64 multiplier (``PCG_DEFAULT_MULTIPLIER_128``).
MULTIPLIER = (2549297995355413924 << 64) + 4865540595714422341
_MASK64 = (1 << 64) - 1


def state_of(rng: np.random.Generator) -> np.ndarray:
    """The PCG64 state of ``rng`` as ``uint64[4]``: state high, low, increment high, low.

    Examples
    --------
    >>> s = state_of(np.random.default_rng(0))
    >>> s.dtype, s.shape
    (dtype('uint64'), (4,))
    """
    bit_generator = rng.bit_generator
    if not isinstance(bit_generator, np.random.PCG64):
        raise TypeError(f"the compiled kernels draw from numpy's PCG64, got {type(bit_generator).__name__}")
    st = bit_generator.state["state"]
    return np.array([st["state"] >> 64, st["state"] & _MASK64, st["inc"] >> 64, st["inc"] & _MASK64],
                    dtype=np.uint64)


def store_state(rng: np.random.Generator, state: np.ndarray) -> None:
    """Write the advanced ``state`` (:func:`state_of`) back into ``rng``."""
    full = rng.bit_generator.state
    full["state"]["state"] = (int(state[0]) << 64) | int(state[1])
    rng.bit_generator.state = full


def run_on_state(compiled, rng: np.random.Generator, *args) -> None:
    """``compiled(state, *args)`` on the PCG64 state of ``rng`` (:func:`state_of`), then ``rng`` advanced past
    the normals it drew (:func:`store_state`): a kernel that draws inline, called as one that takes ``rng``."""
    state = state_of(rng)
    compiled(state, *args)
    store_state(rng, state)


@intrinsic
def _advance(typingctx, hi, lo, inc_hi, inc_lo):
    """One step of PCG64: ``(output, new hi, new lo)``; ``state = state * M + inc`` on 128 bits, XSL-RR output."""
    u64 = types.uint64
    result = types.UniTuple(u64, 3)
    sig = result(u64, u64, u64, u64)

    def codegen(context, builder, signature, args):
        i64, i128 = ir.IntType(64), ir.IntType(128)

        def join(high, low):
            return builder.or_(builder.shl(builder.zext(high, i128), ir.Constant(i128, 64)), builder.zext(low, i128))

        s = builder.add(builder.mul(join(args[0], args[1]), ir.Constant(i128, MULTIPLIER)), join(args[2], args[3]))
        new_hi = builder.trunc(builder.lshr(s, ir.Constant(i128, 64)), i64)
        new_lo = builder.trunc(s, i64)
        # XSL-RR: (hi ^ lo) rotated right by the top 6 bits, written so that LLVM emits one rotate
        x = builder.xor(new_hi, new_lo)
        rot = builder.lshr(new_hi, ir.Constant(i64, 58))
        back = builder.and_(builder.neg(rot), ir.Constant(i64, 63))
        out = builder.or_(builder.lshr(x, rot), builder.shl(x, back))
        return context.make_tuple(builder, result, [out, new_hi, new_lo])

    return sig, codegen


@numba.njit(inline="always")
def next_uint64(hi, lo, inc_hi, inc_lo):  # pragma: no cover - compiled
    """numpy's ``PCG64`` ``next_uint64``: ``(value, hi, lo)``, the state advanced."""
    return _advance(hi, lo, inc_hi, inc_lo)


@numba.njit(inline="always")
def next_double(hi, lo, inc_hi, inc_lo):  # pragma: no cover - compiled
    """numpy's ``next_double`` (the top 53 bits over ``2**53``): ``(value, hi, lo)``."""
    r, hi, lo = _advance(hi, lo, inc_hi, inc_lo)
    return np.float64(r >> np.uint64(11)) * (1.0 / 9007199254740992.0), hi, lo


@numba.njit(inline="always")
def standard_normal(hi, lo, inc_hi, inc_lo):  # pragma: no cover - compiled
    """numpy's ziggurat ``random_standard_normal`` (numba's copy, its tables): ``(value, hi, lo)``.

    The state travels in scalars, not in memory, so that the compiler keeps it
    in registers across a kernel's loop.
    """
    while 1:
        r, hi, lo = _advance(hi, lo, inc_hi, inc_lo)
        idx = r & 0xff
        r >>= 8
        sign = r & 0x1
        rabs = (r >> 1) & 0x000fffffffffffff
        x = rabs * wi_double[idx]
        if (sign & 0x1):
            x = -x
        if rabs < ki_double[idx]:
            return x, hi, lo
        if idx == 0:
            while 1:
                u, hi, lo = next_double(hi, lo, inc_hi, inc_lo)
                xx = -ziggurat_nor_inv_r * np.log1p(-u)
                u, hi, lo = next_double(hi, lo, inc_hi, inc_lo)
                yy = -np.log1p(-u)
                if (yy + yy > xx * xx):
                    if ((rabs >> 8) & 0x1):
                        return -(ziggurat_nor_r + xx), hi, lo
                    else:
                        return ziggurat_nor_r + xx, hi, lo
        else:
            u, hi, lo = next_double(hi, lo, inc_hi, inc_lo)
            if (fi_double[idx - 1] - fi_double[idx]) * u + fi_double[idx] < np.exp(-0.5 * x * x):
                return x, hi, lo
