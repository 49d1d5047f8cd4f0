"""The package's error model.

* :class:`ParameterError` (a ``ValueError``): a bad input value, carrying the
  name of the parameter, so that the command line can name its option and a
  study file its key.  Raised before any work is done.
* ``TypeError``: a keyword that does not exist, or a value of the wrong type.
* Anything else is a runtime failure or a bug, never reported as bad input.
"""

from __future__ import annotations

__all__ = ["ParameterError", "UsageError"]


class ParameterError(ValueError):
    """A bad value for the parameter ``parameter``.

    Parameters
    ----------
    parameter : str
        The parameter's name as the Python API spells it (``"lam"``,
        ``"beta"``, ``"l1_ratio"``, ...).
    message : str
        What is wrong, starting with the parameter's name.

    Examples
    --------
    >>> err = ParameterError("sigma", "sigma must be > 0, got -1.0")
    >>> err.parameter, str(err)
    ('sigma', 'sigma must be > 0, got -1.0')
    >>> isinstance(err, ValueError)
    True
    """

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


class UsageError(Exception):
    """Bad input found by a command itself (an output path that cannot be written, ...): exit 2, one line."""
