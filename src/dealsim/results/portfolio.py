"""What :func:`dealsim.simulate_portfolio` returns: :class:`PortfolioResult`, per-scenario
portfolio and per-project outputs and the losses borne by each party.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from dealsim.common import validate as v
from dealsim.common.outputs import complete_requested
from dealsim.errors import InvalidParameterError
from dealsim.model.portfolio import CommonFactor, FundingSplit, SharedMarket
from dealsim.results.summary import _statistic, irr_for_statistics

__all__ = ["PortfolioResult"]

F64 = NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class PortfolioResult:
    """Per-scenario portfolio outputs of :func:`simulate_portfolio` (USD, Japan's side).

    Attributes
    ----------
    title, seed, sampler : str
    names : tuple of str
        Deal names, in input order.
    years : ndarray of int64 (T,)
        Calendar years of the common grid.
    start_years : dict of str to int
        First year of each deal on the grid.
    irr : ndarray (n,)
        IRR of Japan's aggregate flows; NaN where undefined (``irr_status``).
    irr_status : ndarray of int8 (n,)
    npv : ndarray (n,)
        NPV of the aggregate flows at the start of the grid (``years[0]``).
    moic : ndarray (n,)
        Total received over total paid in, gross, summed over deals.
    paid_in, received : ndarray (n,)
        Gross totals over deals and years.
    worst_call : ndarray (n,)
        Largest gross annual cash call (sum over deals of their calls that year).
    worst_call_year : ndarray of int64 (n,)
    losses : dict of str to ndarray (n,)
        Nominal capital shortfall (unrecovered capital, undiscounted) borne by each
        of :data:`PARTIES`, summed over deals.
    economic_losses : dict of str to ndarray (n,)
        Economic loss borne by each party: the shortfall in present value at
        ``loss_rate`` (default each deal's discount rate, i.e. its drawn deemed
        rate), at the grid's first year, summed over deals (see :class:`FundingSplit`).
    projects : dict of str to dict of str to ndarray (n,)
        Per deal: ``npv`` (at the deal's own rate, to its own first year, scaled),
        ``irr``, ``moic``, ``loss`` (nominal capital shortfall, scaled) and
        ``economic_loss`` (its present value at the grid's first year, scaled).
    inputs : dict of str to dict of str to ndarray (n,)
        Per deal, the kept drawn inputs.
    annual : dict of str to ndarray (T,)
        ``calls_mean``, ``calls_std``, ``receipts_mean``, ``net_mean`` over all ``n``.
    paths : dict of str to ndarray (k, T)
        ``calls`` and ``receipts`` of the first ``k`` scenarios (for quantiles, charts).
    market_paths : dict of str to ndarray (k, T)
        The shared market of the first ``k`` scenarios by calendar year (``years``):
        ``"deemed_rate"`` (decimal), ``"usdjpy"`` (yen per dollar), ``"gas"`` and
        ``"power:REGION"`` (factors on each deal's escalated base price). Empty without
        a shared market.
    market_links : dict of str to dict of str to str
        Per deal, which shared path each of its market draws reads (``{"price":
        "power:PJM", "fuel": "gas", ...}``).
    market : SharedMarket or None
    funding : FundingSplit
    common : CommonFactor or None
    loss_rate : float or None
        The rate of ``economic_losses`` (None: each deal's discount rate).
    backend : str
        The paths that evaluated the deals (``"numba"``, ``"numpy"`` or both).
    requested : int
        Scenarios asked for (``n`` for a complete run).
    partial : bool
        The run stopped early (deadline or cancel): the first ``n`` scenarios.
    """

    title: str
    seed: str
    sampler: str
    names: tuple[str, ...]
    years: NDArray[np.int64]
    start_years: dict[str, int]
    irr: F64
    irr_status: NDArray[np.int8]
    npv: F64
    moic: F64
    paid_in: F64
    received: F64
    worst_call: F64
    worst_call_year: NDArray[np.int64]
    losses: dict[str, F64]
    projects: dict[str, dict[str, F64]]
    inputs: dict[str, dict[str, F64]]
    annual: dict[str, F64]
    paths: dict[str, F64] = field(default_factory=dict)
    funding: FundingSplit = field(default_factory=FundingSplit)
    common: CommonFactor | None = None
    economic_losses: dict[str, F64] = field(default_factory=dict)
    loss_rate: float | None = None
    backend: str = ""
    requested: int | None = None
    partial: bool = False
    market_paths: dict[str, F64] = field(default_factory=dict)
    market_links: dict[str, dict[str, str]] = field(default_factory=dict)
    market: SharedMarket | None = None

    def __post_init__(self) -> None:
        complete_requested(self)

    def market_path(self, deal: str, draw: str) -> tuple[NDArray[np.int64], F64]:
        """A deal's calendar years, from its first to the grid's last, and the shared
        path it reads there.

        Parameters
        ----------
        deal : str
            A deal name.
        draw : {"price", "fuel", "deemed_rate", "usdjpy"}
            A market draw the deal reads from a shared path (:attr:`market_links`).

        Returns
        -------
        (ndarray of int64 (T_k,), ndarray (k, T_k))
            Those calendar years and the first ``k`` scenarios' path in them.

        Examples
        --------
        >>> from dealsim import simulate_portfolio
        >>> from dealsim.presets import ohio_gas_power
        >>> d = ohio_gas_power()
        >>> r = simulate_portfolio({"a": d, "b": d}, 50, seed=1, start_years={"b": 2028},
        ...                        paths=50)
        >>> years, rate = r.market_path("b", "deemed_rate")
        >>> int(years[0]), bool((rate == r.market_paths["deemed_rate"][:, 2:]).all())
        (2028, True)
        """
        links = self.market_links.get(deal)
        if links is None:
            raise InvalidParameterError(
                f"deal must be one of {sorted(self.market_links)}; got {deal!r}")
        if draw not in links:
            raise InvalidParameterError(
                f"deal {deal!r} reads no shared path for {draw!r}; it reads {sorted(links)}")
        start = self.start_years[deal] - int(self.years[0])
        path = self.market_paths[links[draw]][:, start:]
        return self.years[start:], path

    @property
    def n(self) -> int:
        """Number of scenarios."""
        return int(self.npv.shape[0])

    @property
    def capital_shortfalls(self) -> dict[str, F64]:
        """``losses`` under the name of what they are: nominal capital shortfalls."""
        return self.losses

    def probabilities(self) -> dict[str, tuple[float, float]]:
        """``name -> (p, standard error)`` for the portfolio events.

        ``p_recover_capital``: total received >= total paid in (MOIC >= 1);
        ``p_npv_negative``; ``p_total_loss``: nothing is ever received (MOIC 0; the
        summary counts the IRR as -100%); ``p_irr_undefined``: the IRR is undefined
        otherwise; ``p_any_loss``: some deal does not return its capital (the lenders
        of that deal lose, whatever the others do).
        """
        total_loss = self.moic == 0.0
        events = {
            "p_recover_capital": self.moic >= 1.0,
            "p_npv_negative": self.npv < 0,
            "p_total_loss": total_loss,
            "p_irr_undefined": np.isnan(self.irr) & ~total_loss,
            "p_any_loss": np.sum(list(self.losses.values()), axis=0) > 0,
        }
        return {k: _prob(mask) for k, mask in events.items()}

    def loss_table(self) -> dict[str, tuple[float, float]]:
        """``party -> (mean nominal capital shortfall USD, P(shortfall > 0))``.

        One entry per :data:`PARTIES`; the shortfall is undiscounted (see
        :meth:`economic_loss_table` for its present value).
        """
        return {p: (float(x.mean()), float(np.mean(x > 0))) for p, x in self.losses.items()}

    def economic_loss_table(self) -> dict[str, tuple[float, float]]:
        """``party -> (mean economic loss USD, its standard error)``.

        The economic loss is the capital shortfall in present value at
        ``loss_rate`` (default each deal's discount rate), at ``years[0]``.
        """
        n = self.n
        return {p: (float(x.mean()), float(x.std(ddof=1)) / math.sqrt(n) if n > 1 else math.nan)
                for p, x in self.economic_losses.items()}

    def annual_quantiles(self, q: Sequence[float]) -> tuple[F64, F64]:
        """Quantiles ``q`` of each year's gross calls and receipts, each ``(len(q), T)``.

        Estimated from the first ``k`` scenarios kept in ``paths`` (an i.i.d. sample:
        every scenario is drawn alike); the means in ``annual`` use all ``n``.
        """
        qq = [v.fraction("q", x, allow_zero=True) for x in q]
        if "calls" not in self.paths:
            raise InvalidParameterError("annual_quantiles needs paths > 0 in simulate_portfolio")
        return (np.quantile(self.paths["calls"], qq, axis=0),
                np.quantile(self.paths["receipts"], qq, axis=0))

    def annual_table(self, q: Sequence[float] = (0.05, 0.5, 0.95), *,
                     last_year: int | None = None) -> str:
        """Year-by-year table of Japan's aggregate gross cash calls and receipts, USD bn.

        Years where both means are 0 are skipped; ``last_year`` cuts the table.
        """
        cq, rq = self.annual_quantiles(q)
        labels = [f"P{100 * x:g}" for x in q]
        head = f"{'year':>6}{'calls':>9}" + "".join(f"{'c' + s:>9}" for s in labels) + \
            f"{'receipts':>10}" + "".join(f"{'r' + s:>9}" for s in labels) + f"{'net':>9}"
        lines = [f"Japan's aggregate cash by year, USD bn (means over {self.n:,} scenarios; "
                 f"quantiles over the first {self.paths['calls'].shape[0]:,})", head]
        a = self.annual
        for t, year in enumerate(self.years):
            if (a["calls_mean"][t] == 0 and a["receipts_mean"][t] == 0) or (
                    last_year is not None and year > last_year):
                continue
            lines.append(f"{year:>6}{a['calls_mean'][t] / 1e9:>9.2f}"
                         + "".join(f"{x / 1e9:>9.2f}" for x in cq[:, t])
                         + f"{a['receipts_mean'][t] / 1e9:>10.2f}"
                         + "".join(f"{x / 1e9:>9.2f}" for x in rq[:, t])
                         + f"{a['net_mean'][t] / 1e9:>9.2f}")
        return "\n".join(lines)

    def summary(self, quantiles: tuple[float, ...] = (0.05, 0.5, 0.95)) -> str:
        """Portfolio metrics, probabilities and the loss split as text.

        As in :meth:`dealsim.SimulationResult.summary`, a scenario in which Japan
        receives nothing at all (``p_total_loss``) counts as an IRR of -100%.
        """
        common = ("none" if self.common is None else
                  f"latent correlation {self.common.strength:g} on "
                  f"{', '.join(self.common.variables)}")
        lines = [f"dealsim portfolio: {self.title}",
                 f"n = {self.n:,} scenarios, seed = {self.seed}, sampler = {self.sampler}; "
                 f"common factor: {common}",
                 _deal_line(self.start_years),
                 f"{'output':<26}{'mean':>10}" + "".join(f"{'P' + format(100 * q, 'g'):>10}"
                                                         for q in quantiles)]
        irr_ranked = irr_for_statistics(self.irr, self.moic)
        rows = (("portfolio IRR (%)", irr_ranked, 100.0),
                ("portfolio NPV (bn USD)", self.npv, 1e-9),
                ("portfolio MOIC (x)", self.moic, 1.0),
                ("paid in (bn USD)", self.paid_in, 1e-9),
                ("worst year's call (bn)", self.worst_call, 1e-9))
        for label, x, scale in rows:
            st = _statistic(label, x, quantiles, 0.95)
            lines.append(f"{label:<26}{st.mean * scale:>10.3f}"
                         + "".join(f"{q[0] * scale:>10.3f}" for q in st.quantiles.values()))
            lost = int(np.count_nonzero(self.moic == 0.0))
            if x is irr_ranked and (lost or st.n_valid < self.n):
                lines.append(f"{'':<26}(over {st.n_valid:,} of {self.n:,} scenarios, "
                             f"including {lost:,} total losses at -100%)")
        lines.append("")
        for name, (p, se) in self.probabilities().items():
            lines.append(f"{name:<26}{p:>10.4f}  ± {se:.4f} (s.e.)")
        f = self.funding
        rank = "first loss" if f.equity_first_loss else "pro rata"
        basis = ("each deal's discount rate (its drawn deemed rate by default)"
                 if self.loss_rate is None else f"{self.loss_rate:.2%}")
        lines += ["", f"Losses per deal, split with equity {f.equity_share:g} ({rank}), JBIC "
                  f"{f.jbic_share:g} of debt, NEXI cover {f.nexi_cover:g} of the commercial "
                  "part (assumptions):",
                  "  shortfall = nominal capital shortfall, capital not returned (undiscounted)",
                  f"  economic  = the shortfall in present value at {basis}, "
                  f"in {int(self.years[0])} dollars",
                  f"{'party':<26}{'E[shortfall] bn':>16}{'P(shortfall>0)':>16}"
                  f"{'E[economic] bn':>16}"]
        econ = self.economic_loss_table()
        for party, (mean, p) in self.loss_table().items():
            e = econ[party][0] if party in econ else math.nan
            lines.append(f"{party:<26}{mean / 1e9:>16.3f}{p:>16.4f}{e / 1e9:>16.3f}")
        return "\n".join(lines)


def _deal_line(start_years: dict[str, int], shown: int = 8) -> str:
    items = [f"{k} ({y})" for k, y in start_years.items()]
    more = f", ... ({len(items)} deals)" if len(items) > shown else ""
    return "deals (first year): " + ", ".join(items[:shown]) + more


def _prob(mask: NDArray[np.bool_]) -> tuple[float, float]:
    p = float(np.count_nonzero(mask)) / mask.size
    return p, math.sqrt(p * (1.0 - p) / mask.size)
