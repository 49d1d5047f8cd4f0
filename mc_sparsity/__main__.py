"""``python -m mc_sparsity`` is the ``mc-sparsity`` command."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
