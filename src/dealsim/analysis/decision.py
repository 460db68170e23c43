"""Fund or decline: is funding a selected project better for Japan than declining it?

The MOU lets Japan decline a project the US selects; the US "may also impose tariff
rate or rates on Japanese imports into the United States at the rate determined by the
President" (the clause as quoted by R. Katz, 7 Sep 2025). :class:`TariffThreat`
describes what a decline may cost, every default with its source or an assumption
label; :func:`fund_or_decline` sets that cost against Japan's value of funding, scenario
by scenario; :func:`decide_portfolio` compares policies over several projects.

Value of funding (USD): Japan's NPV of the project, ``investor_npv`` exactly as
:func:`dealsim.simulate` computes it (same blocks, same seed, same draws). Expected
present cost of declining (USD), scenario ``i``::

    C_i = p * annual_cost_i(rate_increase) / usdjpy_i * A(D_i, r_i) + reallocation * capex
    A(D, r) = (1 - (1 + r)**-D) / ln(1 + r)        (A = D at r = 0)

``p`` the probability that the tariff is imposed (an **expectation**, not a coin drawn
per scenario: the decision compares the value of funding with the expected cost of
declining, and the cost stays linear in ``p`` and ``rate_increase``); ``D_i`` the
tariff's duration in years, drawn; ``A`` the present value of one unit a year paid
continuously from the decision (the project's first year, where its NPV is dated) for
``D`` years, discounted at ``r_i`` (by default each scenario's rate of the deal's NPV).
``annual_cost_i`` in yen a year, by the ``"trade"`` route::

    exports * rate_increase * (share_borne_i + volume_response * lost_value_share)

(Japanese exporters absorb ``share_borne`` of the tariff on what they keep selling;
export volume falls by ``volume_response * rate_increase`` and each yen of lost sales
costs Japan ``lost_value_share`` of a yen), or by a GDP route (``"nri"``, ``"daiwa"``)::

    nominal_gdp * (gdp_loss_at_25% - gdp_loss_at_15%) * rate_increase / 0.10

Funding beats declining in scenario ``i`` when ``npv_i + C_i > 0`` (strictly): with no
threat (``p = 0`` or ``rate_increase = 0``, no reallocation) exactly where the NPV is
positive.

Threat draws (duration, share borne) come from their own stream, keyed like the deal's
by ``(seed, block)``: ``SeedSequence(entropy, spawn_key=spawn_key + (THREAT_KEY,))``
then the block index, through the same sampler. So scenario ``i`` depends only on
``(seed, i)``, the funding side equals ``simulate(deal, n, seed=seed)`` exactly, and
results are bit-identical across executors.
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
from dealsim.common.display import Report, Row, short_repr
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


@dataclass(frozen=True, slots=True)
class _Side:
    """Per-scenario quantities of one threat against fixed deal draws."""

    unit: F64  # expected PV cost per unit of rate increase, USD (p * annual/fx * A)
    reallocation: float  # USD
    duration: F64
    share_borne: F64
    annual_usd: F64  # annual cost per unit of increase, USD a year (before p, A)


def _decline_side(threat: TariffThreat, u: F64, rate: F64, fx: F64, capex: float) -> _Side:
    d = threat.draws(u)
    annual = threat.annual_cost_yen(d["share_borne"], per_point=True) / fx
    unit = threat.probability * annual * _pv_years(d["duration"], rate)
    return _Side(np.asarray(unit, dtype=np.float64), threat.reallocation * capex,
                 d["duration"], d["share_borne"], np.broadcast_to(annual, fx.shape))


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
        Japan's NPV of funding, USD (``simulation.investor_npv``).
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
        Discount rate of the tariff's present value, the rate of the deal's NPV, yen
        per dollar, per scenario.
    capex : float
        The project's base capital (USD), the amount a reallocation recovers.
    uniforms : ndarray (n, 2)
        The threat stream's uniforms (duration, share borne), reused by
        :meth:`with_threat`.
    unit, annual_usd : ndarray (n,)
        Expected present cost per unit of increase (USD), and the annual cost per unit
        of increase before probability and duration (USD a year).
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

    @property
    def breakeven_rate_increase(self) -> F64:
        base = self.fund_value + self.threat.reallocation * self.capex
        with np.errstate(divide="ignore", invalid="ignore"):
            out = -base / self.unit
        return np.where(self.unit > 0, out, np.where(base > 0, -np.inf, np.inf))

    @property
    def breakeven_duration(self) -> F64:
        base = self.fund_value + self.threat.reallocation * self.capex
        per_year = self.threat.probability * self.threat.rate_increase * self.annual_usd
        with np.errstate(divide="ignore", invalid="ignore"):
            target = np.where(per_year > 0, -base / np.where(per_year > 0, per_year, 1.0), 0.0)
        out = _years_for_pv(target, self.rate)
        return np.where(per_year > 0, out, np.where(base > 0, -np.inf, np.inf))

    def mean_breakeven_rate_increase(self, confidence: float = 0.95
                                     ) -> tuple[float, float, float]:
        """The increase at which E[advantage] = 0 (closed form), with a delta-method CI.

        ``x* = -(mean(npv) + reallocation) / mean(unit)``; standard error
        ``sd(npv + reallocation + x* unit) / (sqrt(n) mean(unit))``.
        """
        base = self.fund_value + self.threat.reallocation * self.capex
        mu = float(self.unit.mean())
        if mu <= 0:
            return (math.nan, math.nan, math.nan)
        x = -float(base.mean()) / mu
        se = float(np.std(base + x * self.unit, ddof=1)) / math.sqrt(self.n) / mu
        hw = _z_value(confidence) * se
        return x, x - hw, x + hw

    def mean_breakeven_duration(self) -> float:
        """The fixed duration (years) at which E[advantage] = 0 (bisection; inf if none)."""
        base = self.fund_value + self.threat.reallocation * self.capex
        per_year = self.threat.probability * self.threat.rate_increase * self.annual_usd

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
                         self.npv_rate)

    def p_grid(self, rate_increases: Sequence[float], durations: Sequence[float]) -> F64:
        """P(funding beats declining) with the duration fixed, shape ``(len(durations),
        len(rate_increases))``; other parameters as in the threat (scenario by scenario)."""
        xs = np.asarray([v.positive("rate_increases", x, allow_zero=True)
                         for x in rate_increases])
        ds = np.asarray([v.positive("durations", d, allow_zero=True) for d in durations])
        base = self.fund_value + self.threat.reallocation * self.capex
        out = np.empty((ds.size, xs.size))
        per_year = self.threat.probability * self.annual_usd
        for i, d in enumerate(ds):
            unit = per_year * _pv_years(np.full(self.n, d), self.rate)
            # funding better iff base + x unit > 0: count per x on the sorted break-evens
            for j, x in enumerate(xs):
                out[i, j] = np.count_nonzero(base + x * unit > 0) / self.n
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

    def __repr__(self) -> str:
        t = self.threat
        return short_repr("FundOrDecline", self.title, n=self.n, seed=self.simulation.seed,
                          backend=self.simulation.backend,
                          threat=f"+{t.rate_increase * 100:g} points, p={t.probability:g}")

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def _rows(self, confidence: float) -> list[Row]:
        from dealsim.results.summary import LABELS, quantile_rows

        p = self.p_fund_better
        rows = [Row("p_fund_better", LABELS["p_fund_better"], p.p,
                    *self.p_fund_better_ci(confidence), "probability",
                    "Wilson interval; " + p.meaning)]
        for name, label, arr in (("fund_value", "Japan's NPV of funding", self.fund_value),
                                 ("decline_cost", "expected cost of declining",
                                  self.decline_cost),
                                 ("advantage", "funding minus declining", self.advantage)):
            rows += quantile_rows(name, label, arr, "USD", confidence)
        x, lo, hi = self.mean_breakeven_rate_increase(confidence)
        rows.append(Row("breakeven_rate_increase", "break-even tariff increase "
                        "(E[advantage] = 0)", x, lo, hi, "tariff increase (decimal)",
                        "funding beats declining in expectation above this increase"))
        rows.append(Row("breakeven_duration", "break-even duration (E[advantage] = 0)",
                        self.mean_breakeven_duration(), unit="years"))
        return rows

    def summary(self, confidence: float = 0.95) -> Report:
        """P(funding better) and the break-evens with confidence intervals.

        Returns
        -------
        Report
            ``print()`` it for the text table; a table in a notebook; ``to_dict()``
            (strict JSON, a ``unit`` per row: USD, probability, a tariff increase as a
            decimal, years) and ``to_pandas()``.
        """
        t = self.threat
        meta = {"n": self.n, "seed": self.simulation.seed,
                "sampler": self.simulation.sampler, "backend": self.simulation.backend,
                "confidence": confidence,
                "threat": f"+{t.rate_increase * 100:g} points on {t.goods} goods "
                          f"({t.calibration} route), probability {t.probability:g}"}
        return Report("dealsim fund or decline", self.title, meta,
                      tuple(self._rows(confidence)), self._text(confidence),
                      (f"intervals: {confidence:.0%} confidence", "Japan funds the project "
                       "or declines it; the US may then raise its tariff"))

    def _text(self, confidence: float) -> str:
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
        """One DataFrame, one row per scenario: fund value, decline cost, advantage, threat
        draws and break-evens, plus the deal's outputs (needs pandas); ``attrs["units"]``
        gives every column's unit."""
        import pandas as pd

        scen = self.simulation.to_pandas()
        cols = {"fund_value": self.fund_value, "decline_cost": self.decline_cost,
                "advantage": self.advantage, "fund_better": self.fund_better,
                "threat_duration": self.duration, "threat_share_borne": self.share_borne,
                "breakeven_rate_increase": self.breakeven_rate_increase,
                "breakeven_duration": self.breakeven_duration}
        df = pd.concat([pd.DataFrame(cols), scen], axis=1)
        df.attrs = dict(scen.attrs)
        df.attrs["units"] = {
            "fund_value": "USD", "decline_cost": "USD", "advantage": "USD",
            "fund_better": "flag", "threat_duration": "years",
            "threat_share_borne": "decimal",
            "breakeven_rate_increase": "tariff increase (decimal: 0.1 = +10 points)",
            "breakeven_duration": "years"} | scen.attrs["units"]
        return df


