"""``python -m mc_sparsity`` is the ``mc-sparsity`` command."""

import signal

if __name__ == "__main__" and hasattr(signal, "pthread_sigmask"):
    # Ctrl-C (and SIGTERM, a hang-up: cli.HELD_AT_START) is held while the modules load (main() releases
    # it: a Ctrl-C pressed meanwhile then exits 130 cleanly, not with a traceback from inside an import).
    # Threads that libraries start meanwhile (BLAS, numba) inherit the mask, so a Ctrl-C always reaches
    # the main thread.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})

from .cli import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
