"""Optional compiled kernel for the Monte Carlo path (extra ``dealsim[fast]``, numba).

One fused pass per scenario does what :func:`dealsim.deal._simulation_outputs` does
with whole-block numpy operations: cash flows, fees, tax, the aggregate waterfall,
IRR (the same grid bracket and safeguarded Newton as :func:`dealsim.irr`), NPVs and
MOIC. Nothing of size ``(scenarios, periods)`` is materialised, so the pass runs
from cache instead of memory.

The numpy path stays the reference: the kernel repeats its arithmetic operation for
operation and agrees with it within 1e-12 (only summation orders differ: BLAS and
numpy's pairwise sums against plain loops). It is used by :func:`dealsim.simulate`
with ``backend="numba"``, or ``"auto"`` when numba is importable and the deal uses the
aggregate reading (see :func:`resolve`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _validate as v
from .cashflows import _escalated, _spend_table
from .errors import InvalidParameterError
from .metrics import _grid_matrix

if TYPE_CHECKING:
    from .deal import Deal

__all__ = ["available", "irr_2d", "resolve", "simulation_outputs"]

_BACKENDS = ("auto", "numpy", "numba")
#: Fewest rows per thread for which :func:`irr_2d` splits the work (below it a thread's
#: start-up costs more than it saves).
_ROWS_PER_THREAD = 8192


def resolve(backend: str, deal: Deal) -> str:
    """The backend that will run ``deal``: ``"numba"`` or ``"numpy"``.

    ``"auto"`` picks numba when it is importable and the deal uses the aggregate
    reading (the kernel's scope); ``"numba"`` insists on it.

    Raises
    ------
    InvalidParameterError
        If ``backend`` is unknown, or ``"numba"`` is asked for without numba or for the
        scheduled reading.
    """
    if backend not in _BACKENDS:
        raise InvalidParameterError(f"backend must be one of {_BACKENDS}; got {backend!r}")
    fits = deal.terms.reading == "aggregate"
    if backend == "numba":
        if not available():
            raise InvalidParameterError(
                "backend='numba' needs numba: pip install 'dealsim[fast]'")
        if not fits:
            raise InvalidParameterError(
                f"backend='numba' supports the aggregate reading only; got "
                f"{deal.terms.reading!r}")
        return "numba"
    return "numba" if backend == "auto" and fits and available() else "numpy"


@cache
def available() -> bool:
    """Whether numba can be imported (the ``fast`` extra)."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def irr_2d(cf: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.int8]]:
    """Compiled :func:`dealsim.metrics._irr_2d`: IRR and status of every row of ``(S, T)``.

    The same grid, bracket choice, Newton safeguards and statuses, one row at a time;
    agrees with the numpy path within 1e-12. The kernel releases the GIL, so large
    inputs are split into one contiguous chunk per CPU and run on a thread pool made
    for the call (rows are independent: the result does not depend on the split).
    """
    from ._kernels_numba import irr_rows

    rows = np.ascontiguousarray(cf, dtype=np.float64)
    n_rows = rows.shape[0]
    rate = np.empty(n_rows)
    status = np.empty(n_rows, dtype=np.int8)
    mat = _grid_matrix(rows.shape[1])
    workers = min(os.cpu_count() or 1, n_rows // _ROWS_PER_THREAD)
    if workers <= 1:
        irr_rows(rows, mat, rate, status)
        return rate, status
    edges = np.linspace(0, n_rows, workers + 1).astype(int)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda a, b: irr_rows(rows[a:b], mat, rate[a:b], status[a:b]),
                      edges[:-1], edges[1:]))
    return rate, status


def _compiled() -> Any:
    """The fused kernel (numba compiles it on first use and caches it on disk)."""
    from ._kernels_numba import fused

    return fused


def _factor(draws: Mapping[str, ArrayLike], key: str, name: str, default: float, n: int,
            **bounds: Any) -> NDArray[np.float64]:
    if key not in draws:
        return np.full(n, default)
    arr = v.as_factor(name, draws[key], **bounds)
    return np.ascontiguousarray(np.broadcast_to(arr, (n,)), dtype=np.float64)


def simulation_outputs(
    deal: Deal, draws: Mapping[str, ArrayLike], *, horizon: int
) -> dict[str, NDArray[Any]] | None:
    """Kernel version of the outputs of :func:`dealsim.deal._simulation_outputs`.

    Returns None where the kernel does not apply (numba missing, the scheduled
    reading), so that the caller falls back to the numpy path. ``draws`` holds
    arrays of one length (one block).
    """
    if deal.terms.reading != "aggregate" or not available():
        return None
    n = max(np.size(x) for x in draws.values()) if draws else 1
    prj = deal.project
    over = _factor(draws, "overrun", "overrun", 1.0, n, low=0.0, low_open=True)
    dly = _factor(draws, "delay", "delay", 0.0, n, low=0.0)
    if not np.array_equal(dly, np.round(dly)):
        raise InvalidParameterError(f"delay must be whole years; got {draws['delay']!r}")
    dly_i = dly.astype(np.int64)
    cap = _factor(draws, "capacity", "capacity_achieved", 1.0, n, low=0.0)
    pf = _factor(draws, "price", "price_factor", 1.0, n, low=0.0)
    ff = _factor(draws, "fuel", "fuel_factor", 1.0, n, low=0.0)
    uf = _factor(draws, "utilisation", "utilisation_factor", 1.0, n, low=0.0)
    deemed = _factor(draws, "deemed_rate", "deemed_rate", deal.terms.deemed_rate, n,
                     low=-1.0, low_open=True)
    disc = deemed if deal.discount_rate is None else np.full(n, deal.discount_rate)

    c_years, life = int(prj.construction_years), int(prj.operating_life)
    max_delay = int(dly_i.max()) if n else 0
    needed = c_years + life + max_delay
    if horizon < needed:
        raise InvalidParameterError(
            f"horizon must be >= construction_years + operating_life + max(delay) = {needed}; "
            f"got {horizon}")
    for item in deal.fees:
        if n and int(c_years + max_delay) + item.span > horizon:
            return None  # let the numpy path raise its own message
    spend = _spend_table(prj.spend_profile or (1.0,), max_delay, horizon)
    fees = np.array(
        [[f.total / f.installments, f.installments, f.start_offset, f.capacity_target,
          1.0 if f.rule == "pro_rata" else 0.0] for f in deal.fees],
        dtype=np.float64,
    ).reshape(len(deal.fees), 5)
    ints = np.array([c_years, life, int(prj.depreciation_years or life)], dtype=np.int64)
    reals = np.array([prj.capex, prj.output_per_year, prj.capacity, prj.tax_rate,
                      deal.terms.share_before, deal.terms.share_after])
    out: dict[str, NDArray[Any]] = {
        "investor_irr": np.empty(n), "irr_status": np.empty(n, dtype=np.int8),
        "investor_npv": np.empty(n), "host_npv": np.empty(n), "investor_moic": np.empty(n),
        "recovered_at": np.empty(n, dtype=np.int64), "fee_paid": np.empty(n, dtype=bool),
        "fee_pv": np.empty(n),
    }
    _compiled()(
        over, dly_i, cap, pf, ff, uf, deemed, disc, spend,
        _escalated(prj.price, prj.price_escalation, horizon),
        _escalated(prj.variable_cost, prj.cost_escalation, horizon),
        _escalated(prj.fuel_intensity * prj.fuel_price, prj.fuel_escalation, horizon),
        _escalated(prj.fixed_om, prj.cost_escalation, horizon),
        fees, ints, reals, _grid_matrix(horizon), *out.values(),
    )
    return out
