"""``python -m mc_sparsity`` is the ``mc-sparsity`` command.

Ctrl-C, SIGTERM and a hang-up are held from the first line of the package's ``__init__`` (imported first)
until :func:`mc_sparsity.cli.main` has its handlers in place.
"""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
