"""Holding the terminal's signals over a few lines that must not be cut in the middle."""

from __future__ import annotations

import contextlib

__all__ = ["signals_blocked", "loky_teardown_quiet"]

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


@contextlib.contextmanager
def loky_teardown_quiet(enabled: bool = True):
    """Drop the one traceback loky's executor-manager thread can print when a Ctrl-C tears the executor down.

    A race inside loky: when a Ctrl-C stops the executor while its manager
    thread is queueing a task, the thread looks the cancelled task up and dies
    on a ``KeyError`` (seen once in a cold CI run, the Ctrl-C as the first
    worker started).  The command is ending on purpose and its counts are not a
    result.  A SIGINT during the run is recorded here as it arrives (before any
    teardown), and only after one is that report dropped; every other thread's
    report goes on as before.  The filter stays installed after the run: the
    thread may report as the command exits.
    """
    import signal
    import threading

    in_main = threading.current_thread() is threading.main_thread()
    if not enabled or not in_main:
        yield
        return
    interrupted = []
    previous_hook = threading.excepthook

    def hook(args):
        if (interrupted and args.thread is not None and args.thread.name == "ExecutorManagerThread"
                and issubclass(args.exc_type, KeyError)):
            return
        previous_hook(args)

    previous_handler = signal.getsignal(signal.SIGINT)

    def on_sigint(signum, frame):
        interrupted.append(signum)
        (previous_handler if callable(previous_handler) else signal.default_int_handler)(signum, frame)

    threading.excepthook = hook
    signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous_handler)
