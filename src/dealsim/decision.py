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

from . import _validate as v
from .deal import Deal
from .errors import InvalidParameterError
from .presets.catalog import Source
from .uncertainty import (
    U_MAX,
    U_MIN,
    Distribution,
    Fixed,
    Triangular,
    Uncertainties,
    as_seed_sequence,
    sampler_uniforms,
)

if TYPE_CHECKING:  # the Monte Carlo and results modules load scipy.stats: imported on use
    from .results import Probability, SimulationResult, TornadoBar

__all__ = [
    "GDP_ESTIMATES",
    "SOURCES",
    "THREAT_KEY",
    "FundOrDecline",
    "GdpEstimate",
    "PortfolioDecision",
    "TariffThreat",
    "decide_portfolio",
    "decide_scenario",
    "fund_or_decline",
]

F64 = NDArray[np.float64]

#: Spawn-key element of the threat's stream (distinct from every block index and from
#: the Sobol scramble key); part of the reproducibility contract.
THREAT_KEY = 0x7A_21FF
#: Random columns of the threat stream, in order (fixed whatever the threat, so that two
#: threats compared on one run share their random numbers).
_THREAT_COLUMNS = ("duration", "share_borne")

# ---------------------------------------------------------------------------- sources

_CLAUSE = Source("R. Katz quoting the MOU; FT: if Japan elects not to fund, the US 'may also "
                 "impose tariff rate or rates on Japanese imports into the United States at "
                 "the rate determined by the President'", "2025-09-07", "press")
_EO = Source("EO 14345: 15% all-in on Japanese goods from 7 Aug 2025, autos and parts "
             "27.5% -> 15% from 16 Sep 2025; the President may modify the order if Japan "
             "fails its commitments", "2025-09-04", "official")
_BESSENT = Source("Bessent (Fox): quarterly review; rates 'revert to 25%' if the US is "
                  "dissatisfied", "2025-07-24", "press")
_THREATS = Source("CSIS; Jiji: pre-deal autos 27.5% (2.5% MFN + 25% s.232); threatened "
                  "rates 24% (2 Apr 2025) and 25% (letter of 7 Jul 2025)", "2025-07-08", "press")
_MOF = Source("Ministry of Finance via Jiji: exports to the US in 2025 ¥20.414tn (-4.1%); "
              "autos ¥5.341tn", "2026-01-22", "official")
_NRI = Source("NRI: Japan's GDP -0.55% at a 15% US tariff vs -0.85% at 25%", "2025-07", "press")
_DAIWA = Source("Daiwa: Japan's GDP -1.1% at a 15% US tariff vs -1.3% at 25%", "2025-07",
                "press")
_GDP = Source("Japan's nominal GDP ≈ ¥600tn: NRI's 10 points ≈ ¥1.8tn a year = 0.30% of GDP "
              "(deal-facts section 7)", "2025-07", "derived")
_BOJ = Source("BoJ: auto export prices to North America -19.4% y/y (Jun 2025), against a "
              "25-point rise of the US auto tariff: ≈ 0.78 of it absorbed by exporters",
              "2025-07", "derived")
_GOLDMAN = Source("Goldman Sachs: US tariff costs borne 55% by US consumers, 22% by US firms, "
                  "18% by foreign exporters, 5% evaded", "2025-10-12", "press")
_PASS_THROUGH = Source("Amiti, Redding & Weinstein 2019; Fajgelbaum et al. 2020 (academic): "
                       "the 2018 US tariffs passed through fully to US import prices "
                       "(foreign exporters bore ≈ 0)", "2019", "press")
_CEPR = Source("CEPR: 15% -> 25% cuts Japan's exports to the US by ≈ $14bn of $148bn "
               "('$550bn to protect $14bn')", "2025-09-11", "press")
_KOREA = Source("ZDNet Korea; SBS; Newspim: under Korea's MOU the US takes Korea's "
                "distributions until the unpaid amount is covered, and may also raise "
                "tariffs; Japan's own mechanism unconfirmed", "2025-11-14", "press")
