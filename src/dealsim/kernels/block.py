"""One block of Monte Carlo scenarios through the model, on either backend.

The arithmetic lives once, in :mod:`dealsim.kernels.steps`. :func:`block_outputs` runs its
scenario passes either vectorised across the block (numpy: a
loop over periods) or through the fused compiled kernel of
:mod:`dealsim.kernels.fused` (extra ``dealsim[fast]``: a loop over scenarios, then
periods, on scalars; nothing of size ``(scenarios, periods)`` is materialised). The two
agree within 1e-12 (the same steps in the same order; the IRR search differs only in
summation order). Both support every deal: both readings, every fee rule.

This layer knows no :class:`~dealsim.model.deal.Deal`: it receives the NamedTuples of
parameters built by its caller and checked factors. :func:`resolve` says which
backend runs; nothing falls back silently.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dealsim.errors import InvalidParameterError
from dealsim.kernels import steps as _steps
from dealsim.kernels.irr import _irr_2d
from dealsim.kernels.irr_core import grid_matrix
from dealsim.kernels.steps import LineParams, PathParams, SplitParams

__all__ = ["available", "block_outputs", "resolve"]

_BACKENDS = ("auto", "numpy", "numba")


def resolve(backend: str, deal: object = None) -> str:
    """The backend that will run: ``"numba"`` or ``"numpy"``.

    Both backends support every deal (both readings, every fee), so the choice depends
    on the installation only: ``"auto"`` picks numba when it is importable, ``"numba"``
    insists on it. ``deal`` is accepted for callers of the former signature and unused.

    Raises
    ------
    InvalidParameterError
        If ``backend`` is unknown, or ``"numba"`` is asked for without numba installed.
    """
    if backend not in _BACKENDS:
        raise InvalidParameterError(f"backend must be one of {_BACKENDS}; got {backend!r}")
    if backend == "numba" and not available():
        raise InvalidParameterError(
            "backend='numba' needs numba, which is not importable: pip install 'dealsim[fast]'")
    return "numba" if backend != "numpy" and available() else "numpy"


@cache
def available() -> bool:
    """Whether numba can be imported (the ``fast`` extra)."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


#: The raw per-scenario outputs of :func:`block_outputs`, in the kernel's argument order.
RAW_OUTPUTS: dict[str, type] = {
    "investor_irr": np.float64, "irr_status": np.int8, "investor_npv": np.float64,
    "host_npv": np.float64, "fee_pv": np.float64, "fee_total": np.float64,
    "received": np.float64, "paid": np.float64, "recovered_at": np.int64,
}


_scratch = threading.local()
#: The path numbers of a market of levels (no family is read).
_LEVELS = PathParams()


def _workspace(horizon: int, n: int) -> tuple[NDArray[np.float64], ...]:
    """This thread's scratch arrays for a numpy block: ``fee``, ``net``, ``investor``
    (``(horizon, n)``) and ``flows`` (``(n, horizon)``), every element overwritten by
    each block.

    Kept between blocks (and calls) by the thread: fresh arrays of a block's size are
    new pages that the OS faults in and zeroes, measured at a fifth of a numpy block.
    A thread keeps one set, of the largest block it ran (22 MiB at 16,384 scenarios
    and 43 periods); the threads of :func:`dealsim.simulate`'s pool end with the call.
    """
    held = getattr(_scratch, "arrays", None)
    if held is None or held[0].shape[0] != horizon or held[0].shape[1] < n:
        held = _scratch.arrays = (np.empty((horizon, n)), np.empty((horizon, n)),
                                  np.empty((horizon, n)), np.empty((n, horizon)))
    fee, net, inv, flows = held
    return fee[:, :n], net[:, :n], inv[:, :n], flows[:n]


def _scratch_array(name: str, shape: tuple[int, ...], n: int, axis: int) -> NDArray[np.float64]:
    """This thread's scratch array ``name`` for a numpy block of ``n`` scenarios along
    ``axis`` (0 or last), reused between blocks like :func:`_workspace`'s."""
    held: dict[str, NDArray[np.float64]] = _scratch.__dict__.setdefault("named", {})
    arr = held.get(name)
    if arr is None or arr.shape[axis] < n or arr.ndim != len(shape) or any(
            a != b for i, (a, b) in enumerate(zip(arr.shape, shape, strict=True))
            if i != axis % len(shape)):
        arr = held[name] = np.empty(shape)
    return arr[:n] if axis == 0 else arr[..., :n]