def _npv_rate(deal: Deal, inputs: Mapping[str, F64], n: int) -> F64:
    """Each scenario's discount rate of ``investor_npv`` (as :func:`dealsim.evaluate`)."""
    if deal.discount_rate is not None:
        return np.full(n, deal.discount_rate)
    if "deemed_rate" in inputs:
        return np.asarray(inputs["deemed_rate"], dtype=np.float64)
    return np.full(n, deal.terms.deemed_rate)


def _assemble(title: str, threat: TariffThreat, sim: SimulationResult, u: F64, capex: float,
              npv_rate: F64) -> FundOrDecline:
    n = sim.n
    fx_drawn = sim.inputs.get("usdjpy")
    rate = npv_rate if threat.discount_rate is None else np.full(n, threat.discount_rate)
    if threat.usdjpy is not None:
        fx = np.full(n, threat.usdjpy)
    elif fx_drawn is not None:
        fx = np.asarray(fx_drawn, dtype=np.float64)
    else:
        fx = np.full(n, DEFAULT_USDJPY)
    side = _decline_side(threat, u, rate, fx, capex)
    cost = threat.rate_increase * side.unit + side.reallocation
    return FundOrDecline(title, threat, sim, sim.investor_npv, cost, side.duration,
                         side.share_borne, rate, npv_rate, fx, capex, u, side.unit,
                         side.annual_usd)


