"""Exceptions raised by dealsim.

Every error that bad input can cause is a :class:`DealsimError`, which is a
:class:`ValueError`, so ``except ValueError`` keeps working for callers that do
not know dealsim. Messages name the argument and echo the value.
"""

from __future__ import annotations

__all__ = [
    "CorrelationError",
    "DeadlineExceeded",
    "DealsimError",
    "InvalidCashflowsError",
    "InvalidParameterError",
    "ResultFileError",
    "RunCancelled",
    "RunStopped",
    "UnknownNameError",
]


class DealsimError(ValueError):
    """Base class of every dealsim input error."""


class InvalidParameterError(DealsimError):
    """A parameter (a rate, share, amount, count or option) is out of its domain."""


class InvalidCashflowsError(DealsimError):
    """A cash-flow array is empty, non-numeric or holds NaN/inf."""


class CorrelationError(DealsimError):
    """A correlation matrix is not square, symmetric, unit-diagonal or positive semi-definite,
    or it names an uncertainty that does not exist."""


class UnknownNameError(InvalidParameterError):
    """A name (an uncertainty, a key of a scenario or request) that dealsim does not know:
    usually a misspelling; the message suggests the nearest valid name."""


class ResultFileError(InvalidParameterError):
    """A results file that :func:`dealsim.interfaces.io.load` cannot use: missing, empty, truncated,
    foreign (not written by :func:`dealsim.io.save`) or inconsistent (arrays whose length
    disagrees with its ``n``). The message says which."""


class RunStopped(Exception):  # noqa: N818 - a stop, not a failure of the input
    """A Monte Carlo run stopped early at a block boundary (deadline or cancel hook).

    Raised only when the caller asked for it (``on_stop="raise"``); ``result`` holds the
    reproducible prefix that was computed (the same rows as a full run's first rows).
    Not a :class:`DealsimError`: the input was fine, the run was cut.
    """

    def __init__(self, message: str, result: object = None) -> None:
        super().__init__(message)
        self.result = result


class DeadlineExceeded(RunStopped, TimeoutError):
    """The run's ``deadline`` (seconds) passed before every block was computed."""


class RunCancelled(RunStopped):
    """The run's progress callback returned ``False`` (asked to stop)."""
