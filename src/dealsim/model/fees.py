"""Contingent developer fees, paid as a project cost ahead of the cash-flow split.

The model is SoftBank's fee on the Ohio gas plant (FT, 19 Mar 2026; ``docs/sources.md``): a fixed
amount paid in equal annual installments from commercial operation, only if the
plant reaches its target capacity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dealsim.common import facts as _facts
from dealsim.common import serial as _serial
from dealsim.common import validate as v
from dealsim.common.facts import SOFTBANK_FEE_JPY_PER_USD  # noqa: F401  (kept importable from here)
from dealsim.errors import InvalidParameterError
from dealsim.kernels import steps as _steps

__all__ = ["DeveloperFee"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DeveloperFee(_serial.Plain):
    """A developer fee paid in equal annual installments if a capacity target is met.

    Parameters
    ----------
    total : float
        Total fee, nominal, in ``currency``, in [0, 1e15] (the bound of a money amount,
        :data:`dealsim.common.validate.MONEY_MAX`: finite float64 arithmetic).
    installments : int
        Number of equal annual installments (>= 1).
    capacity_target : float
        Target capacity in the project's capacity unit (MW for power), in [1e-3, 1e9]
        (the bounds of :attr:`Project.capacity <dealsim.model.project.Project>`).
    rule : {"all_or_nothing", "pro_rata"}
        ``"all_or_nothing"``: the whole fee is paid iff achieved capacity >=
        target (a relative tolerance, ``dealsim.kernels.steps.FEE_TOLERANCE`` = 1e-9,
        absorbs float noise);
        ``"pro_rata"``: the fee is scaled by ``min(1, achieved / target)``.
    start_offset : int
        Years after the first operating year at which the first installment falls
        (>= 0). Default 0: paid from commercial operation.
    currency : {"USD", "JPY"}
        Currency of ``total``. A ``"JPY"`` fee is converted installment by installment
        at the scenario's USD/JPY of the year it is paid (the ``usdjpy`` draw, or its
        path with :class:`dealsim.model.market.Market`); :meth:`flows` stays in the fee's
        currency. Default ``"USD"``.
    name : str
        Label.
    sources, assumptions : tuple of str
        Citations and labelled assumptions.

    Notes
    -----
    The fee is a project cost: it is deducted from net cash *before* the MOU
    waterfall, so while the 50/50 tier applies the investor bears half of it.

    Examples
    --------
    >>> fee = DeveloperFee(total=30.0, installments=3, capacity_target=10.0)
    >>> fee.flows(cod=[1, 2], capacity=[10.0, 9.0], horizon=5)
    array([[ 0., 10., 10., 10.,  0.],
           [ 0.,  0.,  0.,  0.,  0.]])
    >>> DeveloperFee(total=30.0, installments=0, capacity_target=10.0)
    Traceback (most recent call last):
    ...
    dealsim.errors.InvalidParameterError: installments must be an integer >= 1; got 0
    """

    total: float
    installments: int
    capacity_target: float
    rule: Literal["all_or_nothing", "pro_rata"] = "all_or_nothing"
    start_offset: int = 0
    currency: Literal["USD", "JPY"] = "USD"
    name: str = "developer fee"
    sources: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", v.bounded("total", self.total, 0.0, v.MONEY_MAX))
        object.__setattr__(self, "installments",
                           v.integer("installments", self.installments, minimum=1))
        object.__setattr__(self, "capacity_target", v.bounded(
            "capacity_target", self.capacity_target, v.CAPACITY_MIN, v.CAPACITY_MAX))
        if self.rule not in ("all_or_nothing", "pro_rata"):
            raise InvalidParameterError(
                f"rule must be 'all_or_nothing' or 'pro_rata'; got {self.rule!r}"
            )
        object.__setattr__(self, "start_offset",
                           v.integer("start_offset", self.start_offset, minimum=0))
        if self.currency not in ("USD", "JPY"):
            raise InvalidParameterError(
                f"currency must be 'USD' or 'JPY'; got {self.currency!r}")
        v.text("name", self.name)
        object.__setattr__(self, "sources", v.strings("sources", self.sources))
        object.__setattr__(self, "assumptions", v.strings("assumptions", self.assumptions))

    @property
    def span(self) -> int:
        """Years from commercial operation to the last installment, inclusive."""
        return int(self.start_offset) + int(self.installments)

    def paid_share(self, capacity: ArrayLike) -> NDArray[np.float64]:
        """Share of the fee that is paid given achieved capacity (same unit as the target).

        Examples
        --------
        >>> DeveloperFee(total=1.0, installments=1, capacity_target=10.0,
        ...              rule="pro_rata").paid_share([5.0, 12.0])
        array([0.5, 1. ])
        """
        cap = v.as_factor("capacity", capacity, low=0.0)
        share = _steps.fee_share(cap / self.capacity_target, self.rule == "pro_rata")
        return np.asarray(share, dtype=np.float64)

    def flows(self, *, cod: ArrayLike, capacity: ArrayLike, horizon: int) -> NDArray[np.float64]:
        """Fee paid in each year of the grid, as a positive cost.

        Parameters
        ----------
        cod : int or array of int, shape (...)
            Grid index of the first operating year, per scenario.
        capacity : float or array, shape broadcastable with ``cod``
            Achieved capacity in the project's capacity unit.
        horizon : int
            Number of years on the grid (T).

        Returns
        -------
        ndarray, shape (..., T)
            Fee installments; zero outside the payment window or when not earned.

        Raises
        ------
        InvalidParameterError
            If an installment would fall beyond ``horizon``.
        """
        cod_f = v.as_factor("cod", cod, low=0.0)
        if not np.array_equal(cod_f, np.round(cod_f)):
            raise InvalidParameterError(f"cod must be whole year indices >= 0; got {cod!r}")
        share = self.paid_share(capacity)
        try:
            cod_arr, share = np.broadcast_arrays(cod_f.astype(np.int64), share)
        except ValueError as exc:
            raise InvalidParameterError(
                f"cod and capacity must broadcast together; got shapes {cod_f.shape} and "
                f"{share.shape}") from exc
        if cod_arr.size and int(cod_arr.max()) + self.span > horizon:
            raise InvalidParameterError(
                f"horizon must cover the fee's {self.installments} installments after "
                f"commercial operation (year index {int(cod_arr.max())}); got horizon={horizon}"
            )
        return _steps.fee_installment(np.arange(horizon), cod_arr[..., None], self.start_offset,
                                      self.installments,
                                      share[..., None] * (self.total / self.installments))

    @classmethod
    def softbank_ohio(cls) -> DeveloperFee:
        """SoftBank's reduced developer fee on the Ohio (Portsmouth) gas plant.

        The original ¥1tn proposal was cut by more than 90% (FT, 19 Mar 2026), so the
        final fee is under ¥100bn; it is paid over 15–20 years only if the 9.2 GW
        target capacity is achieved.

        Labelled assumptions: the fee is taken at its ¥100bn upper bound, converted at
        ¥159/$ (the articles' FX: ¥1tn ≈ $6.3bn; ``docs/sources.md``), paid in 15 equal annual
        installments (the short end of 15–20 years, the costlier end for the project)
        from commercial operation, all-or-nothing on 9,200 MW.

        Examples
        --------
        >>> fee = DeveloperFee.softbank_ohio()
        >>> round(fee.total / 1e6, 1), fee.installments, fee.capacity_target
        (628.9, 15, 9200.0)
        """
        return cls(**_facts.SOFTBANK_OHIO_FEE)  # figures and sources: dealsim.common.facts

    @classmethod
    def softbank_ohio_original(cls) -> DeveloperFee:
        """SoftBank's original ¥1tn (≈ $6.3bn) proposal, with the same payment terms.

        Examples
        --------
        >>> round(DeveloperFee.softbank_ohio_original().total / 1e9, 2)
        6.29
        """
        return cls(**_facts.SOFTBANK_OHIO_FEE_ORIGINAL)