_PRECEDENT = Source("AP; JoongAng: Korea's rates announced to go 15% -> 25% (26 Jan 2026), "
                    "not formalised by 9 Feb 2026", "2026-02-09", "press")
_WINDOW = Source("Hudson Institute; Reuters JP summary: Japan invests until 19 Jan 2029",
                 "2025-09", "press")

#: Every source this module uses, by section of ``docs/sources.md`` (section title ->
#: records; the sources-file generator renders each module's ``SOURCES``).
SOURCES: Mapping[str, tuple[Source, ...]] = {
    "§7 Tariff counterfactual: fund or decline (`dealsim.TariffThreat`)": (
        _CLAUSE, _EO, _BESSENT, _THREATS, _MOF, _NRI, _DAIWA, _GDP, _BOJ, _GOLDMAN,
        _PASS_THROUGH, _CEPR, _KOREA, _PRECEDENT, _WINDOW),
}

#: Exports to the US in 2025, yen a year, by ``goods`` (Ministry of Finance).
EXPORTS_2025 = {"all": 20.414e12, "autos": 5.341e12}
#: Yen per dollar when neither the threat nor the deal's draws give one: the median of
#: :func:`dealsim.default_uncertainties`' ``usdjpy`` (assumption there).
DEFAULT_USDJPY = 155.0


@dataclass(frozen=True, slots=True)
class GdpEstimate:
    """A published estimate of Japan's GDP loss at two US tariff rates.

    ``loss_low`` at ``rate_low`` and ``loss_high`` at ``rate_high`` (shares of GDP); the
    cost of a tariff increase is read as linear between them.
    """

    name: str
    rate_low: float
    loss_low: float
    rate_high: float
    loss_high: float
    source: Source

    def per_point(self) -> float:
        """GDP share lost per unit of tariff increase."""
        return (self.loss_high - self.loss_low) / (self.rate_high - self.rate_low)


#: The GDP route's calibrations (NRI, Daiwa; ``docs/sources.md`` §7).
GDP_ESTIMATES: Mapping[str, GdpEstimate] = {
    "nri": GdpEstimate("NRI", 0.15, 0.0055, 0.25, 0.0085, _NRI),
    "daiwa": GdpEstimate("Daiwa", 0.15, 0.011, 0.25, 0.013, _DAIWA),
}
_CALIBRATIONS = ("trade", *GDP_ESTIMATES)
_GOODS = tuple(EXPORTS_2025)

_DURATION = Triangular(
    0.5, 2.9, 8.0, source="assumption (no source gives a duration): mode 2.9 years, from "
    "the first selections (Feb 2026) to the end of the investment window (19 Jan 2029); "
    "low 0.5 (lifted within months) and high 8 (two presidential terms) are assumptions")
_SHARE = Triangular(
    0.0, 0.18, 0.78, source="range from the sources: 0 (full pass-through, Amiti-Redding-"
    "Weinstein 2019), mode 0.18 (Goldman's foreign-exporter share, Oct 2025), 0.78 (BoJ "
    "auto export prices -19.4% against a 25-point tariff rise); the triangular shape is an "
    "assumption")

