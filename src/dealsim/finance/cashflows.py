"""Project + scenario factors -> annual cash-flow line items.

Everything is vectorised over scenarios: each factor may be a scalar or an array
over scenario axes, and every line item comes back with shape ``(..., T)``
(scenarios first, years last).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dealsim.common import validate as v
from dealsim.common.facts import SOFTBANK_FEE_JPY_PER_USD
from dealsim.errors import InvalidParameterError
from dealsim.kernels import steps as _steps
from dealsim.kernels.steps import LineParams
from dealsim.model.fees import DeveloperFee
from dealsim.model.operations import Operations, delay_spend_table
from dealsim.model.project import Project

__all__ = ["CashflowLines", "build_cashflows"]

F64 = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class CashflowLines:
    """Annual line items of one or many scenarios, each of shape ``(..., T)``.

    Costs (``capex``, ``opex``, ``tax``, ``fee``) are positive amounts; ``net`` is
    ``revenue - opex - tax - fee - capex``, the cash the project needs (< 0) or can
    distribute (>= 0) — the input of :func:`dealsim.finance.waterfall`.

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
def _spend_table(profile: tuple[float, ...], max_delay: int, horizon: int,
                 escalation: float = 0.0, delay_cost: float = 0.0) -> F64:
    """Row ``d``: the capex profile stretched over ``len(profile) + d`` years.

    The cumulative spending curve is kept (piecewise linear in the fraction of the
    construction period elapsed), so by default a delayed project spends the same
    total, more slowly; :func:`dealsim.model.operations.delay_spend_table` (which this is)
    escalates the deferred spend and adds a cost per year of delay when asked.
    """
    return delay_spend_table(profile, max_delay, horizon, escalation=escalation,
                             delay_cost=delay_cost)


