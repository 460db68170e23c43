"""A deal's evaluation for given factors: :func:`evaluate` and :class:`Evaluation`.

:func:`evaluate` is the composer of the deterministic stages — cash flows, fees,
waterfall, metrics — for one scenario or a batch. The Monte Carlo engine calls it
block by block.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dealsim.common import names as _names
from dealsim.common import validate as v
from dealsim.common.display import Report, Row, Table, html_table, short_repr
from dealsim.common.facts import SOFTBANK_FEE_JPY_PER_USD
from dealsim.errors import InvalidParameterError
from dealsim.finance.cashflows import (
    FACTOR_DEFAULTS,
    FACTOR_DOMAINS,
    MAX_DELAY,
    CashflowLines,
    _batch_shape,
    _check_factors,
    _line_params,
    build_cashflows,
)
from dealsim.finance.metrics import irr, payback_period
from dealsim.finance.waterfall import (
    WaterfallResult,
    _check_finite,
    _split_params,
    _waterfall_core,
)
from dealsim.kernels import block as _kernels
from dealsim.kernels.steps import SplitParams
from dealsim.model.deal import DRAW_FACTORS, Deal
from dealsim.model.market import block_generators, path_params

__all__ = ["Evaluation", "evaluate", "evaluate_draws"]

F64 = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Everything :func:`evaluate` computed, for one scenario or a batch ``(...)``.

    Attributes
    ----------
    deal : Deal
    lines : CashflowLines
        Project line items, shape (..., T).
    split : WaterfallResult
        ``.investor`` and ``.host`` flows (..., T), ``.recovered_at`` (...).
    deemed_rate, discount_rate : float or ndarray (...)
        Rates used.
    investor_irr : ndarray (...)
        NaN where undefined; see ``irr_status`` (codes of :class:`dealsim.IrrStatus`).
    irr_status : ndarray of int8 (...)
    investor_npv, host_npv : ndarray (...)
        At ``discount_rate``.
    investor_moic : ndarray (...)
    investor_payback : ndarray of int64 (...)
        Grid index at which the investor's cumulative flows turn non-negative; -1 never.
    fee_paid : ndarray of bool (...)
        Whether any fee is paid in the scenario.
    fee_pv : ndarray (...)
        Present value of the fees at ``discount_rate``.
    """

    deal: Deal
    lines: CashflowLines
    split: WaterfallResult
    deemed_rate: float | F64
    discount_rate: float | F64
    investor_irr: F64
    irr_status: NDArray[np.int8]
    investor_npv: F64
    host_npv: F64
    investor_moic: F64
    investor_payback: NDArray[np.int64]
    fee_paid: NDArray[np.bool_]
    fee_pv: F64

    @property
    def recovered_at(self) -> NDArray[np.int64]:
        """Grid index at which the investor's deemed allocation is recovered; -1 never."""
        return self.split.recovered_at

    def _one(self, what: str) -> None:
        if self.lines.net.ndim != 1:
            raise InvalidParameterError(
                f"{what}() needs one scenario; got line items of shape {self.lines.net.shape}")

    def table(self) -> Table:
        """Year-by-year table of one scenario: line items and both parties' flows.

        Returns
        -------
        Table
            ``print()`` it for text (USD bn), shown as HTML in a notebook;
            ``.to_pandas()`` gives USD with ``attrs["units"]``.

        Raises
        ------
        InvalidParameterError
            If the evaluation holds a batch; index it first with a scalar evaluation.
        """
        self._one("table")
        names = ("capex", "revenue", "opex", "tax", "fee", "net", "Japan", "the US")
        cols = (self.lines.capex, self.lines.revenue, self.lines.opex, self.lines.tax,
                self.lines.fee, self.lines.net, self.split.investor, self.split.host)
        data = [(str(int(year)), *(float(c[i]) for c in cols))
                for i, year in enumerate(self.lines.years)]
        data.append(("total", *(float(c.sum()) for c in cols)))
        return Table(f"{self.deal.name}: cash flows by year", ("year", *names),
                     ("", *("USD",) * len(names)), tuple(data),
                     ("Japan is the investor, the US the host; negative: paid in",))

    def _summary_rows(self) -> list[Row]:
        rec = int(self.recovered_at)
        inv = self.split.investor
        return [
            Row("investor_paid_in", "Japan paid in", -inv[inv < 0].sum(), unit="USD"),
            Row("investor_received", "Japan received", inv[inv > 0].sum(), unit="USD"),
            Row("host_received", "the US received", self.split.host.sum(), unit="USD"),
            Row("investor_irr", "Japan's IRR", float(self.investor_irr), unit="1/year"),
            Row("investor_npv", "Japan's NPV", float(self.investor_npv), unit="USD"),
            Row("investor_moic", "Japan's MOIC", float(self.investor_moic), unit="x"),
            Row("host_npv", "the US's NPV", float(self.host_npv), unit="USD"),
            Row("recovered_year", "deemed allocation recovered in (NaN: never)",
                math.nan if rec < 0 else int(self.lines.years[rec]), unit="year"),
            Row("fee_paid", "developer fee paid (1 yes, 0 no)", float(bool(self.fee_paid)),
                unit="flag"),
            Row("fee_pv", "developer fee, present value", float(self.fee_pv), unit="USD"),
        ]

    def summary(self) -> Report:
        """One scenario's metrics for both parties.

        Returns
        -------
        Report
            ``print()`` it for text; shown as a table in a notebook; ``to_dict()``
            (strict JSON, a ``unit`` per row) and ``to_pandas()``.

        Raises
        ------
        InvalidParameterError
            If the evaluation holds a batch.
        """
        self._one("summary")
        rec = int(self.recovered_at)
        rec_text = "never" if rec < 0 else f"{int(self.lines.years[rec])} (year index {rec})"
        inv = self.split.investor
        inv_in, inv_out = -inv[inv < 0].sum(), inv[inv > 0].sum()
        text = "\n".join([
            f"deal: {self.deal.name}   terms: {self.deal.terms.reading} reading, "
            f"deemed rate {float(self.deemed_rate):.2%}, discount rate "
            f"{float(self.discount_rate):.2%}",
            f"{'investor (Japan) paid in':<25}{inv_in / 1e9:10.2f} bn USD",
            f"{'investor received':<25}{inv_out / 1e9:10.2f} bn USD",
            f"{'host (US) received':<25}{self.split.host.sum() / 1e9:10.2f} bn USD",
            f"{'investor IRR':<25}{float(self.investor_irr):10.2%}",
            f"{'investor NPV':<25}{float(self.investor_npv) / 1e9:10.2f} bn USD",
            f"{'investor MOIC':<25}{float(self.investor_moic):10.2f}x",
            f"{'host NPV':<25}{float(self.host_npv) / 1e9:10.2f} bn USD",
            f"deemed allocation recovered: {rec_text}",
            f"fee paid: {bool(self.fee_paid)}, present value {float(self.fee_pv) / 1e9:.3f} bn USD",
        ])
        meta = {"deemed_rate": float(np.mean(self.deemed_rate)),
                "discount_rate": float(np.mean(self.discount_rate)),
                "reading": self.deal.terms.reading}
        return Report("dealsim evaluation (one scenario)", self.deal.name, meta,
                      tuple(self._summary_rows()), text,
                      ("Japan is the investor, the US the host",))

    def __repr__(self) -> str:
        shape = self.lines.net.shape[:-1]
        return short_repr("Evaluation", self.deal.name,
                          scenarios="1" if not shape else "x".join(map(str, shape)),
                          years=f"{int(self.lines.years[0])}-{int(self.lines.years[-1])}")

    def _repr_html_(self) -> str:
        if self.lines.net.ndim != 1:
            return html_table("dealsim evaluation (batch)", self.deal.name,
                              {"shape": self.lines.net.shape}, [])
        return self.summary()._repr_html_()


