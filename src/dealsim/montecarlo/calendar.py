"""A portfolio's market in calendar time: the paths its deals share.

:func:`plan_market` says, once per run, which deal reads which shared path (one
term-SOFR path, one USD/JPY path, one gas path, one power path per region: see
:class:`dealsim.model.portfolio.SharedMarket`); :func:`calendar_paths` generates them
for one block of scenarios on the portfolio's calendar grid, and :func:`member_paths`
cuts each deal's years out of them.

Start: each path starts, in the grid's first calendar year, at the level draw of the
first deal (in grid order: earliest first year, then listing order) that reads it --
its ``deemed_rate``, ``usdjpy``, ``fuel`` or ``price`` draw -- and moves on by the
steps of :mod:`dealsim.kernels.steps` with that deal's path model. Deals that read the
same path must give it the same model (refused otherwise).

Innovations: the run's ``(root, block, tag)`` streams of :mod:`dealsim.model.paths`,
drawn ``(rows, G, k)`` in C order on the grid of ``G`` years (so a one-deal portfolio
draws exactly what :func:`dealsim.simulate` draws); regions after the first add
:data:`REGION_TAG`'s stream. A deal whose prices are its own (no region) draws them from
its own stream, keyed ``root.spawn_key + (OWN_TAG, k)`` for the deal ``k``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dealsim.errors import InvalidParameterError
from dealsim.kernels import steps as _steps
from dealsim.kernels.steps import PathParams
from dealsim.model.deal import Deal
from dealsim.model.paths import PRICE_TAG, SOFR_TAG, USDJPY_TAG, path_generator
from dealsim.model.portfolio import SharedMarket

__all__ = ["OWN_TAG", "REGION_TAG", "MarketPlan", "calendar_paths", "member_paths",
           "member_root", "plan_market"]

F64 = NDArray[np.float64]

#: Spawn-key tag of the innovations of the regions after the first.
REGION_TAG: int = 0x4E61
#: Spawn-key word of a deal's own market streams (prices without a region).
OWN_TAG: int = 0x0DE1

#: Path key of each family: the deemed rate, USD/JPY, gas; power is ``"power:" + region``.
DEEMED, USDJPY, GAS = "deemed_rate", "usdjpy", "gas"


@dataclass(frozen=True, slots=True)
class MarketPlan:
    """Who reads which shared path (picklable; built once per run).

    Attributes
    ----------
    grid : int
        Years of the calendar grid.
    models : dict of str to PathParams
        Path key -> the numbers its steps read (the first reader's model).
    starts : dict of str to (int, str)
        Path key -> (index of the deal whose level draw starts it, draw name).
    regions : tuple of str
        Regions in order (region 1 first).
    links : tuple of dict of str to str
        Per deal: draw name -> path key (``"price"`` -> ``"power:PJM"``...).
    kappa : float
        Gaussian correlation of the regions' power residuals net of gas.
    """

    grid: int
    models: dict[str, PathParams]
    starts: dict[str, tuple[int, str]]
    regions: tuple[str, ...]
    links: tuple[dict[str, str], ...]
    kappa: float


def _reads(deal: Deal, names: Sequence[str]) -> dict[str, str]:
    """Draw name -> path key of the shared paths ``deal`` reads."""
    m, out = deal.market, {}
    if m.sofr is not None and "deemed_rate" in names:
        out["deemed_rate"] = DEEMED
    if m.usdjpy is not None and "usdjpy" in names:
        out["usdjpy"] = USDJPY
    if m.prices is not None and m.region is not None:
        out["price"] = "power:" + m.region
        out["fuel"] = GAS
    return out


def _fields(deal: Deal, key: str) -> dict[str, float]:
    """The model numbers of path ``key`` in ``deal``'s market."""
    m = deal.market
    if key == DEEMED:
        return m.sofr.path_fields()  # type: ignore[union-attr]
    if key == USDJPY:
        return m.usdjpy.path_fields()  # type: ignore[union-attr]
    f = m.prices.path_fields()  # type: ignore[union-attr]
    if key == GAS:  # (its start's coupling to power is the first region's: not compared)
        return {k: x for k, x in f.items()
                if k.startswith("fuel_") and not k.startswith("fuel_start_")}
    return {k: x for k, x in f.items() if k.startswith("power_") or k in ("rho", "rho_c")}


def plan_market(deals: Sequence[tuple[str, Deal, Sequence[str], int]],
                shared: SharedMarket, grid: int) -> MarketPlan:
    """The plan of a portfolio's shared market.

    ``deals`` holds ``(name, deal, drawn names, offset on the grid)`` in deal order.

    Raises
    ------
    InvalidParameterError
        If two deals read one path with different path models.
    """
    order = sorted(range(len(deals)), key=lambda k: (deals[k][3], k))
    links = tuple(_reads(d, names) for _, d, names, _ in deals)
    fields: dict[str, dict[str, float]] = {}
    starts: dict[str, tuple[int, str]] = {}
    owner: dict[str, str] = {}
    regions: list[str] = []
    for k in order:
        name, deal = deals[k][0], deals[k][1]
        for draw, key in links[k].items():
            f = _fields(deal, key)
            if key not in fields:
                fields[key], owner[key] = f, name
                if key.startswith("power:"):
                    regions.append(key[len("power:"):])
            elif f != fields[key]:
                raise InvalidParameterError(
                    f"deals {owner[key]!r} and {name!r} read the shared {key!r} path with "
                    f"different path models; a portfolio's market is one (give them the "
                    f"same Market models, or another region)")
            if key not in starts and draw in deals[k][2]:
                starts[key] = (k, draw)
    models = {}
    for key, f in fields.items():
        if key.startswith("power:") and GAS in fields:
            f = {**f, **fields[GAS]}
        models[key] = PathParams(**f)
    return MarketPlan(grid, models, starts, tuple(regions), links,
                      shared.gaussian_correlation)


def member_root(root: np.random.SeedSequence, k: int) -> np.random.SeedSequence:
    """The root of deal ``k``'s own market streams (module notes)."""
    return np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, OWN_TAG, k),
                                  pool_size=root.pool_size)


