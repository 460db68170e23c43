"""Several deals simulated together: Japan's aggregate cash, portfolio metrics, who bears a loss.

Each deal keeps its own calendar timeline (its project's ``first_year``, or an
override); the investor (Japan) flows of all deals are summed on one annual calendar
grid. Deals share their **market in calendar time**
(:class:`~dealsim.model.portfolio.SharedMarket`, :mod:`dealsim.montecarlo.calendar`):
one term-SOFR path and one USD/JPY path for the portfolio, one gas path for every power
plant, one power path per region, each deal reading the calendar years it lives in.
Overruns, delays and capacity are drawn per deal; projects also share a **common
factor**: a Gaussian-copula shock to the latent normals of chosen uncertainties (by
default the capital-cost ``overrun``), drawn once per scenario, standing for
economy-wide cost inflation.

Reproducibility contract (as :func:`dealsim.simulate`): scenario ``i`` lives in block
``i // BLOCK_SIZE``; the block's uniforms come from one call of
:func:`dealsim.montecarlo.uncertainty.sampler_uniforms` keyed by ``(seed, block)``, with
``dim = len(common.variables) + sum(each deal's uncertainties.dim)`` columns: first the
common factors, then each deal's columns in deal order. So scenario ``i`` depends only
on the seed and ``i`` (and on the deals and uncertainties), never on ``n`` or threads.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dealsim.common import validate as v
from dealsim.errors import InvalidParameterError
from dealsim.finance.evaluation import _simulation_outputs
from dealsim.finance.metrics import irr, npv
from dealsim.kernels import block as _kernels
from dealsim.model.deal import Deal
from dealsim.model.market import check_deemed_rate
from dealsim.model.portfolio import PARTIES, CommonFactor, FundingSplit, SharedMarket
from dealsim.montecarlo import calendar as _calendar
from dealsim.montecarlo.engine import BLOCK_SIZE, Collector, Runner, check_n, plan
from dealsim.montecarlo.run import _describe_seed, _horizon, check_sampler
from dealsim.montecarlo.uncertainty import (
    U_MAX,
    U_MIN,
    Uncertainties,
    as_seed_sequence,
    default_uncertainties,
)
from dealsim.montecarlo.uncertainty import sampler_uniforms as _uniforms
from dealsim.results.portfolio import PortfolioResult

__all__ = ["simulate_portfolio"]

F64 = NDArray[np.float64]


_PROJECT_OUTPUTS = ("npv", "irr", "moic", "loss", "economic_loss")


@dataclass(frozen=True, slots=True)
class _Member:
    """One deal placed on the portfolio grid (picklable)."""

    name: str
    deal: Deal
    unc: Uncertainties
    horizon: int
    offset: int
    scale: float
    col: int
    common: tuple[tuple[int, int], ...]  # (common column, column within the deal)
    backend: str = "numpy"


@dataclass(frozen=True, slots=True)
class _PBlock:
    members: tuple[_Member, ...]
    strength: float
    n_common: int
    dim: int
    sampler: str
    root: np.random.SeedSequence
    index: int
    rows: int
    grid: int
    paths: int
    discount_rate: float | None
    funding: FundingSplit
    keep_inputs: tuple[str, ...] | None
    loss_rate: float | None = None
    market: _calendar.MarketPlan | None = None


def _economic_loss(inv: F64, paid: F64, rate: Any, offset: int) -> tuple[F64, F64]:
    """PV of the capital shortfall and of the capital paid in, at the grid's first year.

    ``inv`` (rows, T) are a deal's investor flows, ``paid`` their negative parts, both
    starting ``offset`` years after the grid; ``rate`` a scalar or one per row.
    """
    back = (1.0 + np.asarray(rate, dtype=np.float64)) ** -offset
    pv_paid, pv_net = npv(rate, paid) * back, npv(rate, inv) * back
    return np.maximum(-pv_net, 0.0), pv_paid


def _mix_common(u: F64, zc: F64, member: _Member, strength: float) -> F64:
    uk = u[:, member.col: member.col + member.unc.dim]
    if not member.common or strength == 0.0:
        return uk
    from scipy import special

    uk = uk.copy()
    a, b = math.sqrt(strength), math.sqrt(1.0 - strength)
    for c, j in member.common:
        z = a * zc[:, c] + b * special.ndtri(uk[:, j])
        uk[:, j] = np.clip(special.ndtr(z), U_MIN, U_MAX)
    return uk


def _discount_rate(deal: Deal, draws: Mapping[str, NDArray[Any]]) -> Any:
    """The rate of a deal's NPVs: its own, else the drawn deemed rate, else its terms'."""
    if deal.discount_rate is not None:
        return deal.discount_rate
    return draws.get("deemed_rate", deal.terms.deemed_rate)


def _run_block(job: _PBlock) -> dict[str, Any]:
    """Draw and evaluate the first ``job.rows`` scenarios of block ``job.index``.

    Returns only what the result keeps: ``(rows,)`` arrays, the per-year sums
    (``"sum:"``) and the first scenarios' paths (``"path:"``); the ``(rows, T)`` grids
    die with the block.
    """
    from scipy import special

    rows, grid = job.rows, job.grid
    u = _uniforms(job.sampler, job.root, block=job.index, size=BLOCK_SIZE, dim=job.dim)[:rows]
    zc = special.ndtri(u[:, : job.n_common])
    flows = np.zeros((rows, grid))
    calls = np.zeros((rows, grid))
    rate_npv = np.zeros(rows)
    out: dict[str, Any] = {p: np.zeros(rows) for p in PARTIES}
    out.update({"pv:" + p: np.zeros(rows) for p in PARTIES})
    every = [dict(m.unc.transform(_mix_common(u, zc, m, job.strength))) for m in job.members]
    mplan = job.market
    shared = ({} if mplan is None else
              _calendar.calendar_paths(mplan, job.root, job.index, rows, every))
    keep_rows = min(job.paths - job.index * BLOCK_SIZE, rows)
    for k, (m, draws) in enumerate(zip(job.members, every, strict=True)):
        given = ({} if mplan is None else
                 _calendar.member_paths(mplan, shared, k, m.offset, m.horizon, draws))
        for name, path in given.items():  # the level a deal reads in its first year
            if name in draws:
                draws[name] = path[:, 0].copy()
        ev = _simulation_outputs(m.deal, draws, horizon=m.horizon, paths=rows,
                                 backend=m.backend, root=_calendar.member_root(job.root, k),
                                 block=job.index, market_paths=given)
        inv = ev.pop("path:investor") * m.scale
        paid = np.maximum(-inv, 0.0)
        flows[:, m.offset: m.offset + m.horizon] += inv
        calls[:, m.offset: m.offset + m.horizon] += paid
        paid_k = paid.sum(axis=1)
        loss = np.maximum(paid_k - (inv + paid).sum(axis=1), 0.0)
        for party, x in job.funding.allocate(loss, paid_k).items():
            out[party] += x
        disc_k = _discount_rate(m.deal, draws)
        # the deal's NPV at its own rate (the deemed-rate path, calls from their funding
        # dates), brought to the grid's first year along the shared deemed-rate path
        # (period t's rate discounts t to t - 1), else at the scenario's year-0 rate
        if "deemed_rate" in given and m.deal.discount_rate is None:
            back = 1.0 / np.prod(1.0 + shared["deemed_rate"][:, 1: m.offset + 1], axis=1)
        else:
            back = (1.0 + disc_k) ** -m.offset
        npv_k = ev["investor_npv"] * m.scale * back
        own = npv_k if job.discount_rate is None else 0.0
        rate_npv += own
        if job.loss_rate is None:  # the unrecovered Deemed Allocation Amount in PV
            econ, pv_paid = np.maximum(-npv_k, 0.0), _economic_loss(
                inv, paid, disc_k, m.offset)[1]
        else:
            econ, pv_paid = _economic_loss(inv, paid, job.loss_rate, m.offset)
        del inv, paid, ev["path:balance"]
        for party, x in job.funding.allocate(econ, pv_paid).items():
            out["pv:" + party] += x
        for key, x in (("npv", ev["investor_npv"] * m.scale), ("irr", ev["investor_irr"]),
                       ("moic", ev["investor_moic"]), ("loss", loss), ("economic_loss", econ)):
            out[f"{m.name}\0{key}"] = x
        keep = m.unc.names if job.keep_inputs is None else job.keep_inputs
        for name in keep:
            if name in draws:
                out[f"{m.name}\0in:{name}"] = draws[name]
    receipts = flows + calls
    # the IRR on the members' backend (a numpy run solves on numpy, as simulate does)
    on = "numba" if all(m.backend == "numba" for m in job.members) else "numpy"
    result = irr(flows, full_output=True, backend=on)
    paid_in, received = calls.sum(axis=1), receipts.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        moic = np.where(paid_in > 0, received / np.where(paid_in > 0, paid_in, 1.0), np.nan)
    out.update(
        irr=result.rate, irr_status=result.status, moic=moic,
        npv=rate_npv if job.discount_rate is None else npv(job.discount_rate, flows),
        paid_in=paid_in, received=received, worst_call=calls.max(axis=1),
        worst_call_index=np.argmax(calls, axis=1),
    )
    out["sum:calls"], out["sum:receipts"] = calls.sum(axis=0), receipts.sum(axis=0)
    out["sum:sq_calls"] = np.square(calls).sum(axis=0)
    if keep_rows > 0:
        out["path:calls"] = calls[:keep_rows].copy()  # copies: the grids die with the block
        out["path:receipts"] = receipts[:keep_rows].copy()
        for key, path in shared.items():
            out["path:market:" + key] = path[:keep_rows].copy()
    return out


def _per_deal(name: str, value: Any, names: Sequence[str], default: Any) -> list[Any]:
    """Normalise a per-deal option: None, one value for all, a sequence or a mapping."""
    if value is None:
        return [default] * len(names)
    if isinstance(value, Mapping):
        unknown = set(value) - set(names)
        if unknown:
            raise InvalidParameterError(
                f"{name} names unknown deals {sorted(unknown)!r}; deals: {list(names)!r}")
        return [value.get(k, default) for k in names]
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != len(names):
            raise InvalidParameterError(
                f"{name} must have one entry per deal ({len(names)}); got {len(value)}")
        return [default if x is None else x for x in value]
    return [value] * len(names)


def _members(
    deals: Sequence[Deal] | Mapping[str, Deal], uncertainties: Any, start_years: Any,
    scales: Any, common: CommonFactor | None,
) -> tuple[_Member, ...]:
    if isinstance(deals, Mapping):
        names, items = [str(k) for k in deals], list(deals.values())
    elif isinstance(deals, Sequence) and not isinstance(deals, str):
        items = list(deals)
        names = [d.name if isinstance(d, Deal) else "" for d in items]
    else:
        raise InvalidParameterError(f"deals must be a sequence or mapping of Deal; got {deals!r}")
    if not items:
        raise InvalidParameterError("deals must hold at least one Deal; got none")
    for d in items:
        if not isinstance(d, Deal):
            raise InvalidParameterError(f"deals must hold Deal objects; got {d!r}")
        check_deemed_rate(d.market, d.terms.deemed_rate, where=f"{d.name!r}: deal.terms")
    if len(set(names)) != len(names):
        raise InvalidParameterError(
            f"deal names must be unique (pass a mapping to name them); got {names!r}")
    uncs = _per_deal("uncertainties", uncertainties, names, None)
    starts = _per_deal("start_years", start_years, names, None)
    scale_list = _per_deal("scales", scales, names, 1.0)
    placed = []
    for name, deal, unc, start, scale in zip(names, items, uncs, starts, scale_list,
                                             strict=True):
        if unc is None:
            unc = default_uncertainties(deal.project.reference_class or "all_electricity")
        if not isinstance(unc, Uncertainties):
            raise InvalidParameterError(
                f"uncertainties[{name!r}] must be an Uncertainties; got {unc!r}")
        if start is not None:
            year = v.integer(f"start_years[{name!r}]", start, minimum=1)
            deal = dataclasses.replace(
                deal, project=dataclasses.replace(deal.project, first_year=year))
        placed.append((name, deal, unc, v.positive(f"scales[{name!r}]", scale)))
    first = min(d.project.first_year for _, d, _, _ in placed)
    col = len(common.variables) if common is not None else 0
    out = []
    for name, deal, unc, scale in placed:
        links = () if common is None else tuple(
            (c, unc.random_names.index(x)) for c, x in enumerate(common.variables)
            if x in unc.random_names)
        out.append(_Member(name, deal, unc, _horizon(deal, unc),
                           deal.project.first_year - first, scale, col, links))
        col += unc.dim
    return tuple(out)


def simulate_portfolio(
    deals: Sequence[Deal] | Mapping[str, Deal],
    n: int | float,
    *,
    seed: int | np.random.SeedSequence | np.random.Generator | None,
    uncertainties: Uncertainties | Sequence[Uncertainties | None]
    | Mapping[str, Uncertainties] | None = None,
    common: CommonFactor | None = CommonFactor(),  # noqa: B008 - frozen value object
    start_years: Sequence[int | None] | Mapping[str, int] | None = None,
    scales: Sequence[float] | Mapping[str, float] | None = None,
    funding: FundingSplit = FundingSplit(),  # noqa: B008 - frozen value object
    discount_rate: float | None = None,
    sampler: str = "random",
    executor: Any = None,
    paths: int = 4096,
    keep_inputs: Sequence[str] | None = ("overrun", "delay"),
    title: str = "",
    loss_rate: float | None = None,
    backend: str = "auto",
    progress: Callable[[int, int], bool | None] | bool | None = None,
    deadline: float | None = None,
    on_stop: str = "partial",
    market: SharedMarket | None = SharedMarket(),  # noqa: B008 - frozen value object
) -> PortfolioResult:
    """Simulate several deals together, each on its own timeline, with a common factor.

    Parameters
    ----------
    deals : sequence of Deal, or mapping of name to Deal
        The portfolio. Names (mapping keys, else each deal's ``name``) must be unique.
    n : int
        Number of scenarios (>= 1).
    seed : int, SeedSequence or Generator
        As in :func:`dealsim.simulate`; ``None`` draws fresh OS entropy.
    uncertainties : Uncertainties, or one per deal (sequence or mapping), optional
        Default per deal: :func:`dealsim.default_uncertainties` for its project's
        ``reference_class``. Deals draw independently except through ``common``.
    common : CommonFactor or None
        The shared shock (default: latent correlation 0.5 on ``overrun``, an
        assumption). ``None``: no common columns at all (a one-deal portfolio whose
        market is shared then reproduces :func:`dealsim.simulate` exactly).
    start_years : sequence or mapping of int, optional
        Override a deal's first year of construction. The project moves as a whole:
        its base prices are read as prices of the new first year.
    scales : sequence or mapping of float, optional
        Multiply a deal's size: every line item, fee and hence investor flow is
        multiplied (the waterfall is linear in scale), ratios (IRR, MOIC) unchanged.
    funding : FundingSplit
        Who bears a loss (labelled assumptions, see :class:`FundingSplit`).
    discount_rate : float, optional
        Rate for the portfolio NPV: ``npv(discount_rate, sum_k flows_k)`` of the
        annual flows. Default: the sum of the deals' own NPVs (each at its discount
        rate -- the deemed-rate path, calls valued from their funding dates -- as
        :func:`dealsim.simulate` reports it), each brought to the grid's first year at
        the scenario's year-0 rate; a one-deal portfolio matches
        :func:`dealsim.simulate`.
    sampler : {"random", "lhs", "sobol"}
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Runs blocks in parallel; results are bit-identical to the serial run.
    paths : int
        Keep year-by-year gross calls and receipts of the first ``paths`` scenarios
        (for :meth:`PortfolioResult.annual_quantiles`).
    keep_inputs : sequence of str or None
        Drawn inputs stored per deal; ``None`` keeps all.
    title : str
    loss_rate : float, optional
        Discount rate of the economic loss (decimal, > -1). Default: each deal's own
        rate, at which the economic loss is the present value of the unrecovered Deemed
        Allocation Amount: ``max(-NPV, 0)`` of the deal (its deemed-rate path), brought
        to the grid's first year at the scenario's year-0 rate. The shares of it each
        party bears weigh the capital paid in at the year-0 rate (an approximation).
    backend : {"auto", "numpy", "numba"}
        Path that evaluates each deal, as in :func:`dealsim.simulate` (``"auto"``: per
        deal, the compiled path where it supports the deal). Every deal runs through the
        per-block function :func:`dealsim.simulate` uses.
    progress, deadline, on_stop
        As in :func:`dealsim.simulate`: a bar or a callback (returning ``False`` stops
        the run), a time budget in seconds, and what a stopped run does (the first
        blocks, ``partial`` true and ``n < requested``, or an exception).
    market : SharedMarket or None
        The market the deals share in calendar time (default :class:`SharedMarket`:
        one deemed-rate and one USD/JPY path, one gas path, one power path per deal
        ``Market.region``, regions correlated at a labelled assumption;
        :mod:`dealsim.montecarlo.calendar`). Its paths by calendar year are
        :attr:`PortfolioResult.market_paths`. ``None``: every deal draws its own
        market from its own streams (independent markets, a counterfactual).

    Returns
    -------
    PortfolioResult

    Raises
    ------
    InvalidParameterError
        Bad deals, per-deal options of the wrong length or naming unknown deals,
        ``n`` outside ``[1, 1e11]`` or too large to keep in memory, bad seed, sampler,
        executor, backend, deadline or progress.
    DeadlineExceeded, RunCancelled
        With ``on_stop="raise"``, when the run stops early.

    Notes
    -----
    A deal's kept inputs ``price``, ``fuel``, ``deemed_rate`` and ``usdjpy`` are, where
    it reads a shared path, the path's value in the deal's first year (what it read).
    Japan's flows of deal ``k`` are its :func:`dealsim.evaluate_draws` investor flows
    times ``scales[k]``, placed at ``first_year_k - min(first_year)`` on the grid and
    summed. Portfolio NPV: see ``discount_rate``, at the grid's first year; IRR
    by :func:`dealsim.irr` on the summed flows. Gross annual calls and receipts sum each
    deal's negative and positive flows separately (a call on one project is not
    netted against a receipt from another). Reproducibility: see the module docstring.
    Memory: each block is reduced to the ``(rows,)`` arrays the result keeps, copied
    into preallocated arrays as it arrives, so the peak is the result plus the blocks in
    flight.

    Examples
    --------
    >>> from dealsim.presets import ohio_gas_power
    >>> d = ohio_gas_power()
    >>> r = simulate_portfolio({"a": d, "b": d}, 500, seed=3, start_years={"b": 2028})
    >>> r.n, int(r.years[0]), r.start_years
    (500, 2026, {'a': 2026, 'b': 2028})
    >>> bool((simulate_portfolio({"a": d, "b": d}, 50, seed=3,
    ...       start_years={"b": 2028}).npv == r.npv[:50]).all())
    True
    """
    runner = Runner(0, executor=executor, progress=progress, deadline=deadline,
                    on_stop=on_stop, desc=title or "simulate_portfolio")
    n = check_n(n)
    root = as_seed_sequence(seed) if seed is not None else np.random.SeedSequence()
    if common is not None and not isinstance(common, CommonFactor):
        raise InvalidParameterError(f"common must be a CommonFactor or None; got {common!r}")
    if not isinstance(funding, FundingSplit):
        raise InvalidParameterError(f"funding must be a FundingSplit; got {funding!r}")
    if market is not None and not isinstance(market, SharedMarket):
        raise InvalidParameterError(f"market must be a SharedMarket or None; got {market!r}")
    members = tuple(dataclasses.replace(m, backend=_kernels.resolve(backend, m.deal))
                    for m in _members(deals, uncertainties, start_years, scales, common))
    if discount_rate is not None:
        discount_rate = v.rate("discount_rate", discount_rate)
    if loss_rate is not None:
        loss_rate = v.rate("loss_rate", loss_rate)
    n_common = len(common.variables) if common is not None else 0
    dim = n_common + sum(m.unc.dim for m in members)
    check_sampler(sampler, root, n)
    grid = max(m.offset + m.horizon for m in members)
    keep = None if keep_inputs is None else tuple(str(x) for x in keep_inputs)
    known = {name for m in members for name in m.unc.names}
    for name in keep or ():
        if name not in known:
            raise InvalidParameterError(
                f"keep_inputs: unknown input {name!r}; the deals draw {sorted(known)}")
    paths = v.integer("paths", paths, minimum=0)
    kept = sum(len(m.unc.names if keep is None else set(keep) & set(m.unc.names))
               for m in members)
    per_row = 8 + 2 * len(PARTIES) + len(_PROJECT_OUTPUTS) * len(members) + kept
    check_n(n, row_bytes=8 * per_row)
    mplan = None if market is None else _calendar.plan_market(
        [(m.name, m.deal, m.unc.names, m.offset) for m in members], market, grid)
    template = _PBlock(members, common.strength if common is not None else 0.0, n_common,
                       dim, sampler, root, 0, 0, grid, paths, discount_rate, funding, keep,
                       loss_rate, mplan)
    jobs = ((rows, dataclasses.replace(template, index=b, rows=rows)) for b, rows in plan(n))
    collector = Collector(n)
    runner.n = n
    with runner:
        for block in runner.run(_run_block, jobs):
            collector.add(block, int(block["npv"].shape[0]))
    first = min(m.deal.project.first_year for m in members)
    result = _collect(collector, members, first, grid, mplan, title=title or " + ".join(
        m.name for m in members), seed=_describe_seed(seed, root), sampler=sampler,
        funding=funding, common=common, loss_rate=loss_rate, market=market,
        backend=",".join(sorted({m.backend for m in members})),
        requested=n if runner.stopped else None, partial=bool(runner.stopped))
    return runner.finish(result, result.n)


def _collect(collector: Collector, members: tuple[_Member, ...], first: int, grid: int,
             mplan: _calendar.MarketPlan | None = None, **meta: Any) -> PortfolioResult:
    """The collected blocks as a result; finish the per-year means over the rows done."""
    arrays, n = collector.filled(), collector.rows
    paths = collector.paths()
    years = first + np.arange(grid, dtype=np.int64)
    calls_mean = collector.sums["calls"] / n
    receipts_mean = collector.sums["receipts"] / n
    var = np.maximum(collector.sums["sq_calls"] / n - calls_mean**2, 0.0) * (n / max(n - 1, 1))
    return PortfolioResult(
        names=tuple(m.name for m in members),
        years=years,
        start_years={m.name: int(m.deal.project.first_year) for m in members},
        irr=arrays["irr"], irr_status=arrays["irr_status"], npv=arrays["npv"],
        moic=arrays["moic"], paid_in=arrays["paid_in"], received=arrays["received"],
        worst_call=arrays["worst_call"], worst_call_year=years[arrays["worst_call_index"]],
        losses={p: arrays[p] for p in PARTIES},
        economic_losses={p: arrays["pv:" + p] for p in PARTIES},
        projects={m.name: {k: arrays[f"{m.name}\0{k}"] for k in _PROJECT_OUTPUTS}
                  for m in members},
        inputs={m.name: {k.split("\0in:")[1]: x for k, x in arrays.items()
                         if k.startswith(f"{m.name}\0in:")} for m in members},
        annual={"calls_mean": calls_mean, "calls_std": np.sqrt(var),
                "receipts_mean": receipts_mean, "net_mean": receipts_mean - calls_mean},
        paths={k: paths[k] for k in ("calls", "receipts") if k in paths},
        market_paths={k[len("market:"):]: x for k, x in paths.items()
                      if k.startswith("market:")},
        market_links={} if mplan is None else {
            m.name: dict(mplan.links[k]) for k, m in enumerate(members)},
        **meta,
    )