#: Where each default comes from (printed by :meth:`TariffThreat.describe`).
DEFAULT_NOTES: Mapping[str, str] = {
    "rate_increase": "15% -> 25%: the rate Bessent said tariffs 'revert to' and the 7 Jul "
                     "2025 letter's 25% (EO 14345 sets 15%); the clause sets no rate",
    "goods": "all goods exports to the US, 2025: ¥20.414tn (autos ¥5.341tn), Ministry of "
             "Finance; the clause says 'Japanese imports' without a scope",
    "exports_yen": "from `goods` (Ministry of Finance 2025)",
    "probability": "assumption: the clause says 'may'; Korea's announced 15% -> 25% was "
                   "not formalised within two weeks (AP, 9 Feb 2026)",
    "duration": _DURATION.source,
    "share_borne": _SHARE.source,
    "volume_response": "derived from CEPR (11 Sep 2025): 15% -> 25% cuts exports by "
                       "$14bn of $148bn, 9.5% for 10 points",
    "lost_value_share": "assumption: half of a lost yen of sales is lost income (resources "
                        "move to other uses); with it the trade route's annual cost "
                        "(¥1.6tn at the defaults) lies between Daiwa's ¥1.2tn and NRI's "
                        "¥1.8tn",
    "calibration": "'trade' (exports x tariff x who bears it); 'nri' / 'daiwa' use the "
                   "published GDP-cost estimates instead",
    "nominal_gdp_yen": "derived: NRI's 10 points ≈ ¥1.8tn a year = 0.30% of GDP -> ¥600tn",
    "discount_rate": "assumption: the rate of the deal's own NPV in each scenario (the "
                     "drawn deemed rate by default), so both sides are discounted alike",
    "usdjpy": "assumption: each scenario's drawn `usdjpy` of the deal's uncertainties "
              "(else 155 yen/$, median of the default uncertainties)",
    "reallocation": "assumption: 0, Japan's mechanism is unconfirmed; 1.0 is the Korean "
                    "rule (the US withholds Japan's other distributions up to the unpaid "
                    "amount, here the project's capital, undiscounted: an upper bound)",
}


