"""What a scenario's market does year by year: the paths one block of scenarios runs on.

:class:`Market` bundles the path models of :mod:`dealsim.model.paths`. Each is optional:
``None`` is one level per scenario held for the whole grid (the
full-persistence special case). A simulation reads a market through
:func:`path_params` (the models' numbers) and :func:`block_generators` (a block's
innovation streams): the paths are generated inside the block's pass by the steps of
:mod:`dealsim.kernels.steps`, a period at a time across the block (numpy) or a scenario at a
time (the compiled kernel), so no ``(S, T)`` path array is built outside it.
:func:`block_paths` returns the same paths as ``(S, T)`` arrays, for inspection.

Year 0 of every path is the scenario's existing level draw (``price``, ``fuel``,
``deemed_rate``, ``usdjpy``), so the scalar draws are unchanged and serve as the
stationary start (see :mod:`dealsim.model.paths`); price factors read their draws on the
median scale of the centred stationary law (``E[factor] = 1``: a draw ``L`` starts the
path at ``L exp(-sd**2 / 2)``), the fuel's start mixed with the power's to the paths'
correlation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dealsim.errors import InvalidParameterError
from dealsim.kernels.steps import PathParams
from dealsim.model.paths import (
    PRICE_TAG,
    SOFR_TAG,
    USDJPY_TAG,
    PricePaths,
    SofrPaths,
    UsdJpyPaths,
    path_generator,
)

__all__ = ["PATH_NAMES", "Market", "block_generators", "block_paths", "check_deemed_rate",
           "path_params"]

F64 = NDArray[np.float64]

#: Draw names that become paths, and the :class:`Market` field that drives each.
PATH_NAMES: Mapping[str, str] = {"price": "prices", "fuel": "prices",
                                 "deemed_rate": "sofr", "usdjpy": "usdjpy"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Market:
    """Path models of one simulation (each ``None``: one level per scenario).

    Parameters
    ----------
    prices : PricePaths, optional
        Power and fuel factor paths (log-OU, correlated).
    sofr : SofrPaths, optional
        Term-SOFR paths: the deemed rate floats (and discounting follows it wherever
        the deal discounts at the deemed rate).
    usdjpy : UsdJpyPaths, optional
        USD/JPY paths (yen-denominated fees convert at each year's rate).
    region : str, optional
        The power market the project sells into (``"PJM"``, ``"ERCOT"``...). In a
        portfolio (:func:`dealsim.simulate_portfolio`) deals of one region read one
        power path and every region's deals one gas path; ``None`` (default): the
        project's prices are its own (a product that is not power).

    Examples
    --------
    >>> Market().is_levels
    True
    >>> Market(prices=PricePaths()).is_levels
    False
    """

    prices: PricePaths | None = None
    sofr: SofrPaths | None = None
    usdjpy: UsdJpyPaths | None = None
    region: str | None = None

    def __post_init__(self) -> None:
        if self.region is not None and (not isinstance(self.region, str)
                                        or not self.region.strip()):
            raise InvalidParameterError(
                f"region must be a non-empty string or None; got {self.region!r}")
        for name, cls in (("prices", PricePaths), ("sofr", SofrPaths), ("usdjpy", UsdJpyPaths)):
            value = getattr(self, name)
            if value is not None and not isinstance(value, cls):
                raise InvalidParameterError(
                    f"{name} must be a {cls.__name__} or None; got {value!r}")

    @property
    def is_levels(self) -> bool:
        """True when every factor is one level per scenario (the levels model)."""
        return self.prices is None and self.sofr is None and self.usdjpy is None

    @classmethod
    def paths(cls, region: str | None = None) -> Market:
        """Every path model at its labelled defaults (:mod:`dealsim.model.paths`), in
        the power market ``region``."""
        return cls(prices=PricePaths(), sofr=SofrPaths(), usdjpy=UsdJpyPaths(),
                   region=region)


def check_deemed_rate(market: Market, deemed_rate: float, *, where: str = "terms") -> None:
    """Refuse a fixed deemed rate that a simulation on ``market`` would not use.

    With a term-SOFR path (``market.sofr``) a simulation's deemed rate is
    ``max(sofr, floor) + spread`` along the path, started at each scenario's
    ``deemed_rate`` draw; :func:`dealsim.evaluate` (which has no paths) uses the terms'
    fixed ``deemed_rate``. The one rule for both: the terms' rate must be the path's
    centre (``sofr.process.mean + sofr.spread``, within 1e-12), so that the rate
    ``evaluate`` uses is the one the simulation's path reverts to; a rate set to anything
    else is refused here, with how to set the path instead, never silently ignored.
    Without a SOFR path there is nothing to check.

    Raises
    ------
    InvalidParameterError
        If ``market`` has a SOFR path centred elsewhere than ``deemed_rate``.

    Examples
    --------
    >>> check_deemed_rate(Market.paths(), 0.055)  # the path's centre: 4.5% + 1%
    >>> check_deemed_rate(Market(), 0.03)  # no path: the rate is a level
    >>> check_deemed_rate(Market.paths(), 0.03)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dealsim.errors.InvalidParameterError: terms.deemed_rate=0.03 would be ignored: ...
    """
    sofr = market.sofr
    if sofr is None:
        return
    centre = sofr.process.mean + sofr.spread
    if abs(float(deemed_rate) - centre) <= 1e-12:
        return
    r = float(deemed_rate)
    raise InvalidParameterError(
        f"{where}.deemed_rate={r!r} would be ignored: the deal's market has a term-SOFR "
        f"path (deemed rate = SOFR + spread, centred on {centre:.6g} = SOFR mean "
        f"{sofr.process.mean:.6g} + spread {sofr.spread:.6g}) and a simulation follows it "
        "from each scenario's 'deemed_rate' draw. Set the path instead: for a fixed rate, "
        f"market=dataclasses.replace(deal.market, sofr=SofrPaths.constant({r!r})) with "
        f"uncertainties.with_(deemed_rate=Fixed({r!r})); to centre the path on it, "
        f"SofrPaths(process=MeanReverting.with_stationary_sd(half_life=4.0, sd=0.01, "
        f"mean={r - sofr.spread:.6g})) with the 'deemed_rate' uncertainty centred on "
        f"{r!r} too (its draw is the path's year-0 level)")


def path_params(market: Market) -> PathParams:
    """The numbers of ``market``'s path models that the simulation's steps read
    (:func:`dealsim.kernels.steps.price_paths`, :func:`~dealsim.kernels.steps.deemed_path`,
    :func:`~dealsim.kernels.steps.fx_path`); a family without a model keeps the defaults.

    Examples
    --------
    >>> pp = path_params(Market.paths())
    >>> round(pp.power_phi, 6), pp.floor, pp.spread
    (0.793701, 0.0, 0.01)
    """
    fields: dict[str, float] = {}
    for model in (market.prices, market.sofr, market.usdjpy):
        if model is not None:
            fields.update(model.path_fields())
    return PathParams(**fields)


def block_generators(market: Market, root: np.random.SeedSequence, block: int, *,
                     prices: bool = True, sofr: bool = True, usdjpy: bool = True,
                     ) -> tuple[np.random.Generator | None, ...]:
    """The innovation streams of one block: ``(prices, sofr, usdjpy)``, each a
    :func:`~dealsim.model.paths.path_generator` where ``market`` has that model and the
    simulation reads it (the flags), else None.

    A scenario's row of innovations is ``2 T``, ``T`` and ``T`` standard normals in C
    order of ``(S, T, 2)``, ``(S, T)``, ``(S, T)`` arrays: the draws of
    :meth:`PricePaths.sample`, :meth:`SofrPaths.sample` and :meth:`UsdJpyPaths.sample`
    (so either backend, drawing a block at once or a row at a time, reads the same
    numbers).
    """
    wanted = ((market.prices, prices, PRICE_TAG), (market.sofr, sofr, SOFR_TAG),
              (market.usdjpy, usdjpy, USDJPY_TAG))
    return tuple(path_generator(root, block, tag) if model is not None and on else None
                 for model, on, tag in wanted)


def _level(x: F64, horizon: int) -> F64:
    """One level per scenario as an ``(S, T)`` read-only view (no copy)."""
    return np.broadcast_to(np.asarray(x, dtype=np.float64)[:, None], (x.shape[0], horizon))


def block_paths(market: Market, root: np.random.SeedSequence, block: int,
                draws: Mapping[str, Any], horizon: int) -> dict[str, F64]:
    """``(S, T)`` paths of every draw in :data:`PATH_NAMES` that ``draws`` holds.

    Parameters
    ----------
    market : Market
    root : numpy.random.SeedSequence
        The run's root; innovations come from ``(root, block, tag)`` streams.
    block : int
        Block index.
    draws : mapping of str to ndarray (S,)
        The block's scalar draws (year-0 levels).
    horizon : int
        Years on the grid.

    Returns
    -------
    dict of str to ndarray (S, T)
        For each name in :data:`PATH_NAMES` present in ``draws``: its path, or its level
        broadcast over the years where ``market`` has no model for it (a read-only
        view). ``"deemed_rate"`` is the deemed rate (SOFR + spread).

    Examples
    --------
    >>> root = np.random.SeedSequence(1)
    >>> d = {"price": np.array([1.0, 1.5]), "deemed_rate": np.array([0.05, 0.06])}
    >>> p = block_paths(Market(), root, 0, d, 3)
    >>> p["price"]
    array([[1. , 1. , 1. ],
           [1.5, 1.5, 1.5]])
    >>> p = block_paths(Market.paths(), root, 0, d, 3)
    >>> p["price"][:, 0].round(4), p["deemed_rate"][:, 0]  # centred: x exp(-0.2**2 / 2)
    (array([0.9802, 1.4703]), array([0.05, 0.06]))
    """
    out: dict[str, F64] = {}
    size = None
    for name in PATH_NAMES:
        if name in draws:
            out[name] = np.asarray(draws[name], dtype=np.float64)
            size = out[name].shape[0]
    if size is None:
        return out
    if market.prices is not None and ("price" in out or "fuel" in out):
        power, fuel = market.prices.sample(
            seed=root, size=size, horizon=horizon, block=block,
            power_start=out.get("price"), fuel_start=out.get("fuel"))
        for name, path in (("price", power), ("fuel", fuel)):
            if name in out:
                out[name] = path
    if market.sofr is not None and "deemed_rate" in out:
        out["deemed_rate"] = market.sofr.sample(seed=root, size=size, horizon=horizon,
                                                block=block,
                                                deemed_start=out["deemed_rate"])[1]
    if market.usdjpy is not None and "usdjpy" in out:
        out["usdjpy"] = market.usdjpy.sample(seed=root, size=size, horizon=horizon,
                                             block=block, usdjpy_start=out["usdjpy"])
    return {k: (x if x.ndim == 2 else _level(x, horizon)) for k, x in out.items()}
