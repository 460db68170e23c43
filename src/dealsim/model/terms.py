"""Contract terms of a deal: plain, validated, frozen value objects (no arrays here).

What-if variants are made with :func:`dataclasses.replace`, which re-runs the
validation::

    >>> import dataclasses
    >>> from dealsim.model.terms import DealTerms
    >>> base = DealTerms.japan_2025()
    >>> dataclasses.replace(base, deemed_rate=0.06, reading="scheduled").deemed_rate
    0.06
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal, get_args

from dealsim.common import facts as _facts
from dealsim.common import serial as _serial
from dealsim.common import validate as _validate
from dealsim.errors import InvalidParameterError

__all__ = ["READINGS", "DealTerms", "Reading"]

Reading = Literal["aggregate", "scheduled"]
#: The readings of the Deemed Allocation Amount that :func:`dealsim.waterfall` supports.
READINGS: tuple[str, ...] = get_args(Reading)

_JAPAN_SOURCES: tuple[str, ...] = _facts.JAPAN_2025_SOURCES  # figures: dealsim.common.facts


@dataclass(frozen=True, slots=True, kw_only=True)
class DealTerms(_serial.Plain):
    """Terms of the two-tier cash-flow split between an investor and a host.

    The investor (Japan in the 2025 MOU) funds the project. Distributable cash is
    split ``share_before`` / ``1 - share_before`` (investor / host) until the investor
    has recovered its Deemed Allocation Amount, then ``share_after`` /
    ``1 - share_after``. How "recovered" is read is chosen by ``reading``; see
    :func:`dealsim.finance.waterfall.waterfall` for the exact rules of each reading.

    Parameters
    ----------
    deemed_rate : float, default 0.0
        Deemed interest rate per period (decimal) accruing on the unrecovered Deemed
        Allocation balance, in [-0.5, 10]: far outside any real rate, and the NPVs
        discount at it by default -- at a rate near -1 the factor ``1 / (1 + r)`` a year
        overflowed the NPV to inf; at 1e10 the balance overflowed within 30 years
        (:data:`dealsim.common.validate.DISCOUNT_MIN`, ``RATE_MAX``). The Monte Carlo may
        override it per scenario.
    share_before : float, default 0.5
        Investor's share of distributable cash in the first tier, in (0, 1].
    share_after : float, default 0.1
        Investor's share after recovery, in [0, 1].
    reading : {"aggregate", "scheduled"}, default "aggregate"
        ``"aggregate"``: one balance (capital + deemed interest - investor's first-tier
        receipts); the whole balance is due at once. ``"scheduled"``: a loan-like
        installment schedule with arrears carried forward.
    amortisation_periods : int, default 20
        Scheduled reading only: number of periods (>= 1) over which the principal is
        repaid, counted from the schedule's start.
    name : str, default ""
        Free-text label.
    sources : tuple of str, default ()
        Citations for the values (one string per source).

    Raises
    ------
    InvalidParameterError
        If a field is out of its domain; the message names the field and echoes
        the value.

    Examples
    --------
    >>> DealTerms(share_before=0.5, share_after=0.1).reading
    'aggregate'
    >>> DealTerms(share_before=1.5)
    Traceback (most recent call last):
    ...
    dealsim.errors.InvalidParameterError: share_before must be in (0, 1]; got 1.5
    """

    deemed_rate: float = 0.0
    share_before: float = 0.5
    share_after: float = 0.1
    reading: Reading = "aggregate"
    amortisation_periods: int = 20
    name: str = ""
    sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # store the validated numbers (a float, not the "0.5" or True that was passed)
        object.__setattr__(self, "deemed_rate", _validate.bounded(
            "deemed_rate", self.deemed_rate, _validate.DISCOUNT_MIN, _validate.RATE_MAX))
        object.__setattr__(self, "share_before",
                           _validate.fraction("share_before", self.share_before))
        object.__setattr__(self, "share_after",
                           _validate.fraction("share_after", self.share_after, allow_zero=True))
        if self.reading not in READINGS:
            allowed = ", ".join(repr(r) for r in READINGS)
            raise InvalidParameterError(
                f"reading must be one of {allowed}; got {self.reading!r}"
            )
        object.__setattr__(self, "amortisation_periods", _validate.integer(
            "amortisation_periods", self.amortisation_periods, minimum=1))
        _validate.text("name", self.name)
        if not isinstance(self.sources, tuple):  # a list is refused (a value object's field)
            raise InvalidParameterError(f"sources must be a tuple of str; got {self.sources!r}")
        _validate.strings("sources", self.sources)  # also refuses a lone surrogate

    @classmethod
    def japan_2025(cls, *, reading: Reading = "aggregate") -> DealTerms:
        """Terms of the US-Japan MOU on Strategic Investments (4 Sep 2025), para. 13.

        50% US / 50% Japan until each side has received Japan's Deemed Allocation
        Amount, thereafter 90% US / 10% Japan (official). ``deemed_rate = 0.055`` and
        ``amortisation_periods = 20`` are ASSUMPTIONS taken from the OhmyNews worked
        example (6-month term SOFR ~4.5% + 1% spread; principal over 20 years): the
        actual spread schedule and amortisation convention are not public.

        Parameters
        ----------
        reading : {"aggregate", "scheduled"}, default "aggregate"
            Which reading of the Deemed Allocation Amount to use.

        Returns
        -------
        DealTerms

        References
        ----------
        .. [1] Cabinet written answer, 28 Nov 2025, 内閣衆質219第80号 (shugiin.go.jp).
        .. [2] OhmyNews worked example; R. Katz; St. Louis Fed (see
               ``docs/sources.md``).

        Examples
        --------
        >>> t = DealTerms.japan_2025()
        >>> (t.share_before, t.share_after, t.deemed_rate, t.amortisation_periods)
        (0.5, 0.1, 0.055, 20)
        """
        return cls(reading=reading, **_facts.JAPAN_2025_TERMS)

    @classmethod
    def korea_2025(cls, *, reading: Reading = "aggregate") -> DealTerms:
        """Terms of the US-Korea MOU (Nov 2025), read as the same split as Japan's.

        The Korean split is reported as "nearly identical" to Japan's (Newspim, press),
        so this is 50% US / 50% Korea until each side has received Korea's Deemed
        Allocation Amount, then 90% US / 10% Korea. The deemed rate (5.5%) and the
        20-period amortisation are the same ASSUMPTIONS as in :meth:`japan_2025`. The
        deal-level clauses -- a $20bn/yr funding cap and an adjustment if Korea clearly
        cannot recover its Deemed Allocation Amount within 20 years -- are not split
        terms; :func:`dealsim.presets.catalog` carries them on the ``korea_2025`` preset.

        Parameters
        ----------
        reading : {"aggregate", "scheduled"}, default "aggregate"

        Returns
        -------
        DealTerms

        References
        ----------
        .. [1] Newspim, Nov 2025 (``docs/sources.md``).

        Examples
        --------
        >>> k, j = DealTerms.korea_2025(), DealTerms.japan_2025()
        >>> (k.share_before, k.share_after, k.deemed_rate) == (j.share_before, j.share_after,
        ...                                                     j.deemed_rate)
        True
        """
        return dataclasses.replace(
            cls.japan_2025(reading=reading),
            name=_facts.KOREA_2025_NAME,
            sources=(_facts.KOREA_2025_SOURCE, _JAPAN_SOURCES[2]),
        )