def evaluate(
    deal: Deal,
    *,
    overrun: ArrayLike = 1.0,
    delay: ArrayLike = 0,
    capacity_achieved: ArrayLike = 1.0,
    price_factor: ArrayLike = 1.0,
    fuel_factor: ArrayLike = 1.0,
    utilisation_factor: ArrayLike = 1.0,
    usdjpy: ArrayLike = SOFTBANK_FEE_JPY_PER_USD,
    deemed_rate: ArrayLike | None = None,
    discount_rate: ArrayLike | None = None,
    horizon: int | None = None,
) -> Evaluation:
    """Cash flows, split and metrics of ``deal`` for given factors (one scenario or a batch).

    Parameters
    ----------
    deal : Deal
    overrun, delay, capacity_achieved, price_factor, fuel_factor, utilisation_factor, usdjpy
        Scenario factors, scalars or arrays over scenario axes; see
        :func:`dealsim.build_cashflows` (``usdjpy`` converts fees in yen).
    deemed_rate : float or array (...), optional
        Overrides ``deal.terms.deemed_rate`` (e.g. one draw per scenario); in [-0.5, 10]
        like it.
    discount_rate : float or array (...), optional
        Rate for NPVs, in [-0.5, 10]. Default: ``deal.discount_rate``, else the deemed
        rate in force.
    horizon : int, optional
        Years on the grid; see :func:`dealsim.build_cashflows`.

    Returns
    -------
    Evaluation

    Raises
    ------
    InvalidParameterError
        On any out-of-range factor or rate (the message names it).

    Examples
    --------
    >>> from dealsim.presets import ohio_gas_power
    >>> ev = evaluate(ohio_gas_power())
    >>> ev.lines.net.shape == ev.split.investor.shape
    True
    >>> bool(np.allclose(ev.split.investor + ev.split.host, ev.lines.net))
    True
    >>> evaluate(ohio_gas_power(), overrun=[1.0, 1.5]).investor_npv.shape
    (2,)
    """
    lines, rate_used, disc, split, metrics = _split(
        deal, dict(overrun=overrun, delay=delay, capacity_achieved=capacity_achieved,
                   price_factor=price_factor, fuel_factor=fuel_factor,
                   utilisation_factor=utilisation_factor, usdjpy=usdjpy),
        deemed_rate, discount_rate, horizon, keep_balance=True,
    )
    result = irr(split.investor, full_output=True)
    return Evaluation(
        deal=deal,
        lines=lines,
        split=split,
        deemed_rate=rate_used,
        discount_rate=disc,
        investor_irr=result.rate,
        irr_status=result.status,
        investor_payback=payback_period(split.investor),
        **metrics,
    )


