"""A developer fee fixed in yen, each installment converted at that year's USD/JPY.

SoftBank's Ohio fee is a yen amount (under ¥100bn after the >90% cut of a ¥1tn
proposal; FT, 19 Mar 2026). The Ohio preset holds it in yen ;
:meth:`DeveloperFee.softbank_ohio` is the dollar fee converted once at ¥159/$.
In a simulation, a :class:`~dealsim.model.fees.DeveloperFee` with ``currency="JPY"`` is
converted installment by installment at the scenario's USD/JPY (its draw, or its path
with :class:`dealsim.model.market.Market`), in the shared steps of both backends.
:class:`YenFee` is the same conversion outside a simulation, for flows and paths you
hold: a weaker yen (more yen per dollar) makes the fee cheaper in dollars.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dealsim.common.facts import SOFTBANK_FEE_JPY_PER_USD
from dealsim.errors import InvalidParameterError
from dealsim.model.fees import DeveloperFee

__all__ = ["YenFee"]


@dataclass(frozen=True, slots=True)
class YenFee:
    """A :class:`~dealsim.model.fees.DeveloperFee` whose ``total`` is in yen.

    Parameters
    ----------
    fee : DeveloperFee
        Its ``total`` is read as **yen**; installments, target, rule and offset as usual.

    Examples
    --------
    >>> yf = YenFee(DeveloperFee(total=3000.0, installments=2, capacity_target=1.0))
    >>> yf.usd_flows(cod=[0], capacity=[1.0], horizon=3, usdjpy=[[100.0, 150.0, 150.0]])
    array([[15., 10.,  0.]])
    >>> yf.at_fixed_rate(150.0).total
    20.0
    """

    fee: DeveloperFee = field()

    def __post_init__(self) -> None:
        if not isinstance(self.fee, DeveloperFee):
            raise InvalidParameterError(f"fee must be a DeveloperFee; got {self.fee!r}")

    @classmethod
    def softbank_ohio(cls) -> YenFee:
        """SoftBank's reduced Ohio fee in yen: ¥100bn (assumptions as
        :meth:`DeveloperFee.softbank_ohio`, less the fixed FX). Its ``fee`` has
        ``currency="JPY"``, so it can go into a :class:`~dealsim.Deal` as it is.

        Examples
        --------
        >>> YenFee.softbank_ohio().fee.total
        100000000000.0
        """
        usd = DeveloperFee.softbank_ohio()
        return cls(DeveloperFee(
            total=usd.total * SOFTBANK_FEE_JPY_PER_USD, installments=usd.installments,
            capacity_target=usd.capacity_target, rule=usd.rule,
            start_offset=usd.start_offset, currency="JPY", name=usd.name + ", in yen",
            sources=usd.sources,
            assumptions=tuple(a for a in usd.assumptions if not a.startswith("FX"))))

    def at_fixed_rate(self, usdjpy: float) -> DeveloperFee:
        """The dollar fee at one rate for every installment (as in earlier versions, at ¥159)."""
        rate = float(np.asarray(self._rates(usdjpy)))
        return DeveloperFee(
            total=self.fee.total / rate, installments=self.fee.installments,
            capacity_target=self.fee.capacity_target, rule=self.fee.rule,
            start_offset=self.fee.start_offset, name=self.fee.name,
            sources=self.fee.sources, assumptions=self.fee.assumptions)

    @staticmethod
    def _rates(usdjpy: ArrayLike) -> NDArray[np.float64]:
        rate = np.asarray(usdjpy, dtype=np.float64)
        bad = ~np.isfinite(rate) | (rate <= 0)
        if bad.any():
            raise InvalidParameterError(
                f"usdjpy must be yen per dollar > 0; got {float(rate[bad].flat[0])!r}")
        return rate

    def usd_flows(self, *, cod: ArrayLike, capacity: ArrayLike, horizon: int,
                  usdjpy: ArrayLike) -> NDArray[np.float64]:
        """Fee installments in USD, each at its year's USD/JPY.

        Parameters
        ----------
        cod, capacity, horizon
            As in :meth:`DeveloperFee.flows`.
        usdjpy : float or array_like
            Yen per dollar (> 0): a scalar, one per scenario (shape of ``cod``
            broadcast with ``capacity``, i.e. ``(S,)``), or paths ``(S, T)``.

        Returns
        -------
        ndarray, shape (..., T)
            ``yen installment / usdjpy[t]`` in each payment year.
        """
        yen = self.fee.flows(cod=cod, capacity=capacity, horizon=horizon)
        rate = self._rates(usdjpy)
        if rate.ndim and rate.ndim == yen.ndim - 1:
            rate = rate[..., None]
        try:
            return yen / rate
        except ValueError as exc:
            raise InvalidParameterError(
                f"usdjpy must be a scalar, one rate per scenario or paths broadcastable to "
                f"{yen.shape}; got shape {rate.shape}") from exc