def _innovations(gen: Any, n: int, horizon: int, k: int) -> NDArray[np.float64]:
    """A block's innovations from ``gen``, drawn as ``(n, horizon, k)`` in C order (the
    rows of :func:`dealsim.model.market.block_generators`) and returned as a period-first view
    ``(horizon, k, n)`` (a transposing copy was measured no faster). The families share
    one scratch array: each is consumed before the next is drawn."""
    held = _scratch_array("innovations", (n, horizon, 2), n, 0).reshape(-1)
    z = held[:n * horizon * k].reshape(n, horizon, k)
    gen.standard_normal(out=z)
    return np.moveaxis(z, 0, -1)


def _numpy_paths(pp: PathParams, gens: tuple[Any, ...], price: NDArray[np.float64],
                 fuel: NDArray[np.float64], usdjpy: NDArray[np.float64],
                 rate: NDArray[np.float64], n: int, horizon: int,
                 fx_years: tuple[int, int] = (0, -1)) -> tuple[NDArray[np.float64], ...]:
    """The block's market rows ``(T, n)`` for the numpy path: a family's path from its
    stream where ``gens`` has one (one draw of the block's innovations, then the steps
    of :mod:`dealsim.kernels.steps` across the block), else its level as a view. USD/JPY is
    evaluated in the years ``fx_years`` (``first >= last``: every year), 1.0 elsewhere."""
    gp, gr, gx = gens
    rows = [_period_rows(x, n, horizon) for x in (price, fuel, usdjpy, rate)]
    if gp is not None:
        rows[0] = _scratch_array("power", (horizon, n), n, -1)
        rows[1] = _scratch_array("fuel", (horizon, n), n, -1)
        with np.errstate(divide="ignore"):  # a factor of 0 stays 0: log -inf, exp 0
            x, y = np.log(price), np.log(fuel)
        _steps.price_paths(pp, x, y, _innovations(gp, n, horizon, 2), rows[0],
                           rows[1], 0, horizon)
    if gx is not None:
        rows[2] = _scratch_array("usdjpy", (horizon, n), n, -1)
        first, last = fx_years if fx_years[0] < fx_years[1] else (0, horizon)
        _steps.fx_path(pp, np.log(usdjpy), _innovations(gx, n, horizon, 1)[:, 0], rows[2],
                       first, last)
    if gr is not None:
        rows[3] = _scratch_array("deemed", (horizon, n), n, -1)
        _steps.deemed_path(pp, rate - pp.spread, _innovations(gr, n, horizon, 1)[:, 0],
                           rows[3])
    return tuple(rows)


def _scenario_rows(x: NDArray[np.float64], n: int, horizon: int) -> NDArray[np.float64]:
    """A level ``(n,)`` or path ``(n, T)`` as ``(n, T)``: row ``i`` is scenario ``i``'s
    path (the compiled kernel's layout; a level is a read-only zero-stride view)."""
    return x if x.ndim == 2 else np.broadcast_to(x[:, None], (n, horizon))


def _period_rows(x: NDArray[np.float64], n: int, horizon: int) -> NDArray[np.float64]:
    """A level ``(n,)`` or path ``(n, T)`` as ``(T, n)``: row ``t`` is period ``t`` across
    the block (the numpy path's layout; views, no copies)."""
    return x.T if x.ndim == 2 else np.broadcast_to(x, (horizon, n))