def _escalated(base: float, rate: float, horizon: int) -> F64:
    with np.errstate(over="ignore"):  # an overflow is reported with the line it spoils
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
    usdjpy: ArrayLike = SOFTBANK_FEE_JPY_PER_USD,
    fees: Sequence[DeveloperFee] = (),
    horizon: int | None = None,
    operations: Operations | None = None,
    tax_share: float = 1.0,
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
    usdjpy : float or array, shape (...)
        Yen per dollar (> 0) at which fees in yen convert; default ¥159/$ (the rate the
        presets' SoftBank fee was converted at; ``docs/sources.md``). Unused without yen fees.
    fees : sequence of DeveloperFee
        Fees paid as project costs ahead of the split.
    horizon : int, optional
        Years on the grid (T). Default: ``construction_years + operating_life +
        max(delay)``. A Monte Carlo engine fixes it so that every block has the same T.
    operations : Operations, optional
        Dispatch, delay costs and end of life (:mod:`dealsim.model.operations`). Default
        ``Operations()`` (economic dispatch, delays that cost, nothing at the end of
        life); ``Operations.legacy()`` is the levels model of earlier versions.
    tax_share : float
        Share of the margin taxed at ``project.tax_rate``, in [0, 1] (default 1: the
        SPV's whole margin; :meth:`Operations.tax_share` gives it for a deal's terms).

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
    factors = _check_factors(dict(
        overrun=overrun, delay=delay, capacity_achieved=capacity_achieved,
        price_factor=price_factor, fuel_factor=fuel_factor,
        utilisation_factor=utilisation_factor, usdjpy=usdjpy))
    dly = factors["delay"]
    max_delay = int(dly.max()) if dly.size else 0
    horizon = _check_horizon(project, max_delay, horizon)
    batch = _batch_shape({k: x.shape for k, x in factors.items()}, "scenario factors")
    for item in fees:
        if dly.size and project.construction_years + max_delay + item.span > horizon:
            raise InvalidParameterError(
                f"horizon must cover the fee's {item.installments} installments after "
                f"commercial operation (year index {project.construction_years + max_delay}); "
                f"got horizon={horizon}")
    ops = _DEFAULT_OPS if operations is None else operations
    if not isinstance(ops, Operations):
        raise InvalidParameterError(f"operations must be an Operations; got {operations!r}")
    share = v.fraction("tax_share", tax_share, allow_zero=True)
    lp = _line_params(project, tuple(fees), horizon, max_delay, ops, share)
    flat = {k: np.broadcast_to(x, batch).reshape(-1) for k, x in factors.items()}
    lines = _cashflows_core(lp, flat, batch, int(project.first_year))
    if not np.isfinite(lines.net).all():
        raise InvalidParameterError(_overflow_message(project, lines, factors, batch))
    return lines


def over_time(x: NDArray[Any], horizon: int) -> NDArray[Any]:
    """A per-scenario ``(S,)`` level as a ``(T, S)`` path (a read-only view), or an
    ``(S, T)`` path as ``(T, S)``: what :mod:`dealsim.kernels.steps` reads as ``x[t]``."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 2:
        return x.T
    return np.broadcast_to(x, (horizon, x.size))


#: Longest construction delay accepted, in whole years (an assumption: ten times the
#: longest delay of the reference classes' high end, 10 years). It bounds the grid and
#: the capex table, so that an absurd delay is refused at once instead of running out
#: of memory.
MAX_DELAY = 100
#: Longest grid accepted, in years (an assumption, far beyond any project's life).
MAX_HORIZON = 1000

#: The domain of each scenario factor: (lowest value, whether it is excluded).
FACTOR_DOMAINS: dict[str, tuple[float, bool]] = {
    "overrun": (0.0, True),
    "delay": (0.0, False),
    "capacity_achieved": (0.0, False),
    "price_factor": (0.0, False),
    "fuel_factor": (0.0, False),
    "utilisation_factor": (0.0, False),
    "usdjpy": (0.0, True),
}
#: The value of a factor that is not given (1, except no delay and ¥159/$: the rate at
#: which the presets' yen fee was converted: the articles' FX, ``docs/sources.md``).
FACTOR_DEFAULTS: dict[str, float] = {"delay": 0.0, "usdjpy": SOFTBANK_FEE_JPY_PER_USD}


def _batch_shape(shapes: Mapping[str, tuple[int, ...]], what: str) -> tuple[int, ...]:
    """The broadcast shape of named inputs; the error names each input's shape."""
    try:
        return np.broadcast_shapes(*shapes.values())
    except ValueError as exc:
        raise InvalidParameterError(
            f"{what} must broadcast together; got shapes "
            + ", ".join(f"{k}={sh}" for k, sh in shapes.items() if sh)) from exc


def _check_factors(factors: Mapping[str, ArrayLike]) -> dict[str, NDArray[Any]]:
    """Validated scenario factors as arrays; ``delay`` as whole years in int64."""
    out: dict[str, NDArray[Any]] = {}
    for name, value in factors.items():
        low, low_open = FACTOR_DOMAINS[name]
        high = float(MAX_DELAY) if name == "delay" else math.inf
        arr = v.as_factor(name, value, low=low, low_open=low_open, high=high)
        if name == "delay":
            if not np.array_equal(arr, np.round(arr)):
                raise InvalidParameterError(f"delay must be whole years; got {value!r}")
            arr = arr.astype(np.int64)
        out[name] = arr
    return out


def _check_horizon(project: Project, max_delay: int, horizon: int | None) -> int:
    """The grid length: ``horizon`` checked against the latest operating year."""
    needed = int(project.construction_years) + int(project.operating_life) + max_delay
    if horizon is None:
        horizon = needed
    horizon = v.integer("horizon", horizon, minimum=1)
    if horizon < needed:
        raise InvalidParameterError(
            f"horizon must be >= construction_years + operating_life + max(delay) = {needed}; "
            f"got {horizon}"
        )
    if horizon > MAX_HORIZON:
        raise InvalidParameterError(
            f"horizon must be <= {MAX_HORIZON} years (construction, delay and operating life "
            f"together); got {horizon}")
    return horizon


#: The default operations (the owner's model; :class:`~dealsim.model.operations.Operations`).
_DEFAULT_OPS = Operations()


@lru_cache(maxsize=64)
def _line_params(project: Project, fees: tuple[DeveloperFee, ...], horizon: int,
                 max_delay: int, ops: Operations = _DEFAULT_OPS,
                 tax_share: float = 1.0) -> LineParams:
    """The :class:`dealsim.kernels.steps.LineParams` of ``project`` and ``fees`` on a grid.

    ``ops`` chooses dispatch, delay costs and the end of life; ``tax_share`` is the
    share of the margin taxed (``ops.tax``: 1 on the SPV's margin, the investor's
    ``share_before``, or 0; the caller knows the terms).
    """
    life = int(project.operating_life)
    spend = _spend_table(project.spend_profile or (1.0,), max_delay, horizon,
                         project.cost_escalation if ops.delay_escalation else 0.0,
                         ops.delay_cost)
    total = spend.sum(axis=1)
    total.setflags(write=False)
    paths = [_escalated(project.price, project.price_escalation, horizon),
             _escalated(project.variable_cost, project.cost_escalation, horizon),
             _escalated(project.fuel_intensity * project.fuel_price,
                        project.fuel_escalation, horizon),
             _escalated(project.fixed_om, project.cost_escalation, horizon)]
    fee_arrays: list[NDArray[Any]] = [
        np.array([f.total / f.installments for f in fees], dtype=np.float64),
        np.array([f.installments for f in fees], dtype=np.int64),
        np.array([f.start_offset for f in fees], dtype=np.int64),
        np.array([f.capacity_target for f in fees], dtype=np.float64),
        np.array([f.rule == "pro_rata" for f in fees], dtype=np.bool_),
        np.array([f.currency == "JPY" for f in fees], dtype=np.bool_),
    ]
    terminal = _escalated(ops.end_of_life * project.capex, project.cost_escalation, horizon)
    for arr in [*paths, *fee_arrays, terminal]:
        arr.setflags(write=False)
    return LineParams(
        construction_years=int(project.construction_years),
        operating_life=life,
        depreciation_years=int(project.depreciation_years or life),
        capex=float(project.capex),
        output=float(project.output_per_year),
        capacity=float(project.capacity),
        tax_rate=float(project.tax_rate) * tax_share,
        spend=spend,
        spend_total=total,
        price=paths[0],
        variable_cost=paths[1],
        fuel_cost=paths[2],
        fixed_om=paths[3],
        fee_amount=fee_arrays[0],
        fee_count=fee_arrays[1],
        fee_start=fee_arrays[2],
        fee_target=fee_arrays[3],
        fee_pro_rata=fee_arrays[4],
        fee_yen=fee_arrays[5],
        economic_dispatch=ops.dispatch == "economic",
        mothball_after=int(ops.mothball_after or 0),
        mothball_fixed_share=float(ops.mothball_fixed_share),
        terminal=terminal,
    )


def _cashflows_core(lp: LineParams, factors: Mapping[str, NDArray[Any]],
                    batch: tuple[int, ...], first_year: int) -> CashflowLines:
    """Line items of ``S`` scenarios (flat, checked factors), period by period."""
    dly = factors["delay"]
    items = np.empty((6, lp.price.size, dly.size))  # _steps.LINE_ITEMS by year, scenario
    with np.errstate(all="ignore"):  # an overflow is reported in the caller's terms
        _steps.scenario_lines(lp, dly, factors["overrun"], factors["capacity_achieved"],
                              over_time(factors["price_factor"], lp.price.size),
                              over_time(factors["fuel_factor"], lp.price.size),
                              factors["utilisation_factor"],
                              over_time(factors["usdjpy"], lp.price.size), items)
    horizon = lp.price.size
    lines = np.ascontiguousarray(items.transpose(0, 2, 1)).reshape(6, *batch, horizon)
    return CashflowLines(
        capex=lines[0], revenue=lines[1], opex=lines[2], tax=lines[3], fee=lines[4],
        net=lines[5], cod=(lp.construction_years + dly).reshape(batch),
        first_year=first_year)


#: Each line item, the formula behind it, and the scenario factors and project fields
#: that feed it: how an overflow is reported in the user's terms.
_LINE_INPUTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "capex": ("project.capex x overrun", ("overrun",), ("capex",)),
    "revenue": ("output_per_year x capacity_achieved x utilisation_factor x price_factor x "
                "price x (1 + price_escalation)**t",
                ("capacity_achieved", "utilisation_factor", "price_factor"),
                ("output_per_year", "price", "price_escalation")),
    "opex": ("output x (variable_cost + fuel_factor x fuel_intensity x fuel_price, "
             "escalated) + fixed_om",
             ("capacity_achieved", "utilisation_factor", "fuel_factor"),
             ("variable_cost", "fuel_intensity", "fuel_price", "fixed_om", "cost_escalation",
              "fuel_escalation")),
    "fee": ("developer fee installments", ("capacity_achieved",), ()),
    "tax": ("tax_rate x (revenue - opex - fee - depreciation)", (), ("tax_rate",)),
    "net": ("revenue - opex - tax - fee - capex", (), ()),
}


def _overflow_message(project: Project, lines: CashflowLines,
                      factors: Mapping[str, NDArray[Any]], batch: tuple[int, ...]) -> str:
    """Which line item overflowed float64 first, in which scenario and year, and the
    inputs behind it."""
    for item, (formula, names, fields) in _LINE_INPUTS.items():
        arr = getattr(lines, item)
        bad = ~np.isfinite(arr)
        if not bad.any():
            continue
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        scenario, t = where[:-1], where[-1]
        used = {k: np.broadcast_to(factors[k], batch)[scenario].item() for k in names}
        given = ", ".join([f"{k}={x!r}" for k, x in used.items()]
                          + [f"project.{f}={getattr(project, f)!r}" for f in fields])
        at = f"scenario {scenario}, " if scenario else ""
        return (f"the cash flows overflow float64: {item} is {arr[where].item()!r} in "
                f"{at}year {lines.first_year + t} (index {t}); {item} = {formula}"
                + (f", with {given}" if given else "")
                + "; the inputs are too large for float64 arithmetic")
    return "the cash flows overflow float64"
