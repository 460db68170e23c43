"""Project + scenario factors -> annual cash-flow line items.

Everything is vectorised over scenarios: each factor may be a scalar or an array
over scenario axes, and every line item comes back with shape ``(..., T)``
(scenarios first, years last).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _validate as v
from .errors import InvalidParameterError
from .fees import DeveloperFee
from .project import Project

__all__ = ["CashflowLines", "build_cashflows"]

F64 = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class CashflowLines:
    """Annual line items of one or many scenarios, each of shape ``(..., T)``.

    Costs (``capex``, ``opex``, ``tax``, ``fee``) are positive amounts; ``net`` is
    ``revenue - opex - tax - fee - capex``, the cash the project needs (< 0) or can
    distribute (>= 0) — the input of :func:`dealsim.waterfall`.

    Attributes
    ----------
    capex, revenue, opex, tax, fee, net : ndarray, shape (..., T)
    cod : ndarray of int64, shape (...)
        Grid index of the first operating year (commercial operation date).
    first_year : int
        Calendar year of grid index 0.
    """

    capex: F64
    revenue: F64
    opex: F64
    tax: F64
    fee: F64
    net: F64
    cod: NDArray[np.int64]
    first_year: int

    @property
    def years(self) -> NDArray[np.int64]:
        """Calendar year of each period, shape (T,)."""
        return self.first_year + np.arange(self.net.shape[-1])


@lru_cache(maxsize=64)
def _spend_table(profile: tuple[float, ...], max_delay: int, horizon: int) -> F64:
    """Row ``d``: the capex profile stretched over ``len(profile) + d`` years.

    The cumulative spending curve is kept (piecewise linear in the fraction of the
    construction period elapsed), so a delayed project spends the same total, more
    slowly.
    """
    n = len(profile)
    knots = np.linspace(0.0, 1.0, n + 1)
    cum = np.concatenate(([0.0], np.cumsum(profile)))
    cum[-1] = 1.0
    table = np.zeros((max_delay + 1, horizon))
    for d in range(max_delay + 1):
        span = n + d
        edges = np.interp(np.arange(span + 1) / span, knots, cum)
        table[d, :span] = np.diff(edges)
    table.setflags(write=False)
    return table


def _escalated(base: float, rate: float, horizon: int) -> F64:
    return base * (1.0 + rate) ** np.arange(horizon, dtype=np.float64)


def build_cashflows(
    project: Project,
    *,
    overrun: ArrayLike = 1.0,
    delay: ArrayLike = 0,
    capacity_achieved: ArrayLike = 1.0,
    price_factor: ArrayLike = 1.0,
    fuel_factor: ArrayLike = 1.0,
    utilisation_factor: ArrayLike = 1.0,
    fees: Sequence[DeveloperFee] = (),
    horizon: int | None = None,
) -> CashflowLines:
    """Annual cash-flow line items of ``project`` under scenario factors.

    Parameters
    ----------
    project : Project
        The asset.
    overrun : float or array, shape (...)
        Capex factor (> 0): actual capex = ``project.capex * overrun``.
    delay : int or array of int, shape (...)
        Whole years of construction delay (>= 0). Construction is stretched over
        ``construction_years + delay`` years (same total, same cumulative shape) and
        commercial operation moves ``delay`` years later; the operating life is
        unchanged, so operations end ``delay`` years later too.
    capacity_achieved : float or array, shape (...)
        Achieved share of design capacity (>= 0); scales output and decides the
        developer fee.
    price_factor, fuel_factor, utilisation_factor : float or array, shape (...)
        Factors (>= 0) on the product price path, the fuel price path and the
        utilisation (capacity factor).
    fees : sequence of DeveloperFee
        Fees paid as project costs ahead of the split.
    horizon : int, optional
        Years on the grid (T). Default: ``construction_years + operating_life +
        max(delay)``. A Monte Carlo engine fixes it so that every block has the same T.

    Returns
    -------
    CashflowLines
        Line items of shape ``(..., T)`` where ``...`` is the broadcast shape of the
        factors (empty for all-scalar input).

    Raises
    ------
    InvalidParameterError
        If a factor is out of range or non-finite, ``delay`` is not whole years, or
        ``horizon`` is too short for the operating life (or a fee's installments)
        after the latest commercial operation date.

    Notes
    -----
    For year ``t`` (index from ``project.first_year``), with ``op[t]`` true in the
    ``operating_life`` years from commercial operation ``cod = construction_years +
    delay``, ``Q = output_per_year * capacity_achieved * utilisation_factor``::

        revenue[t] = op[t] * Q * price * price_factor * (1 + price_escalation)**t
        opex[t]    = op[t] * (Q * (variable_cost * (1 + cost_escalation)**t
                               + fuel_intensity * fuel_price * fuel_factor
                                 * (1 + fuel_escalation)**t)
                              + fixed_om * (1 + cost_escalation)**t)
        tax[t]     = tax_rate * max(0, revenue - opex - fee - depreciation)
        net[t]     = revenue - opex - tax - fee - capex

    Depreciation is straight-line over ``depreciation_years`` from ``cod``; there is
    no loss carry-forward (a simplification). Escalation runs from ``first_year``, so
    a delayed project sells at later, escalated prices.

    Examples
    --------
    >>> p = Project(name="toy", capex=100.0, construction_years=2, first_year=2026,
    ...             capacity=1.0, capacity_unit="t/yr", utilisation=1.0, price=30.0,
    ...             operating_life=3)
    >>> build_cashflows(p).net
    array([-50., -50.,  30.,  30.,  30.])
    >>> build_cashflows(p, overrun=[1.0, 1.5], delay=[0, 1]).net
    array([[-50., -50.,  30.,  30.,  30.,   0.],
           [-50., -50., -50.,  30.,  30.,  30.]])
    """
    over = v.as_factor("overrun", overrun, low=0.0, low_open=True)
    dly = v.as_factor("delay", delay, low=0.0)
    if not np.array_equal(dly, np.round(dly)):
        raise InvalidParameterError(f"delay must be whole years; got {delay!r}")
    dly_i = dly.astype(np.int64)
    cap = v.as_factor("capacity_achieved", capacity_achieved, low=0.0)
    pf = v.as_factor("price_factor", price_factor, low=0.0)
    ff = v.as_factor("fuel_factor", fuel_factor, low=0.0)
    uf = v.as_factor("utilisation_factor", utilisation_factor, low=0.0)

    c_years = int(project.construction_years)
    life = int(project.operating_life)
    max_delay = int(dly_i.max()) if dly_i.size else 0
    needed = c_years + life + max_delay
    if horizon is None:
        horizon = needed
    horizon = v.integer("horizon", horizon, minimum=1)
    if horizon < needed:
        raise InvalidParameterError(
            f"horizon must be >= construction_years + operating_life + max(delay) = {needed}; "
            f"got {horizon}"
        )

    shapes = {"overrun": over.shape, "delay": dly_i.shape, "capacity_achieved": cap.shape,
              "price_factor": pf.shape, "fuel_factor": ff.shape, "utilisation_factor": uf.shape}
    try:
        batch = np.broadcast_shapes(*shapes.values())
    except ValueError as exc:
        raise InvalidParameterError(
            "scenario factors must broadcast together; got shapes "
            + ", ".join(f"{k}={sh}" for k, sh in shapes.items() if sh)) from exc
    cod = np.broadcast_to(c_years + dly_i, batch)
    age = np.arange(horizon) - cod[..., None]
    op = (age >= 0) & (age < life)

    spend = _spend_table(project.spend_profile or (1.0,), max_delay, horizon)
    capex = spend[np.broadcast_to(dly_i, batch)]
    capex *= (project.capex * np.broadcast_to(over, batch))[..., None]

    output = project.output_per_year * cap * uf
    revenue = op * (output * pf)[..., None] * _escalated(project.price, project.price_escalation,
                                                         horizon)
    var_path = _escalated(project.variable_cost, project.cost_escalation, horizon)
    fuel_path = _escalated(project.fuel_intensity * project.fuel_price, project.fuel_escalation,
                           horizon)
    unit_cost = var_path + ff[..., None] * fuel_path
    opex = op * (output[..., None] * unit_cost
                 + _escalated(project.fixed_om, project.cost_escalation, horizon))
    opex = np.broadcast_to(opex, batch + (horizon,)).copy()
    revenue = np.broadcast_to(revenue, batch + (horizon,)).copy()

    fee = np.zeros(batch + (horizon,))
    for item in fees:
        fee += item.flows(cod=cod, capacity=project.capacity * cap, horizon=horizon)

    if project.tax_rate > 0:
        dep_years = int(project.depreciation_years or life)
        dep_window = (age >= 0) & (age < dep_years)
        depreciation = dep_window * (capex.sum(axis=-1) / dep_years)[..., None]
        taxable = revenue - opex - fee - depreciation
        tax = project.tax_rate * np.maximum(taxable, 0.0)
    else:
        tax = np.zeros(batch + (horizon,))

    net = revenue - opex
    net -= tax
    net -= fee
    net -= capex
    return CashflowLines(
        capex=capex, revenue=revenue, opex=opex, tax=tax, fee=fee, net=net,
        cod=np.array(cod, dtype=np.int64), first_year=int(project.first_year),
    )
