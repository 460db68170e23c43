"""One citation record: :class:`Source` (what it says, when, how far to trust it).

The grades are those of the project's sources page (``docs/sources.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from dealsim.errors import InvalidParameterError

__all__ = ["CONFIDENCE", "Confidence", "Source"]

Confidence = Literal["official", "press", "seed", "derived", "assumption"]


#: Confidence grades of the sources page (``docs/sources.md``): government document,
#: named press source, only in the original news articles, arithmetic on the above, ours.
CONFIDENCE: tuple[str, ...] = get_args(Confidence)


@dataclass(frozen=True, slots=True)
class Source:
    """One citation: what it says, when it was published, how far to trust it.

    Parameters
    ----------
    citation : str
        Publication and the figure it supports.
    date : str
        Publication date, ISO style (``"2026-03-19"``, or ``"2025-11"`` when only the
        month is known).
    confidence : {"official", "press", "seed", "derived", "assumption"}
        As defined on the sources page (``docs/sources.md``).

    Examples
    --------
    >>> Source("FT: fee cut by more than 90%", "2026-03-19", "press").confidence
    'press'
    >>> Source("x", "2026", "rumour")
    Traceback (most recent call last):
    ...
    dealsim.errors.InvalidParameterError: confidence must be one of ('official', 'press', \
'seed', 'derived', 'assumption'); got 'rumour'
    """

    citation: str
    date: str
    confidence: Confidence

    def __post_init__(self) -> None:
        if self.confidence not in CONFIDENCE:
            raise InvalidParameterError(
                f"confidence must be one of {CONFIDENCE}; got {self.confidence!r}")
        for name in ("citation", "date"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise InvalidParameterError(
                    f"{name} must be a non-empty str; got {getattr(self, name)!r}")

    def __str__(self) -> str:
        return f"{self.citation} ({self.date}) [{self.confidence}]"