def _start(plan: MarketPlan, key: str, draws: Sequence[Mapping[str, Any]], rows: int,
           default: float) -> F64:
    if key not in plan.starts:  # read by no deal that draws it: the model's level
        return np.full(rows, default)
    k, draw = plan.starts[key]
    return np.asarray(draws[k][draw], dtype=np.float64)


def calendar_paths(plan: MarketPlan, root: np.random.SeedSequence, block: int, rows: int,
                   draws: Sequence[Mapping[str, Any]]) -> dict[str, F64]:
    """The shared paths of one block, ``(rows, grid)`` by path key (module notes).

    ``draws`` are the block's level draws of every deal, in deal order.
    """
    G, out = plan.grid, {}
    if DEEMED in plan.models:
        pp = plan.models[DEEMED]
        z = path_generator(root, block, SOFR_TAG).standard_normal((rows, G))
        rate = np.empty((G, rows))
        d0 = _start(plan, DEEMED, draws, rows, pp.sofr_mean + pp.spread)
        _steps.deemed_path(pp, d0 - pp.spread, z.T, rate)
        out[DEEMED] = np.ascontiguousarray(rate.T)
    if USDJPY in plan.models:
        pp = plan.models[USDJPY]
        z = path_generator(root, block, USDJPY_TAG).standard_normal((rows, G))
        fx = np.empty((G, rows))
        x0 = np.log(_start(plan, USDJPY, draws, rows, math.exp(pp.fx_mean)))
        _steps.fx_path(pp, x0, z.T, fx, 0, G)
        out[USDJPY] = np.ascontiguousarray(fx.T)
    if plan.regions:
        out.update(_prices(plan, root, block, rows, draws))
    return out


def _prices(plan: MarketPlan, root: np.random.SeedSequence, block: int, rows: int,
            draws: Sequence[Mapping[str, Any]]) -> dict[str, F64]:
    """Gas and each region's power factor paths (``SharedMarket`` notes)."""
    G, out = plan.grid, {}
    z = path_generator(root, block, PRICE_TAG).standard_normal((rows, G, 2))
    zt = z.transpose(1, 2, 0)  # (G, 2, rows), the steps' layout
    with np.errstate(divide="ignore"):  # a factor of 0 stays 0: log -inf, exp 0
        y0 = np.log(_start(plan, GAS, draws, rows, 1.0))
        first = plan.models["power:" + plan.regions[0]]
        rho, rho_c, k = first.rho, first.rho_c, plan.kappa
        g = rho * zt[:, 0] + rho_c * zt[:, 1]  # gas innovations (G, rows)
        w = rho_c * zt[:, 0] - rho * zt[:, 1]  # region 1's power net of gas
        extra = (path_generator(root, block, REGION_TAG).standard_normal(
            (rows, G, len(plan.regions))).transpose(1, 2, 0) if len(plan.regions) > 1
            else None)
        for j, region in enumerate(plan.regions):
            key = "power:" + region
            pp = plan.models[key]
            x0 = np.log(_start(plan, key, draws, rows, 1.0))
            if j == 0:
                zr = zt
            else:
                assert extra is not None
                resid = (k * w + math.sqrt(k * (1.0 - k)) * extra[:, 0]
                         + math.sqrt(1.0 - k) * extra[:, j])
                zr = np.zeros_like(zt)
                zr[:, 0] = pp.rho * g + math.sqrt(max(1.0 - pp.rho**2, 0.0)) * resid
            power, fuel = np.empty((G, rows)), np.empty((G, rows))
            _steps.price_paths(pp, x0, y0, zr, power, fuel, 0, G)
            out[key] = np.ascontiguousarray(power.T)
            if j == 0:
                out[GAS] = np.ascontiguousarray(fuel.T)
    return out


def member_paths(plan: MarketPlan, paths: Mapping[str, F64], k: int, offset: int,
                 horizon: int, draws: Mapping[str, Any]) -> dict[str, F64]:
    """Deal ``k``'s years of the shared paths, ``(rows, horizon)`` by draw name.

    Price and fuel come together (a deal that draws no ``fuel`` still reads gas: its
    fuel line, if any, follows the gas price).
    """
    out = {}
    for draw, key in plan.links[k].items():
        if key in paths:
            out[draw] = np.ascontiguousarray(paths[key][:, offset: offset + horizon])
    return out