def _split(
    deal: Deal,
    factors: Mapping[str, ArrayLike],
    deemed_rate: ArrayLike | None,
    discount_rate: ArrayLike | None,
    horizon: int | None,
    *,
    keep_balance: bool,
) -> tuple[CashflowLines, float | F64, float | F64, WaterfallResult, dict[str, Any]]:
    """Cash flows, the rates in force, the waterfall and the one-pass metrics (NPVs at
    the discount rate, MOIC, fee totals: the Monte Carlo block's own steps).

    The rates take part in the scenario shape like the factors: every output has the
    broadcast shape of all of them.
    """
    if deemed_rate is None:
        rate_used: float | F64 = deal.terms.deemed_rate
    else:
        rate_used = v.as_factor("deemed_rate", deemed_rate, low=v.DISCOUNT_MIN, high=v.RATE_MAX)
    if discount_rate is not None:  # the bounds of DealTerms.deemed_rate and Deal.discount_rate
        disc: float | F64 = v.as_factor("discount_rate", discount_rate, low=v.DISCOUNT_MIN,
                                        high=v.RATE_MAX)
    elif deal.discount_rate is not None:
        disc = deal.discount_rate
    else:
        disc = rate_used
    rate_shapes = {"deemed_rate": np.shape(rate_used), "discount_rate": np.shape(disc)}
    if any(rate_shapes.values()):
        batch = _batch_shape({k: np.shape(x) for k, x in factors.items()} | rate_shapes,
                             "scenario factors and rates")
        factors = {k: np.broadcast_to(np.asarray(x), batch) for k, x in factors.items()}
        factors.setdefault("overrun", np.ones(batch))
    lines = build_cashflows(deal.project, fees=deal.fees, horizon=horizon,
                            operations=deal.operations,
                            tax_share=deal.operations.tax_share(deal.terms.share_before),
                            **factors)
    lead, T = lines.net.shape[:-1], lines.net.shape[-1]
    sp = _deal_split_params(deal, T)._replace(discount_apart=disc is not rate_used)
    # pass-through tax (sp.investor_tax): the split adds the SPV's tax line back, charges
    # the investor its own tax, and writes that tax and the cash after it to these copies
    pre = lines.net + lines.tax if sp.investor_tax else lines.net
    net = lines.net.reshape(-1, T).copy()
    tax = lines.tax.reshape(-1, T).copy()

    def flat(x: float | F64) -> Any:
        return float(x) if np.ndim(x) == 0 else np.ascontiguousarray(
            np.broadcast_to(x, lead)).reshape(-1)

    inv, bal, rec, sums = _waterfall_core(
        net, flat(rate_used), sp, keep_balance=keep_balance,
        disc=flat(disc), fee=lines.fee.reshape(-1, T), tax=tax)
    _check_finite(inv, bal, net)
    investor = inv.reshape(lines.net.shape)
    borne: Any = 0.0
    if sp.investor_tax:  # the line items show the investor's tax and the cash after it
        borne = tax.reshape(lines.net.shape)
        lines = dataclasses.replace(lines, tax=borne, net=net.reshape(lines.net.shape))
    # the host receives cash the SPV does not distribute to the investor and never pays
    # a call (= net - investor on the annual grid; an upfront prefund is the SPV's cash,
    # not the host's); what the SPV distributes is the investor's flow before its tax
    split = WaterfallResult(
        investor=investor,
        host=np.subtract(np.maximum(pre, 0.0), np.maximum(investor + borne, 0.0)),
        recovered_at=rec.reshape(lead),
        balance=None if bal is None else bal.reshape(lines.net.shape))
    inv_pv, host_pv, fee_pv, fee_total, received, paid = (x.reshape(lead)[()] for x in sums)
    metrics = {"investor_npv": inv_pv, "host_npv": host_pv, "fee_pv": fee_pv,
               "investor_moic": _moic(received, paid), "fee_paid": fee_total > 0}
    return lines, rate_used, disc, split, metrics