def _check_distribution(name: str, dist: Any, low: float, high: float) -> Any:
    """A float in [low, high] becomes itself; a Distribution must have support inside."""
    if isinstance(dist, Distribution):
        ends = np.asarray(dist.ppf(np.array([U_MIN, U_MAX])), dtype=np.float64)
        if not (np.all(np.isfinite(ends)) and ends[0] >= low and ends[1] <= high):
            raise InvalidParameterError(
                f"{name} must take values in [{low:g}, {high:g}]; got {dist} (range "
                f"{ends[0]:.4g} to {ends[1]:.4g})")
        return dist
    value = v.finite(name, dist)
    if not low <= value <= high:
        raise InvalidParameterError(f"{name} must be in [{low:g}, {high:g}]; got {dist!r}")
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class TariffThreat:
    """What declining a selected project may cost Japan: the tariff the US may impose.

    Parameters
    ----------
    rate_increase : float
        Tariff increase on the goods hit, decimal (default 0.10: 15% -> 25%).
    goods : {"all", "autos"}
        Which exports are hit (default all goods; 2025 values, Ministry of Finance).
    exports_yen : float, optional
        Overrides the value of the goods hit, yen a year.
    probability : float
        Probability that the tariff is imposed if Japan declines, in [0, 1].
    duration : Distribution
        Years the tariff lasts (a :mod:`dealsim.uncertainty` distribution, >= 0).
    share_borne : float or Distribution
        Share of the tariff absorbed by Japanese exporters, in [0, 1].
    volume_response : float
        Export volume lost per unit of tariff increase (>= 0).
    lost_value_share : float
        Share of a yen of lost export sales that is lost to Japan, in [0, 1].
    calibration : {"trade", "nri", "daiwa"}
        Annual cost from trade (``goods``, ``share_borne``, ``volume_response``,
        ``lost_value_share``) or from a published GDP-cost estimate (those four unused).
    nominal_gdp_yen : float
        Japan's nominal GDP, yen (GDP routes only).
    discount_rate : float, optional
        Rate for the tariff's present value; default each scenario's rate of the deal NPV.
    usdjpy : float, optional
        Yen per dollar; default each scenario's drawn ``usdjpy`` (else 155).
    reallocation : float
        Share of the project's capital the US recovers from Japan's other distributions
        on a decline, in [0, 1] (1.0: the Korean rule; default 0).

    Every default's source or assumption label is in :data:`DEFAULT_NOTES`, printed
    by :meth:`describe`; the citations are :data:`SOURCES`.

    Raises
    ------
    InvalidParameterError
        A field out of its domain, of the wrong type (strings and bools are refused) or
        an unknown option; the message names the field.

    Examples
    --------
    >>> t = TariffThreat()
    >>> t.rate_increase, t.goods, t.probability
    (0.1, 'all', 0.5)
    >>> round(t.annual_cost_yen(share_borne=0.32) / 1e12, 3)  # ¥tn a year
    1.623
    >>> round(TariffThreat(calibration="nri").annual_cost_yen() / 1e12, 3)
    1.8
    >>> TariffThreat(probability=1.5)
    Traceback (most recent call last):
    ...
    dealsim.errors.InvalidParameterError: probability must be in [0, 1]; got 1.5
    """

    rate_increase: float = 0.10
    goods: str = "all"
    exports_yen: float | None = None
    probability: float = 0.5
    duration: Distribution = _DURATION
    share_borne: float | Distribution = _SHARE
    volume_response: float = 0.95
    lost_value_share: float = 0.5
    calibration: str = "trade"
    nominal_gdp_yen: float = 600e12
    discount_rate: float | None = None
    usdjpy: float | None = None
    reallocation: float = 0.0

    def __post_init__(self) -> None:
        def keep(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        keep("rate_increase", v.positive("rate_increase", self.rate_increase, allow_zero=True))
        if not isinstance(self.goods, str) or self.goods not in _GOODS:
            raise InvalidParameterError(f"goods must be one of {_GOODS}; got {self.goods!r}")
        if self.exports_yen is not None:
            keep("exports_yen", v.positive("exports_yen", self.exports_yen))
        keep("probability", v.fraction("probability", self.probability, allow_zero=True))
        if not isinstance(self.duration, Distribution):
            raise InvalidParameterError(
                f"duration must be a dealsim distribution (e.g. Fixed(3.0)); got "
                f"{self.duration!r}")
        _check_distribution("duration", self.duration, 0.0, math.inf)
        keep("share_borne", _check_distribution("share_borne", self.share_borne, 0.0, 1.0))
        keep("volume_response", v.positive("volume_response", self.volume_response,
                                           allow_zero=True))
        keep("lost_value_share", v.fraction("lost_value_share", self.lost_value_share,
                                            allow_zero=True))
        if not isinstance(self.calibration, str) or self.calibration not in _CALIBRATIONS:
            raise InvalidParameterError(
                f"calibration must be one of {_CALIBRATIONS}; got {self.calibration!r}")
        keep("nominal_gdp_yen", v.positive("nominal_gdp_yen", self.nominal_gdp_yen))
        if self.discount_rate is not None:
            keep("discount_rate", v.rate("discount_rate", self.discount_rate))
        if self.usdjpy is not None:
            keep("usdjpy", v.positive("usdjpy", self.usdjpy))
        keep("reallocation", v.fraction("reallocation", self.reallocation, allow_zero=True))

    @property
    def exports(self) -> float:
        """Value of the goods hit, yen a year."""
        return self.exports_yen if self.exports_yen is not None else EXPORTS_2025[self.goods]

    def annual_cost_yen(self, share_borne: Any = None, *, per_point: bool = False) -> Any:
        """Japan's cost of the tariff, yen a year (per unit of increase if ``per_point``).

        ``share_borne`` defaults to the mean of the field (a float or array is used as
        given); the GDP routes ignore it.
        """
        scale = 1.0 if per_point else self.rate_increase
        if self.calibration != "trade":
            return scale * GDP_ESTIMATES[self.calibration].per_point() * self.nominal_gdp_yen
        if share_borne is None:
            sb = self.share_borne
            share_borne = sb.mean if isinstance(sb, Distribution) else sb
        out = self.exports * scale * (np.asarray(share_borne, dtype=np.float64)
                                      + self.volume_response * self.lost_value_share)
        return float(out) if out.ndim == 0 else out

    def describe(self) -> str:
        """Every parameter, its value and where the default comes from (one per line)."""
        default = TariffThreat()
        lines = [f"TariffThreat ({self.calibration} route): expected present cost of "
                 "declining = probability x annual cost x PV of the duration"
                 " + reallocation x capital"]
        used = {"goods", "exports_yen", "share_borne", "volume_response", "lost_value_share"}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            note = DEFAULT_NOTES[f.name] if value == getattr(default, f.name) else "user value"
            if self.calibration == "trade" and f.name == "nominal_gdp_yen":
                note = "unused by the trade route"
            if self.calibration != "trade" and f.name in used:
                note = f"unused by the {self.calibration!r} route"
            shown = str(value) if not isinstance(value, float) else f"{value:g}"
            lines.append(f"  {f.name:<17} {shown}  [{note}]")
        lines.append(f"  -> annual cost at the mean share borne: "
                     f"¥{self.annual_cost_yen() / 1e12:.3f}tn a year")
        return "\n".join(lines)

    def draws(self, u: F64) -> dict[str, F64]:
        """Duration and share borne for uniforms ``u`` of shape ``(rows, 2)``."""
        out = {}
        for j, name in enumerate(_THREAT_COLUMNS):
            dist = getattr(self, name)
            if isinstance(dist, Distribution):
                out[name] = np.asarray(dist.ppf(u[:, j]), dtype=np.float64)
            else:
                out[name] = np.full(u.shape[0], float(dist))
        return out


# ------------------------------------------------------------------------- core formulas


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
    from .montecarlo import BLOCK_SIZE

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


# ------------------------------------------------------------------------------ result

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
        from .results import Probability

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
        from .results import TornadoBar

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
        from .results import _statistic

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


# ----------------------------------------------------------------------- entry points


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
    >>> r.p_fund_better.p  # a $0.6bn project against a tariff on ¥20tn of exports
    1.0
    >>> none = r.with_threat(TariffThreat(probability=0.0))
    >>> bool((none.fund_better == (r.fund_value > 0)).all())
    True
    """
    from .montecarlo import simulate

    threat = _check_threat(threat)
    if not isinstance(deal, Deal):
        raise InvalidParameterError(f"deal must be a Deal; got {deal!r}")
    n = v.integer("n", n, minimum=1)
    root = as_seed_sequence(seed) if seed is not None else np.random.SeedSequence()
    sim = simulate(deal, n, seed=root, uncertainties=uncertainties, sampler=sampler,
                   executor=executor, backend=backend, paths=paths)
    u = _threat_uniforms(root, sampler, n)
    return _assemble(deal.name, threat, sim, u, float(deal.project.capex),
                     _npv_rate(deal, sim.inputs, n))


def decide_scenario(path: Any, *, n: int | float | None = None, seed: int | None = None,
                    threat: TariffThreat | None = None, executor: Any = None) -> str:
    """``dealsim decide SCENARIO.toml``: the scenario's deal, funded or declined, as text.

    ``n`` and ``seed`` default to the scenario's ``[simulation]`` values (else 100,000
    and 2025). Returns the summary, the threat's parameters and its tornado.
    """
    from .scenario import load_scenario

    sc = load_scenario(path)
    n = n if n is not None else sc.simulation.get("n", 100_000)
    seed = seed if seed is not None else sc.simulation.get("seed", 2025)
    res = fund_or_decline(sc.deal, threat, n, seed=seed, uncertainties=sc.uncertainties,
                          sampler=sc.simulation.get("sampler", "random"), executor=executor)
    lines = [res.summary(), "", res.threat.describe(), "",
             "tornado of P(funding beats declining) over the threat's parameters:"]
    for bar in res.tornado():
        lines.append(f"  {bar.name:<17} {bar.low_input:>9.4g} -> {bar.low['p_fund_better']:.4f}"
                     f"   {bar.high_input:>9.4g} -> {bar.high['p_fund_better']:.4f}")
    return "\n".join(lines)


READINGS: Mapping[str, str] = {
    "each": "each decline triggers its own tariff (costs add up)",
    "once": "the first decline triggers one tariff regime; later declines add no tariff",
}


@dataclass(frozen=True, slots=True, eq=False)
class PortfolioDecision:
    """Policies over several projects -- fund all, decline the k worst, decline all.

    Attributes
    ----------
    title : str
    threat : TariffThreat
    names : tuple of str
        Projects, in input order.
    order : tuple of str
        Projects from the worst to the best mean value of funding (the order in which
        the policies decline them; an ex-ante ranking).
    values : dict of str to dict of str to ndarray (n,)
        ``values[reading][policy]``: Japan's value of the policy, USD, at the first
        year of the earliest project: NPVs of the funded projects minus the expected
        cost of the declines.
    declined : dict of str to tuple of str
        The projects each policy declines.
    portfolio : PortfolioResult
        The deal side (:func:`dealsim.simulate_portfolio`).
    """

    title: str
    threat: TariffThreat
    names: tuple[str, ...]
    order: tuple[str, ...]
    values: dict[str, dict[str, F64]]
    declined: dict[str, tuple[str, ...]]
    portfolio: Any

    @property
    def n(self) -> int:
        return int(self.portfolio.n)

    def best(self, reading: str) -> str:
        """The policy with the highest mean value under ``reading``."""
        if reading not in self.values:
            raise InvalidParameterError(
                f"reading must be one of {tuple(self.values)}; got {reading!r}")
        pol = self.values[reading]
        return max(pol, key=lambda k: float(pol[k].mean()))

    def summary(self, quantiles: tuple[float, ...] = (0.05, 0.5, 0.95)) -> str:
        """Each policy's value distribution under each reading, best marked with ``*``."""
        from .results import _statistic

        t = self.threat
        lines = [f"dealsim portfolio decision: {self.title}",
                 f"n = {self.n:,} scenarios, seed = {self.portfolio.seed}; threat: "
                 f"+{t.rate_increase * 100:g} points on {t.goods} goods ({t.calibration} "
                 f"route), probability {t.probability:g}, duration {t.duration}, "
                 f"reallocation {t.reallocation:g}",
                 "worst to best (mean NPV of funding): " + ", ".join(self.order)]
        for reading, pols in self.values.items():
            best = self.best(reading)
            fund_all = pols["fund all"]
            lines += ["", f"reading '{reading}': {READINGS[reading]}",
                      f"  {'policy (USD bn)':<30}{'mean':>9}{'s.e.':>7}"
                      + "".join(f"{'P' + format(100 * q, 'g'):>9}" for q in quantiles)
                      + f"{'P(> fund all)':>15}"]
            for label, x in pols.items():
                st = _statistic(label, x, quantiles, 0.95)
                se = st.std / math.sqrt(x.size)
                beats = float(np.mean(x > fund_all))
                mark = "*" if label == best else " "
                lines.append(f"{mark} {label:<30}{st.mean / 1e9:>9.2f}{se / 1e9:>7.2f}"
                             + "".join(f"{q[0] / 1e9:>9.2f}" for q in st.quantiles.values())
                             + f"{beats:>15.4f}")
            lines.append(f"  best: {best}")
        return "\n".join(lines)


