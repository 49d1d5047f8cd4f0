"""Holding the terminal's signals over a few lines that must not be cut in the middle."""

from __future__ import annotations

import contextlib

__all__ = ["signals_blocked"]

#: Ctrl-C, SIGTERM and a hang-up: the signals that end a command.
ENDING_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


@contextlib.contextmanager
def signals_blocked():
    """Block :data:`ENDING_SIGNALS` in this thread for the block; one sent meanwhile acts as it ends.

    Python runs a signal's handler between two bytecodes of the main thread, so
    an exception from it (``KeyboardInterrupt``, or the command's SIGTERM
    handler) can cut any multi-step operation in two; blocked, the signal stays
    pending and its handler runs once the mask is restored, after the block.

    Examples
    --------
    >>> with signals_blocked():
    ...     pass
    """
    import signal

    signals = {getattr(signal, name) for name in ENDING_SIGNALS if hasattr(signal, name)}
    if not signals or not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not POSIX
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