def _deal_split_params(deal: Deal, horizon: int) -> SplitParams:
    """The split's parameters: the terms, and the funding calendar of
    ``deal.operations.funding`` on a grid of ``horizon`` years."""
    sp = _split_params(deal.terms)._replace(
        investor_tax=deal.operations.tax == "investor_share" and deal.project.tax_rate > 0)
    mode = deal.operations.funding
    if mode == "grid":
        return sp
    from dealsim.finance.capital_calls import (  # lazy: holidays
        funding_calendar,
        notice_of_selection,
    )

    first = int(deal.project.first_year)
    # upfront: noticed when tranche 1 was (17 Feb 2026) for a 2026 start, else on 1 Jan
    # of the first year (assumption: the notice of a project's selection is not public)
    cal = funding_calendar(first, horizon, mode=mode, selection=notice_of_selection(first))
    return sp._replace(dated=True, call_tau=cal.tau,
                       upfront_period=cal.upfront_period if mode == "upfront" else -1,
                       upfront=mode == "upfront",
                       upfront_tau=cal.upfront_tau)


def _moic(received: Any, paid: Any) -> Any:
    """Received over paid in; NaN where nothing was paid in (:func:`dealsim.moic`)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(paid > 0, received / paid, np.nan))[()]


def _draw_kwargs(draws: Mapping[str, ArrayLike]) -> dict[str, ArrayLike]:
    _names.check_names(draws)
    out = {DRAW_FACTORS[k]: val for k, val in draws.items() if k in DRAW_FACTORS}
    if "usdjpy" in draws:  # converts fees in yen (flows stay in dollars)
        out["usdjpy"] = draws["usdjpy"]
    return out


def _simulation_outputs(
    deal: Deal, draws: Mapping[str, ArrayLike], *, horizon: int, paths: int,
    backend: str = "numpy", root: np.random.SeedSequence | None = None, block: int = 0,
    out: Mapping[str, NDArray[Any]] | None = None,
    market_paths: Mapping[str, NDArray[np.float64]] | None = None,
) -> dict[str, NDArray[Any]]:
    """The per-scenario outputs :func:`dealsim.simulate` keeps, for one block of draws.

    Equal to the corresponding fields of :func:`evaluate_draws` (within 1e-12), without
    the line items, balances and payback period nobody reads in a Monte Carlo run. With
    ``paths > 0`` also ``path:investor`` and ``path:balance`` of the first ``paths``
    scenarios. ``backend`` (``"auto"``, ``"numpy"`` or ``"numba"``) is resolved by
    :func:`dealsim.kernels.block.resolve`: numba runs when asked for (or installed, with
    ``"auto"``), else the numpy path; nothing falls back silently. ``out`` may hold
    arrays of the block's length, by output name, to write those outputs into (and
    return) instead of new arrays.

    The draws come from user-supplied distributions, so they are checked here, once per
    block (one vectorised pass per factor), and nowhere below. Where ``deal.market``
    has path models, the block's paths start at the draws and take their innovations
    from ``(root, block)`` streams (:func:`dealsim.model.market.block_generators`).
    ``market_paths`` may give some of those paths instead, ``(n, horizon)`` arrays by
    draw name (``"price"`` and ``"fuel"`` together, ``"deemed_rate"``, ``"usdjpy"``;
    generated by the caller, e.g. a portfolio's calendar-time market): they are read
    as they are and their families draw no innovations.

    Raises
    ------
    InvalidParameterError
        If a draw is outside its factor's domain, a delay outlasts ``horizon``, or a
        scenario's cash flows overflow float64 (the message names the inputs).
    """
    used = _kernels.resolve(backend)
    kw = _draw_kwargs(draws)
    rate_in = kw.pop("deemed_rate", None)
    n = max((np.size(x) for x in draws.values()), default=1)
    factors = {name: np.ascontiguousarray(np.broadcast_to(arr, (n,)))
               for name, arr in _check_factors(
                   {name: kw.get(name, FACTOR_DEFAULTS.get(name, 1.0)) for name in
                    FACTOR_DOMAINS}).items()}
    max_delay = horizon - deal.project.base_horizon
    if max_delay > MAX_DELAY:
        raise InvalidParameterError(
            f"horizon={horizon} leaves room for delays of {max_delay} years; delays are "
            f"limited to MAX_DELAY={MAX_DELAY} years (bound the delay distribution, e.g. "
            "Rounded(..., high=10))")
    if n and int(factors["delay"].max()) > max_delay:
        raise InvalidParameterError(
            f"horizon={horizon} leaves room for delays up to {max_delay} years; got a delay "
            f"of {int(factors['delay'].max())}")
    if rate_in is None:
        rate = np.full(n, deal.terms.deemed_rate)
    else:
        rate = np.ascontiguousarray(np.broadcast_to(
            v.as_factor("deemed_rate", rate_in, low=-1.0, low_open=True), (n,)))
    given = market_paths or {}
    for name, path in given.items():  # the caller's paths replace the levels
        if name == "deemed_rate":
            rate = path
        else:
            factors[DRAW_FACTORS.get(name, name)] = path
    gens: tuple[Any, ...] = (None, None, None)
    if not deal.market.is_levels:
        if root is None:
            raise InvalidParameterError("a deal with market paths needs the run's seed")
        # the paths start at the draws and are generated inside the block's pass; only
        # yen fees read USD/JPY
        gens = block_generators(deal.market, root, block, prices="price" not in given,
                                sofr="deemed_rate" not in given,
                                usdjpy=any(f.currency == "JPY" for f in deal.fees)
                                and "usdjpy" not in given)
    disc = None if deal.discount_rate is None else np.full(n, deal.discount_rate)
    ops = deal.operations
    lp = _line_params(deal.project, deal.fees, horizon, max_delay, ops,
                      ops.tax_share(deal.terms.share_before))
    dest = out or {}
    sp = _deal_split_params(deal, horizon)._replace(discount_apart=disc is not None)
    raw = _kernels.block_outputs(lp, sp, factors, rate, disc, paths=paths, backend=used,
                                 out=dest, pp=path_params(deal.market), gens=gens)
    ok = np.isfinite(raw["received"]) & np.isfinite(raw["paid"]) & np.isfinite(
        raw["fee_total"])
    if not ok.all():
        _raise_overflow(deal, {k: x[int(np.argmin(ok))] for k, x in factors.items()},
                        horizon, int(np.argmin(ok)))
    moic = _moic(raw.pop("received"), raw.pop("paid"))
    if "investor_moic" in dest:
        dest["investor_moic"][...] = moic
        moic = dest["investor_moic"]
    raw["investor_moic"] = moic
    raw["fee_paid"] = np.greater(raw.pop("fee_total"), 0, out=dest.get("fee_paid"))
    return raw


def _raise_overflow(deal: Deal, factors: Mapping[str, Any], horizon: int, i: int) -> None:
    """Say which input made scenario ``i``'s cash flows overflow float64, and raise."""
    build_cashflows(deal.project, fees=deal.fees, horizon=horizon, **factors)  # names a line
    given = ", ".join(f"{k}={x.item()!r}" for k, x in factors.items())
    raise InvalidParameterError(
        f"scenario {i} of the block: the deemed-allocation balance overflows float64 "
        f"({given}; project.capex={deal.project.capex!r}); the inputs are too large for "
        "float64 arithmetic")


def evaluate_draws(
    deal: Deal, draws: Mapping[str, ArrayLike], *, horizon: int | None = None
) -> Evaluation:
    """:func:`evaluate` with factors given by standard uncertainty names.

    Parameters
    ----------
    deal : Deal
    draws : mapping of str to float or array (...)
        Keys of :data:`DRAW_FACTORS` (``"overrun"``, ``"delay"``, ``"capacity"``,
        ``"price"``, ``"fuel"``, ``"utilisation"``, ``"deemed_rate"``), and the
        keys of :data:`REPORT_ONLY` (``"usdjpy"``: converts fees in yen, nothing else).

    Raises
    ------
    UnknownNameError
        For any other key (a misspelling such as ``"overun"``), naming the nearest
        valid one.
    horizon : int, optional

    Returns
    -------
    Evaluation

    Examples
    --------
    >>> from dealsim.presets import ohio_gas_power
    >>> ev = evaluate_draws(ohio_gas_power(), {"overrun": [1.0, 2.0], "usdjpy": 150.0})
    >>> bool(ev.investor_npv[0] > ev.investor_npv[1])
    True
    """
    return evaluate(deal, horizon=horizon, **_draw_kwargs(draws))  # type: ignore[arg-type]