def _check_threat(threat: Any) -> TariffThreat:
    if threat is None:
        return TariffThreat()
    if not isinstance(threat, TariffThreat):
        raise InvalidParameterError(f"threat must be a TariffThreat; got {threat!r}")
    return threat


def _threat_and_n(threat: Any, n: Any) -> tuple[TariffThreat, Any]:
    """``(threat, n)`` of the call forms ``f(x, threat, n)``, ``f(x, n)`` (a number in
    the threat's place is ``n`` when ``n`` is not given) and ``f(x, n=..., threat=...)``."""
    if n is None and isinstance(threat, int | float | np.integer | np.floating) \
            and not isinstance(threat, bool | np.bool_):
        threat, n = None, threat
    if n is None:
        raise InvalidParameterError("n (the number of scenarios) is required; got None")
    return _check_threat(threat), n


def fund_or_decline(
    deal: Deal,
    threat: TariffThreat | None = None,
    n: int | float | None = None,
    *,
    seed: int | np.random.SeedSequence | np.random.Generator | None = None,
    uncertainties: Uncertainties | None = None,
    sampler: str = "random",
    executor: Any = None,
    backend: str = "auto",
    paths: int = 0,
) -> FundOrDecline:
    """Japan's value of funding ``deal`` against the expected cost of declining it.

    Parameters
    ----------
    deal : Deal
    threat : TariffThreat or None
        What a decline may cost; ``None`` (default) for ``TariffThreat()``.
    n : int
        Scenarios (>= 1); required. ``fund_or_decline(deal, n)`` and
        ``fund_or_decline(deal, threat, n)`` both work.
    seed : int, SeedSequence, Generator or None
        As in :func:`dealsim.simulate`. Default ``None``: fresh OS entropy, recorded
        in ``result.simulation.seed`` (pass ``seed=int(...)`` of it to reproduce).
    uncertainties, sampler, executor, backend, paths
        Passed to :func:`dealsim.simulate` for the deal side.

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
    side is :func:`dealsim.simulate` run with the same root seed; the decline side is
    computed block by block from the threat's own stream, ``O(n)`` numpy work.

    Examples
    --------
    >>> from dealsim.presets import georgia_diamond
    >>> r = fund_or_decline(georgia_diamond(), TariffThreat(), 2000, seed=1)
    >>> import dealsim
    >>> s = dealsim.simulate(georgia_diamond(), 2000, seed=1)
    >>> bool((r.fund_value == s.investor_npv).all())
    True
    >>> float(r.p_fund_better)  # a $0.6bn project against a tariff on ¥20tn of exports
    1.0
    >>> fund_or_decline(georgia_diamond(), 2000, seed=1).p_fund_better == r.p_fund_better
    True
    >>> none = r.with_threat(TariffThreat(probability=0.0))
    >>> bool((none.fund_better == (r.fund_value > 0)).all())
    True
    """
    from dealsim.montecarlo.run import simulate

    threat, n = _threat_and_n(threat, n)
    if not isinstance(deal, Deal):
        raise InvalidParameterError(f"deal must be a Deal; got {deal!r}")
    n = v.integer("n", n, minimum=1)
    root = as_seed_sequence(seed) if seed is not None else np.random.SeedSequence()
    sim = simulate(deal, n, seed=root, uncertainties=uncertainties, sampler=sampler,
                   executor=executor, backend=backend, paths=paths)
    u = _threat_uniforms(root, sampler, n)
    return _assemble(sim.title, threat, sim, u, float(deal.project.capex),
                     _npv_rate(deal, sim.inputs, n))