def _weighted(per_deal: list[F64], weights: list[float]) -> F64:
    total = sum(weights)
    return np.sum([w / total * x for w, x in zip(weights, per_deal, strict=True)], axis=0)


def decide_portfolio(
    deals: Mapping[str, Deal],
    threat: TariffThreat | None,
    n: int | float,
    *,
    seed: int | np.random.SeedSequence | np.random.Generator | None,
    readings: Sequence[str] = ("each", "once"),
    scales: Mapping[str, float] | None = None,
    uncertainties: Mapping[str, Uncertainties] | None = None,
    common: Any = "default",
    sampler: str = "random",
    executor: Any = None,
    title: str = "",
) -> PortfolioDecision:
    """Compare fund all / decline the k worst / decline all over several projects.

    Parameters
    ----------
    deals : mapping of str to Deal
        The projects; each keeps its own first year.
    threat : TariffThreat or None
    n : int
    seed : int, SeedSequence or Generator
    readings : sequence of {"each", "once"}
        How declines combine (:data:`READINGS`).
    scales, uncertainties, sampler, executor, title
        As in :func:`dealsim.simulate_portfolio`.
    common : CommonFactor or None
        The portfolio's common factor (default: :class:`dealsim.CommonFactor` defaults).

    Returns
    -------
    PortfolioDecision

    Notes
    -----
    Project ``k``'s value of funding is its NPV in :func:`dealsim.simulate_portfolio`
    (at its own rate, dated at its first year), discounted to the earliest first year
    at the scenario's rate ``r`` (the threat's ``discount_rate``, else the capex-weighted
    mean of the deals' NPV rates). One decline costs, dated at the declined project's
    first year, ``C = rate_increase * p * annual / usdjpy * A(D, r)`` (module
    docstring; ``usdjpy`` the threat's, else the capex-weighted mean of the deals'
    draws). Policy "decline the k worst" declines the ``k`` projects with the lowest
    mean value; it costs ``sum over declined of C d_k`` ("each") or ``C d_first``
    ("once", the earliest declined), plus ``reallocation * capex_k d_k`` per decline.
    One set of threat draws per scenario (same stream as :func:`fund_or_decline`).

    Examples
    --------
    >>> from dealsim.presets import georgia_diamond, texas_gulflink
    >>> d = decide_portfolio({"a": georgia_diamond(), "b": texas_gulflink()}, None, 500,
    ...                      seed=1)
    >>> list(d.values["each"]), d.best("each")
    (['fund all', 'decline 1 worst', 'decline all'], 'fund all')
    """
    from .portfolio import CommonFactor, simulate_portfolio

    threat = _check_threat(threat)
    if not isinstance(deals, Mapping) or not deals:
        raise InvalidParameterError(f"deals must be a non-empty mapping of name -> Deal; "
                                    f"got {deals!r}")
    readings = tuple(readings) if not isinstance(readings, str) else (readings,)
    for r in readings:
        if r not in READINGS:
            raise InvalidParameterError(f"readings must hold {tuple(READINGS)}; got {r!r}")
    n = v.integer("n", n, minimum=1)
    root = as_seed_sequence(seed) if seed is not None else np.random.SeedSequence()
    pr = simulate_portfolio(deals, n, seed=root, uncertainties=uncertainties,
                            common=CommonFactor() if common == "default" else common,
                            scales=scales, sampler=sampler, executor=executor, paths=0,
                            keep_inputs=None, title=title)
    names = pr.names
    first = min(pr.start_years.values())
    size = {k: deals[k].project.capex * (scales or {}).get(k, 1.0) for k in names}
    weights = [size[k] for k in names]
    rates = [_npv_rate(deals[k], pr.inputs[k], n) for k in names]
    rate = (_weighted(rates, weights) if threat.discount_rate is None
            else np.full(n, threat.discount_rate))
    if threat.usdjpy is not None:
        fx = np.full(n, threat.usdjpy)
    else:
        fxs = [pr.inputs[k].get("usdjpy", np.full(n, DEFAULT_USDJPY)) for k in names]
        fx = _weighted(fxs, weights)
    side = _decline_side(threat, _threat_uniforms(root, sampler, n), rate, fx, 0.0)
    one = threat.rate_increase * side.unit
    disc = {k: np.power(1.0 + rate, -(pr.start_years[k] - first)) for k in names}
    value = {k: pr.projects[k]["npv"] * disc[k] for k in names}
    order = tuple(sorted(names, key=lambda k: float(value[k].mean())))
    total = np.sum([value[k] for k in names], axis=0)
    values: dict[str, dict[str, F64]] = {}
    declined: dict[str, tuple[str, ...]] = {}
    for reading in readings:
        pols: dict[str, F64] = {}
        for k in range(len(order) + 1):
            out = order[:k]
            label = ("fund all" if k == 0 else "decline all" if k == len(order)
                     else f"decline {k} worst")
            x = total - np.sum([value[j] for j in out], axis=0) if out else total.copy()
            if out:
                realloc = threat.reallocation * np.sum([size[j] * disc[j] for j in out], axis=0)
                if reading == "each":
                    x = x - one * np.sum([disc[j] for j in out], axis=0) - realloc
                else:
                    earliest = min(out, key=lambda j: pr.start_years[j])
                    x = x - one * disc[earliest] - realloc
            pols[label] = x
            declined[label] = out
        values[reading] = pols
    return PortfolioDecision(title or pr.title, threat, names, order, values, declined, pr)
