"""Fund or decline: is funding a selected project better for Japan than declining it?

The MOU lets Japan decline a project the US selects; the US "may also impose tariff
rate or rates on Japanese imports into the United States at the rate determined by the
President" (the clause as quoted by R. Katz, 7 Sep 2025). :class:`TariffThreat`
describes what a decline may cost, every default with its source or an assumption
label; :func:`fund_or_decline` sets that cost against Japan's value of funding, scenario
by scenario; :func:`decide_portfolio` compares policies over several projects.

Both sides are valued at **one date**, the valuation date: by default the decision
date, the project's notice of selection
(:func:`dealsim.finance.capital_calls.notice_of_selection`: 17 Feb 2026 for a 2026
start, else 1 Jan of the first year); ``fund_or_decline(..., valuation_date=...)``
moves it.

Value of funding (USD): Japan's NPV of the project, ``investor_npv`` as
:func:`dealsim.simulate` computes it (same blocks, same seed, same draws), which is
dated 31 Dec of the project's first year (the first year's calls grown to its end),
brought to the valuation date ``v`` at the scenario's year-0 rate ``r0_i`` of that NPV::

    V_i = investor_npv_i * (1 + r0_i) ** -((31 Dec of the first year - v) / 365)

Expected present cost of declining (USD), scenario ``i``, the tariff starting at the
decision date ``d``::

    C_i = p * annual_cost_i(rate_increase) / usdjpy_i * A(D_i, y) * (1 + y) ** ((v - d) / 365)
          + reallocation * capex
    A(D, y) = (1 - (1 + y)**-D) / ln(1 + y)        (A = D at y = 0)

``p`` the probability that the tariff is imposed (an **expectation**, not a coin drawn
per scenario: the decision compares the value of funding with the expected cost of
declining, and the cost stays linear in ``p``); ``D_i`` the tariff's duration in years,
drawn; ``A`` the present value of one unit a year paid continuously from the decision
for ``D`` years. The cost is in yen: it is discounted at the yen rate ``y`` (the
threat's ``yen_rate``, 1% a year, an assumption) and converted at the decision date's
spot ``usdjpy_i`` -- the same as converting each year's yen at the forward implied by
the two rates and discounting the dollars at the dollar rate. With ``yen_rate=None``
``y`` is the dollar rate (the threat's ``discount_rate``, else the scenario's rate of
the deal's NPV). ``annual_cost_i`` in yen a year, by the ``"trade"`` route, at the
increase ``x``::

    exports * x * (share_borne_i * (1 - volume_response * x) + volume_response * lost_value_share)

(Japanese exporters absorb ``share_borne`` of the tariff on the volume they keep
selling, ``1 - volume_response * x`` of it; each yen of lost sales costs Japan
``lost_value_share`` of a yen), or by a GDP route (``"nri"``, ``"daiwa"``)::

    nominal_gdp * (gdp_loss_at_25% - gdp_loss_at_15%) * rate_increase / 0.10

The trade route's cost is quadratic in ``x`` (``a x - b x**2``,
:meth:`TariffThreat.cost_coefficients`), the GDP routes' linear; the break-even
increases solve that quadratic. Funding beats declining in scenario ``i`` when
``V_i + C_i > 0`` (strictly): with no
threat (``p = 0`` or ``rate_increase = 0``, no reallocation) exactly where the NPV is
positive.

Threat draws (duration, share borne) come from their own stream, keyed like the deal's
by ``(seed, block)``: ``SeedSequence(entropy, spawn_key=spawn_key + (THREAT_KEY,))``
then the block index, through the same sampler. So scenario ``i`` depends only on
``(seed, i)``, the deal side is ``simulate(deal, n, seed=seed)`` exactly (the funding
value its ``investor_npv`` times the date factor above), and results are bit-identical
across executors.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from dealsim.analysis.threat import _THREAT_COLUMNS, DEFAULT_USDJPY, THREAT_KEY, TariffThreat
from dealsim.common import validate as v
from dealsim.errors import InvalidParameterError
from dealsim.model.deal import Deal
from dealsim.montecarlo.uncertainty import (
    Distribution,
    Fixed,
    Uncertainties,
    as_seed_sequence,
    sampler_uniforms,
)

if TYPE_CHECKING:  # the Monte Carlo and results modules load scipy.stats: imported on use
    from dealsim.results.sensitivity import TornadoBar
    from dealsim.results.simulation import SimulationResult
    from dealsim.results.summary import Probability

__all__ = ["FundOrDecline", "fund_or_decline"]

F64 = NDArray[np.float64]


def _z_value(confidence: float) -> float:
    """Two-sided standard-normal quantile of ``confidence`` (stdlib, no scipy)."""
    return statistics.NormalDist().inv_cdf(0.5 + confidence / 2.0)


def _pv_years(duration: F64, rate: F64 | float) -> F64:
    """Present value of 1 a year paid continuously for ``duration`` years at ``rate``."""
    delta = np.log1p(rate)
    small = np.abs(delta) < 1e-12
    safe = np.where(small, 1.0, delta)
    return np.where(small, duration, -np.expm1(-safe * duration) / safe)


def _years_for_pv(pv: F64, rate: F64 | float) -> F64:
    """Inverse of :func:`_pv_years` in the duration (inf where no duration reaches ``pv``)."""
    delta = np.broadcast_to(np.log1p(rate), np.shape(pv))
    small = np.abs(delta) < 1e-12
    safe = np.where(small, 1.0, delta)
    arg = 1.0 - pv * safe
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(small, pv, -np.log(np.where(arg > 0, arg, 1.0)) / safe)
    return np.where(~small & (arg <= 0), np.inf, out)


def _threat_root(root: np.random.SeedSequence) -> np.random.SeedSequence:
    return np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, THREAT_KEY),
                                  pool_size=root.pool_size)


def _threat_uniforms(root: np.random.SeedSequence, sampler: str, n: int) -> F64:
    """The threat's uniforms for scenarios ``0..n-1``, block by block, shape ``(n, 2)``."""
    from dealsim.montecarlo.run import BLOCK_SIZE

    troot = _threat_root(root)
    out = np.empty((n, len(_THREAT_COLUMNS)))
    for b in range(-(-n // BLOCK_SIZE)):
        rows = min(BLOCK_SIZE, n - b * BLOCK_SIZE)
        out[b * BLOCK_SIZE: b * BLOCK_SIZE + rows] = sampler_uniforms(
            sampler, troot, block=b, size=BLOCK_SIZE, dim=len(_THREAT_COLUMNS))[:rows]
    return out


#: Days per year of the date factors (actual/365, as the funding calendar's).
_DAYS = 365.0


def _quadratic_root(base: Any, a: Any, b: Any) -> Any:
    """The smaller root ``x`` of ``base + a x - b x**2 = 0`` (``b >= 0``), in the form
    that stays exact at ``b = 0`` (``-base / a``); NaN where there is none."""
    disc = np.square(a) + 4.0 * b * base
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(disc >= 0, -2.0 * base / (a + np.sqrt(np.maximum(disc, 0.0))),
                        np.nan)


@dataclass(frozen=True, slots=True)
class _Side:
    """Per-scenario quantities of one threat against fixed deal draws; every USD amount
    valued at the valuation date."""

    unit: F64  # expected PV cost, linear coefficient in the increase (p * a/fx * A * shift)
    unit2: F64  # expected PV cost, quadratic coefficient (p * b/fx * A * shift)
    pv: F64  # p * A
    reallocation: float  # USD
    duration: F64
    share_borne: F64
    annual_usd: F64  # a / fx * shift: annual cost per unit of increase, USD a year
    annual_usd2: F64  # b / fx * shift

    def cost(self, x: float) -> F64:
        """Expected present cost of the tariff at the increase ``x`` (no reallocation)."""
        # (p A) times the annual cost: monotone in p and D under rounding too
        return np.asarray(self.pv * (x * self.annual_usd - x * x * self.annual_usd2),
                          dtype=np.float64)


def _decline_side(threat: TariffThreat, u: F64, rate: F64, fx: F64, capex: float,
                  shift: F64 | float = 1.0) -> _Side:
    """``rate`` discounts the tariff (its yen rate), ``shift`` moves its value from the
    decision date to the valuation date."""
    d = threat.draws(u)
    a, b = threat.cost_coefficients(d["share_borne"])
    scale = np.broadcast_to(shift / fx, fx.shape)
    annual, annual2 = np.broadcast_to(a * scale, fx.shape), np.broadcast_to(b * scale, fx.shape)
    pv = threat.probability * _pv_years(d["duration"], rate)
    return _Side(np.asarray(pv * annual, dtype=np.float64),
                 np.asarray(pv * annual2, dtype=np.float64), np.asarray(pv),
                 threat.reallocation * capex,
                 d["duration"], d["share_borne"], annual, annual2)


#: Tornado ranges of the threat's parameters that are numbers: (low, high, label).
#: Distributions swing between their P10 and P90.
TORNADO_RANGES: Mapping[str, tuple[float, float, str]] = {
    "rate_increase": (0.09, 0.125, "15% -> 24% (2 Apr 2025 threat) to 15% -> 27.5% "
                      "(pre-deal autos)"),
    "probability": (0.25, 0.75, "assumption"),
    "volume_response": (0.5, 1.5, "assumption: about half to 1.5x CEPR's"),
    "lost_value_share": (0.25, 1.0, "assumption"),
    "usdjpy": (145.0, 159.0, "the articles' range (deal-facts section 1)"),
    "reallocation": (0.0, 1.0, "none to the Korean rule"),
    "yen_rate": (0.0, 0.02, "assumption: 0 to 2% (the BoJ's 0.5% policy rate, Jan 2025, "
                 "plus or minus a term premium)"),
}


@dataclass(frozen=True, slots=True, eq=False)
class FundOrDecline:
    """Per-scenario comparison of funding a project with declining it.

    Attributes
    ----------
    title : str
    threat : TariffThreat
    simulation : SimulationResult
        The deal side, equal to ``simulate(deal, n, seed=seed, ...)``.
    fund_value : ndarray (n,)
        Japan's NPV of funding at the valuation date, USD (``simulation.investor_npv``
        brought from the first year's end, module docstring).
    decline_cost : ndarray (n,)
        Expected present cost of declining, USD (module docstring).
    advantage : ndarray (n,)
        ``fund_value + decline_cost``: what funding is worth over declining.
    fund_better : ndarray of bool (n,)
        ``advantage > 0``.
    duration, share_borne : ndarray (n,)
        The threat's draws.
    breakeven_rate_increase : ndarray (n,)
        Per scenario, funding beats declining iff ``rate_increase`` exceeds it
        (``-inf``: always; ``+inf``: never).
    breakeven_duration : ndarray (n,)
        Per scenario, funding beats declining iff the tariff lasts longer (years;
        ``inf``: no duration suffices; negative: funding wins even at zero).
    rate, npv_rate, fx : ndarray (n,)
        Discount rate of the tariff's present value (the yen rate), the year-0 rate of
        the deal's NPV, yen per dollar at the decision date, per scenario.
    capex : float
        The project's base capital (USD), the amount a reallocation recovers.
    uniforms : ndarray (n, 2)
        The threat stream's uniforms (duration, share borne), reused by
        :meth:`with_threat`.
    unit, unit2, annual_usd, annual_usd2 : ndarray (n,)
        Expected present cost of an increase ``x`` is ``x unit - x**2 unit2`` (USD);
        before probability and duration, ``x annual_usd - x**2 annual_usd2`` a year
        (USD at the valuation date's value).
    valuation_date, decision_date : numpy.datetime64
        The date both sides are valued at, and the date the tariff would start (the
        notice of selection).
    """

    title: str
    threat: TariffThreat
    simulation: SimulationResult
    fund_value: F64
    decline_cost: F64
    duration: F64
    share_borne: F64
    rate: F64 = field(repr=False)
    npv_rate: F64 = field(repr=False)
    fx: F64 = field(repr=False)
    capex: float = field(repr=False)
    uniforms: F64 = field(repr=False)
    unit: F64 = field(repr=False)
    annual_usd: F64 = field(repr=False)
    unit2: F64 = field(repr=False)
    annual_usd2: F64 = field(repr=False)
    valuation_date: np.datetime64 = field(repr=False)
    decision_date: np.datetime64 = field(repr=False)

    @property
    def n(self) -> int:
        """Number of scenarios."""
        return int(self.fund_value.shape[0])

    @property
    def advantage(self) -> F64:
        return self.fund_value + self.decline_cost

    @property
    def fund_better(self) -> NDArray[np.bool_]:
        return self.advantage > 0

    @property
    def p_fund_better(self) -> Probability:
        """P(funding beats declining) with its binomial standard error."""
        from dealsim.results.summary import Probability

        p = float(np.count_nonzero(self.fund_better)) / self.n
        return Probability("p_fund_better", p, math.sqrt(p * (1 - p) / self.n),
                           "funding beats the expected cost of declining")

    def p_fund_better_ci(self, confidence: float = 0.95) -> tuple[float, float]:
        """Wilson score interval of :attr:`p_fund_better`."""
        v.fraction("confidence", confidence, allow_one=False)
        z, n = _z_value(confidence), self.n
        p = self.p_fund_better.p
        mid = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        return max(0.0, mid - half), min(1.0, mid + half)

    def _per_year(self, x: float) -> F64:
        """Expected annual cost of the increase ``x`` (USD a year, before duration)."""
        return np.asarray(self.threat.probability * (x * self.annual_usd
                                                     - x * x * self.annual_usd2))

    @property
    def breakeven_rate_increase(self) -> F64:
        base = self.fund_value + self.threat.reallocation * self.capex
        out = _quadratic_root(base, self.unit, self.unit2)
        out = np.where(np.isnan(out), np.inf, out)
        return np.where(self.unit > 0, out, np.where(base > 0, -np.inf, np.inf))

    @property
    def breakeven_duration(self) -> F64:
        base = self.fund_value + self.threat.reallocation * self.capex
        per_year = self._per_year(self.threat.rate_increase)
        with np.errstate(divide="ignore", invalid="ignore"):
            target = np.where(per_year > 0, -base / np.where(per_year > 0, per_year, 1.0), 0.0)
        out = _years_for_pv(target, self.rate)
        return np.where(per_year > 0, out, np.where(base > 0, -np.inf, np.inf))

    def mean_breakeven_rate_increase(self, confidence: float = 0.95
                                     ) -> tuple[float, float, float]:
        """The increase at which E[advantage] = 0 (closed form), with a delta-method CI.

        ``x*`` the smaller root of ``B + U x - U2 x**2 = 0`` with ``B = mean(npv +
        reallocation)``, ``U = mean(unit)``, ``U2 = mean(unit2)``; standard error
        ``sd(npv + reallocation + x* unit - x*^2 unit2) / (sqrt(n) (U - 2 x* U2))``.
        """
        base = self.fund_value + self.threat.reallocation * self.capex
        mu, mu2 = float(self.unit.mean()), float(self.unit2.mean())
        x = float(_quadratic_root(float(base.mean()), mu, mu2))
        slope = mu - 2.0 * x * mu2
        if mu <= 0 or math.isnan(x) or slope <= 0:
            return (math.nan, math.nan, math.nan)
        se = float(np.std(base + x * self.unit - x * x * self.unit2, ddof=1)
                   ) / math.sqrt(self.n) / slope
        hw = _z_value(confidence) * se
        return x, x - hw, x + hw

    def mean_breakeven_duration(self) -> float:
        """The fixed duration (years) at which E[advantage] = 0 (bisection; inf if none)."""
        base = self.fund_value + self.threat.reallocation * self.capex
        per_year = self._per_year(self.threat.rate_increase)

        def gap(d: float) -> float:
            return float(np.mean(base + per_year * _pv_years(np.full(self.n, d), self.rate)))

        if gap(0.0) > 0:
            return 0.0
        hi = 1.0
        while gap(hi) <= 0:
            hi *= 2.0
            if hi > 1e4:
                return math.inf
        lo = 0.0
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if gap(mid) <= 0 else (lo, mid)
        return hi

    def with_threat(self, threat: TariffThreat) -> FundOrDecline:
        """The same deal draws and threat random numbers under another threat.

        Common random numbers: comparisons between threats are scenario by scenario.
        """
        if not isinstance(threat, TariffThreat):
            raise InvalidParameterError(f"threat must be a TariffThreat; got {threat!r}")
        return _assemble(self.title, threat, self.simulation, self.uniforms, self.capex,
                         self.npv_rate, self.valuation_date, self.decision_date)

    def p_grid(self, rate_increases: Sequence[float], durations: Sequence[float]) -> F64:
        """P(funding beats declining) with the duration fixed, shape ``(len(durations),
        len(rate_increases))``; other parameters as in the threat (scenario by scenario)."""
        xs = np.asarray([v.positive("rate_increases", x, allow_zero=True)
                         for x in rate_increases])
        ds = np.asarray([v.positive("durations", d, allow_zero=True) for d in durations])
        base = self.fund_value + self.threat.reallocation * self.capex
        out = np.empty((ds.size, xs.size))
        for i, d in enumerate(ds):
            pv = _pv_years(np.full(self.n, d), self.rate)
            for j, x in enumerate(xs):
                out[i, j] = np.count_nonzero(base + self._per_year(x) * pv > 0) / self.n
        return out

    def tornado(self, ranges: Mapping[str, tuple[float, float, str]] = TORNADO_RANGES,
                ) -> list[TornadoBar]:
        """Swing each threat parameter (numbers over ``ranges``, distributions between
        their P10 and P90 as fixed values), the others as given; largest swing of
        P(funding better) first. Parameters the threat's route does not use are left out.

        Returns
        -------
        list of TornadoBar
            Outputs ``"p_fund_better"`` and ``"mean_advantage"`` (USD) at both ends.
        """
        from dealsim.results.sensitivity import TornadoBar

        bars = []
        names = list(_THREAT_COLUMNS) + list(ranges)
        if self.threat.calibration != "trade":
            names = [x for x in names if x not in ("share_borne", "volume_response",
                                                   "lost_value_share")]
        for name in names:
            current = getattr(self.threat, name)
            if isinstance(current, Distribution):
                lo, hi = float(current.ppf(0.1)), float(current.ppf(0.9))
                ends: tuple[Any, Any] = (Fixed(lo), Fixed(hi))
            elif name in ranges:
                lo, hi = ranges[name][0], ranges[name][1]
                ends = (lo, hi)
            else:
                continue
            res = [self.with_threat(dataclasses.replace(self.threat, **{name: e}))
                   for e in ends]
            outs = [{"p_fund_better": r.p_fund_better.p,
                     "mean_advantage": float(r.advantage.mean())} for r in res]
            bars.append(TornadoBar(name, lo, hi, outs[0], outs[1]))
        return sorted(bars, key=lambda b: (-b.swing("p_fund_better"),
                                           -b.swing("mean_advantage")))

    def summary(self, confidence: float = 0.95) -> str:
        """P(funding better) and the break-evens with confidence intervals, as text."""
        from dealsim.results.summary import _statistic

        p = self.p_fund_better
        lo, hi = self.p_fund_better_ci(confidence)
        t = self.threat
        qs = (0.05, 0.5, 0.95)
        lines = [f"dealsim fund or decline: {self.title}",
                 f"n = {self.n:,} scenarios, seed = {self.simulation.seed}, sampler = "
                 f"{self.simulation.sampler}; [brackets]: {confidence:.0%} confidence "
                 "intervals",
                 f"threat: +{t.rate_increase * 100:g} points on {t.goods} goods "
                 f"({t.calibration} route), probability {t.probability:g}, duration "
                 f"{t.duration}, reallocation {t.reallocation:g}",
                 f"P(funding beats declining)        {p.p:.4f} [{lo:.4f}, {hi:.4f}]",
                 f"{'USD bn':<34}{'mean':>10}" + "".join(f"{'P' + format(100 * q, 'g'):>10}"
                                                        for q in qs)]
        for label, arr in (("Japan's NPV of funding", self.fund_value),
                           ("expected cost of declining", self.decline_cost),
                           ("funding minus declining", self.advantage)):
            st = _statistic(label, arr, qs, confidence)
            lines.append(f"{label:<34}{st.mean / 1e9:>10.3f}"
                         + "".join(f"{q[0] / 1e9:>10.3f}" for q in st.quantiles.values()))
            lines.append(f"{'':<34}{'':>10}" + "".join(
                f"{f'[{q[1] / 1e9:.2f},{q[2] / 1e9:.2f}]':>10}" for q in st.quantiles.values()))
        be = self.breakeven_rate_increase
        st = _statistic("be", be[np.isfinite(be)] if np.isfinite(be).any() else be, (0.5,),
                        confidence)
        x, xlo, xhi = self.mean_breakeven_rate_increase(confidence)
        lines += ["",
                  "break-even tariff increase (points), where funding and declining are "
                  "equal:",
                  f"  in expectation (E[advantage] = 0)  {100 * x:.3f} "
                  f"[{100 * xlo:.3f}, {100 * xhi:.3f}]",
                  f"  median scenario (P = 0.5)          {100 * st.quantiles[0.5][0]:.3f} "
                  f"[{100 * st.quantiles[0.5][1]:.3f}, {100 * st.quantiles[0.5][2]:.3f}]"]
        bd = self.breakeven_duration
        sd = _statistic("bd", bd[np.isfinite(bd)] if np.isfinite(bd).any() else bd, (0.5,),
                        confidence)
        lines += [f"break-even duration (years) at +{t.rate_increase * 100:g} points: in "
                  f"expectation {self.mean_breakeven_duration():.3f}; median scenario "
                  f"{sd.quantiles[0.5][0]:.3f} [{sd.quantiles[0.5][1]:.3f}, "
                  f"{sd.quantiles[0.5][2]:.3f}]"]
        return "\n".join(lines)

    def to_pandas(self) -> Any:
        """One row per scenario: fund value, decline cost, advantage, threat draws and
        break-evens, plus the deal's outputs (needs pandas)."""
        import pandas as pd

        scen, _ = self.simulation.to_pandas()
        cols = {"fund_value": self.fund_value, "decline_cost": self.decline_cost,
                "advantage": self.advantage, "fund_better": self.fund_better,
                "threat_duration": self.duration, "threat_share_borne": self.share_borne,
                "breakeven_rate_increase": self.breakeven_rate_increase,
                "breakeven_duration": self.breakeven_duration}
        return pd.concat([pd.DataFrame(cols), scen], axis=1)


def _npv_rate(deal: Deal, inputs: Mapping[str, F64], n: int) -> F64:
    """Each scenario's year-0 discount rate of ``investor_npv`` (as
    :func:`dealsim.evaluate`: the deemed-rate path's first year where it floats)."""
    if deal.discount_rate is not None:
        return np.full(n, deal.discount_rate)
    if "deemed_rate" in inputs:
        drawn = np.asarray(inputs["deemed_rate"], dtype=np.float64)
        sofr = deal.market.sofr
        return drawn if sofr is None else sofr.deemed(drawn - sofr.spread)
    return np.full(n, deal.terms.deemed_rate)


def _tariff_rate(threat: TariffThreat, npv_rate: F64) -> F64:
    """The rate that discounts the tariff: the yen rate, else the dollar rate."""
    if threat.yen_rate is not None:
        return np.full(npv_rate.shape, threat.yen_rate)
    if threat.discount_rate is not None:
        return np.full(npv_rate.shape, threat.discount_rate)
    return npv_rate


def _years(later: np.datetime64, earlier: np.datetime64) -> float:
    """Years (actual/365) from ``earlier`` to ``later``."""
    return float((later - earlier).astype("timedelta64[D]").astype(np.int64)) / _DAYS


def _date(name: str, value: Any) -> np.datetime64:
    """A date argument as ``datetime64[D]``, refused (naming ``name``) if it is none."""
    if isinstance(value, (bool, int, float)):
        raise InvalidParameterError(f"{name} must be a date; got {value!r}")
    try:
        d = np.datetime64(value, "D")
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(f"{name} must be a date; got {value!r}") from exc
    if np.isnat(d):
        raise InvalidParameterError(f"{name} must be a date; got {value!r}")
    return d


def _year_end(year: int) -> np.datetime64:
    return np.datetime64(f"{year:04d}-12-31", "D")


def _assemble(title: str, threat: TariffThreat, sim: SimulationResult, u: F64, capex: float,
              npv_rate: F64, valuation: np.datetime64, decision: np.datetime64,
              ) -> FundOrDecline:
    n = sim.n
    fx_drawn = sim.inputs.get("usdjpy")
    rate = _tariff_rate(threat, npv_rate)
    if threat.usdjpy is not None:
        fx = np.full(n, threat.usdjpy)
    elif fx_drawn is not None:
        fx = np.asarray(fx_drawn, dtype=np.float64)
    else:
        fx = np.full(n, DEFAULT_USDJPY)
    shift = (1.0 + rate) ** _years(valuation, decision)
    side = _decline_side(threat, u, rate, fx, capex, shift)
    cost = side.cost(threat.rate_increase) + side.reallocation
    # the NPV is dated at the end of the decision's year (the project's first year)
    year_end = _year_end(int(decision.astype(object).year))
    fund = sim.investor_npv * (1.0 + npv_rate) ** -_years(year_end, valuation)
    return FundOrDecline(title, threat, sim, fund, cost, side.duration,
                         side.share_borne, rate, npv_rate, fx, capex, u, side.unit,
                         side.annual_usd, side.unit2, side.annual_usd2, valuation, decision)


def _check_threat(threat: Any) -> TariffThreat:
    if threat is None:
        return TariffThreat()
    if not isinstance(threat, TariffThreat):
        raise InvalidParameterError(f"threat must be a TariffThreat; got {threat!r}")
    return threat


def fund_or_decline(
    deal: Deal,
    threat: TariffThreat | None,
    n: int | float,
    *,
    seed: int | np.random.SeedSequence | np.random.Generator | None,
    uncertainties: Uncertainties | None = None,
    sampler: str = "random",
    executor: Any = None,
    backend: str = "auto",
    paths: int = 0,
    valuation_date: Any = None,
) -> FundOrDecline:
    """Japan's value of funding ``deal`` against the expected cost of declining it.

    Parameters
    ----------
    deal : Deal
    threat : TariffThreat or None
        What a decline may cost; ``None`` for :class:`TariffThreat` defaults.
    n : int
        Scenarios (>= 1).
    seed : int, SeedSequence or Generator
        As in :func:`dealsim.simulate` (``None``: fresh OS entropy).
    uncertainties, sampler, executor, backend, paths
        Passed to :func:`dealsim.simulate` for the deal side.
    valuation_date : date-like, optional
        The date both sides are valued at (``"2026-02-17"``, a ``datetime.date`` or
        ``numpy.datetime64``). Default: the decision date, the project's notice of
        selection (:func:`dealsim.finance.capital_calls.notice_of_selection`).

    Returns
    -------
    FundOrDecline

    Raises
    ------
    InvalidParameterError
        A bad threat, deal, ``n``, seed, sampler or executor (before any work).

    Notes
    -----
    The formula and the reproducibility contract are in the module docstring. The deal
    side is :func:`dealsim.simulate` run with the same root seed, its NPV moved from the
    first year's end to the valuation date; the decline side is computed block by block
    from the threat's own stream, ``O(n)`` numpy work.

    Examples
    --------
    >>> from dealsim.presets import georgia_diamond
    >>> r = fund_or_decline(georgia_diamond(), TariffThreat(), 2000, seed=1)
    >>> import dealsim
    >>> s = dealsim.simulate(georgia_diamond(), 2000, seed=1)
    >>> str(r.valuation_date)  # the notice of selection of a 2026 project
    '2026-02-17'
    >>> at_year_end = fund_or_decline(georgia_diamond(), None, 2000, seed=1,
    ...                               valuation_date="2026-12-31")
    >>> bool((at_year_end.fund_value == s.investor_npv).all())
    True
    >>> r.p_fund_better.p  # a $0.6bn project against a tariff on ¥20tn of exports
    1.0
    >>> none = r.with_threat(TariffThreat(probability=0.0))
    >>> bool((none.fund_better == (r.fund_value > 0)).all())
    True
    """
    from dealsim.montecarlo.run import simulate

    threat = _check_threat(threat)
    if not isinstance(deal, Deal):
        raise InvalidParameterError(f"deal must be a Deal; got {deal!r}")
    n = v.integer("n", n, minimum=1)
    from dealsim.finance.capital_calls import notice_of_selection

    decision = notice_of_selection(int(deal.project.first_year))
    valuation = decision if valuation_date is None else _date("valuation_date",
                                                               valuation_date)
    root = as_seed_sequence(seed) if seed is not None else np.random.SeedSequence()
    sim = simulate(deal, n, seed=root, uncertainties=uncertainties, sampler=sampler,
                   executor=executor, backend=backend, paths=paths)
    u = _threat_uniforms(root, sampler, n)
    return _assemble(deal.name, threat, sim, u, float(deal.project.capex),
                     _npv_rate(deal, sim.inputs, n), valuation, decision)