def block_outputs(
    lp: LineParams, sp: SplitParams, factors: Mapping[str, NDArray[Any]],
    rate: NDArray[np.float64], disc: NDArray[np.float64] | None, *, paths: int,
    backend: str, out: Mapping[str, NDArray[Any]] | None = None,
    pp: PathParams = _LEVELS, gens: tuple[Any, ...] = (None, None, None),
) -> dict[str, NDArray[Any]]:
    """Run :func:`~dealsim.kernels.steps.scenario_lines` and
    :func:`~dealsim.kernels.steps.scenario_split`
    over one block of scenarios, then the IRR.

    ``factors`` holds checked ``(n,)`` arrays (``delay`` in int64, the others float64)
    under the keyword names of :func:`dealsim.build_cashflows`; ``rate`` and ``disc``
    are the deemed and discount rates (``disc`` None: discount at the deemed rate,
    path included). ``price_factor``, ``fuel_factor``, ``usdjpy``, ``rate`` and ``disc``
    may also be ``(n, T)`` paths (a level is a path that never moves).
    ``gens`` holds the block's innovation streams ``(prices, sofr, usdjpy)`` of
    :func:`dealsim.model.market.block_generators` (None: that family keeps its level): the
    family's path starts at its ``(n,)`` level and moves by the steps of
    :mod:`dealsim.kernels.steps` with the numbers ``pp``, generated inside the block (numpy:
    the block's innovations drawn at once; numba: a scenario's row at a time, the same
    numbers), so no ``(n, T)`` path is built outside it.
    ``backend`` is ``"numpy"`` (a loop over periods, vectorised across the block) or
    ``"numba"`` (the fused kernel: a loop over scenarios, then periods, on scalars).
    Returns :data:`RAW_OUTPUTS` and, with ``paths > 0``, ``path:investor`` and
    ``path:balance`` of the first ``paths`` scenarios. Outputs
    named in ``out`` (contiguous ``(n,)`` arrays of their dtype) are written there.
    """
    n, horizon = factors["delay"].size, lp.price.size
    if backend == "numba":
        market: tuple[Any, ...] = tuple(_scenario_rows(x, n, horizon) for x in (
            factors["price_factor"], factors["fuel_factor"], factors["usdjpy"], rate))
        disc_rows = None if disc is None else _scenario_rows(disc, n, horizon)
    else:
        delay = factors["delay"]
        fee_first, fee_last = _steps.yen_fee_years(lp)
        cods = (lp.construction_years + int(delay.min()), lp.construction_years
                + int(delay.max())) if n else (0, 0)
        market = _numpy_paths(pp, gens, factors["price_factor"], factors["fuel_factor"],
                              factors["usdjpy"], rate, n, horizon,
                              (cods[0] + fee_first, cods[1] + fee_last))
        disc_rows = market[3] if disc is None else _period_rows(disc, n, horizon)
    args = (factors["delay"], factors["overrun"], factors["capacity_achieved"], market[0],
            market[1], factors["utilisation_factor"], market[2], market[3], disc_rows)
    keep = min(paths, n)
    given = out or {}
    res: dict[str, NDArray[Any]] = {k: given[k] if k in given else np.empty(n, dtype=dt)
                                    for k, dt in RAW_OUTPUTS.items()}
    inv_path, bal_path = np.empty((keep, horizon)), np.empty((keep, horizon))
    if backend == "numba":
        from dealsim.kernels.fused import fused

        fused(lp, sp, pp, *args, *gens, grid_matrix(horizon), inv_path, bal_path,
              *res.values())
    else:
        fee, net, inv, flows = _workspace(horizon, n)
        bal: Any = np.empty((horizon, n)) if keep else _steps.Discard()
        with np.errstate(all="ignore"):  # overflow is reported by the caller, in its terms
            tax = _scratch_array("tax", (horizon, n), n, -1) if sp.investor_tax else None
            lines = _steps.FeeAndNet(fee, net, tax)
            _steps.scenario_lines(lp, *args[:7], lines)
            sums = _steps.scenario_split(sp, args[7], args[8], lines, inv, bal)
        for key, value in zip(list(RAW_OUTPUTS)[2:], sums, strict=True):
            res[key][:] = value
        np.copyto(flows, inv.T)
        # the IRR, numpy path (the default root rule of dealsim.irr, as evaluate uses)
        res["investor_irr"][:], res["irr_status"][:] = _irr_2d(flows, False)
        inv_path[:] = flows[:keep]
        if keep:
            bal_path[:] = bal[:, :keep].T
    if keep:
        res["path:investor"], res["path:balance"] = inv_path, bal_path
    return res
