"""The tariff threat that follows a decline: :class:`TariffThreat`, its sourced defaults
and calibrations (:data:`SOURCES`, :data:`GDP_ESTIMATES`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from dealsim.common import validate as v
from dealsim.common.sources import Source
from dealsim.errors import InvalidParameterError
from dealsim.montecarlo.uncertainty import (
    U_MAX,
    U_MIN,
    Distribution,
    Triangular,
)

if TYPE_CHECKING:  # the Monte Carlo and results modules load scipy.stats: imported on use
    pass

__all__ = ["GDP_ESTIMATES", "SOURCES", "THREAT_KEY", "GdpEstimate", "TariffThreat"]

F64 = NDArray[np.float64]


#: Spawn-key element of the threat's stream (distinct from every block index and from
#: the Sobol scramble key); part of the reproducibility contract.
#: Exports to the US in 2025, yen a year, by ``goods`` (Ministry of Finance).
EXPORTS_2025 = {"all": 20.414e12, "autos": 5.341e12}

THREAT_KEY = 0x7A_21FF


#: Random columns of the threat stream, in order (fixed whatever the threat, so that two
#: threats compared on one run share their random numbers).
_THREAT_COLUMNS = ("duration", "share_borne")


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


_GDP = Source("Japan's nominal GDP ≈ ¥600tn: NRI's 10 points ≈ ¥1.8tn a year = 0.30% of GDP",
              "2025-07", "derived")


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


_BOJ_RATE = Source("Bank of Japan: policy rate (uncollateralised overnight call rate) raised "
                   "to 0.5% on 24 Jan 2025; the yen discount rate's anchor", "2025-01-24",
                   "official")


_YEN_RATE = Source("assumption: yen discount rate 1% a year for the tariff's yen cost (about "
                   "the BoJ's 0.5% policy rate plus a term premium over the tariff's few "
                   "years; no source gives the rate Japan should discount a national cost "
                   "at); equivalently each year's yen converted at the forward implied by "
                   "this rate and the dollar rate, then discounted at the dollar rate",
                   "2026-12", "assumption")


_KEPT = Source("derived: exporters absorb share_borne of the tariff on the volume they keep, "
               "(1 - volume_response x rate_increase) of exports (CEPR's $14bn of $148bn "
               "lost at +10 points: 90.5% kept); the lost volume is costed by "
               "lost_value_share", "2026-12", "derived")


#: Every source this module uses, by section of ``docs/sources.md`` (section title ->
#: records; the sources-file generator renders each module's ``SOURCES``).
SOURCES: Mapping[str, tuple[Source, ...]] = {
    "§7 Tariff counterfactual: fund or decline (`dealsim.TariffThreat`)": (
        _CLAUSE, _EO, _BESSENT, _THREATS, _MOF, _NRI, _DAIWA, _GDP, _BOJ, _GOLDMAN,
        _PASS_THROUGH, _CEPR, _KOREA, _PRECEDENT, _WINDOW, _BOJ_RATE, _YEN_RATE, _KEPT),
}


#: Yen discount rate of the tariff's yen cost (decimal a year): an assumption
#: (:data:`SOURCES`, ``_YEN_RATE``).
YEN_RATE = 0.01

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
    "share_borne": _SHARE.source + "; absorbed on the volume kept, (1 - volume_response "
                   "x rate_increase) of exports",
    "volume_response": "derived from CEPR (11 Sep 2025): 15% -> 25% cuts exports by "
                       "$14bn of $148bn, 9.5% for 10 points",
    "lost_value_share": "assumption: half of a lost yen of sales is lost income (resources "
                        "move to other uses); with it the trade route's annual cost "
                        "(¥1.6tn at the defaults) lies between Daiwa's ¥1.2tn and NRI's "
                        "¥1.8tn",
    "calibration": "'trade' (exports x tariff x who bears it); 'nri' / 'daiwa' use the "
                   "published GDP-cost estimates instead",
    "nominal_gdp_yen": "derived: NRI's 10 points ≈ ¥1.8tn a year = 0.30% of GDP -> ¥600tn",
    "discount_rate": "dollar rate of the tariff's present value where yen_rate is None: "
                     "default the rate of the deal's own NPV in each scenario (the drawn "
                     "deemed rate)",
    "yen_rate": "assumption: 1% a year (BoJ policy rate 0.5% from 24 Jan 2025 plus a term "
                "premium); the yen cost is discounted in yen and converted at the spot rate "
                "of the decision date (= converted at the forward, discounted in dollars)",
    "usdjpy": "spot at the decision date: each scenario's drawn `usdjpy` of the deal's "
              "uncertainties (else 155 yen/$, median of the default uncertainties)",
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
        Years the tariff lasts (a :mod:`dealsim.montecarlo.uncertainty` distribution, >= 0).
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
        Dollar rate of the tariff's present value, used only with ``yen_rate=None``;
        default each scenario's rate of the deal NPV.
    yen_rate : float or None
        Rate (decimal a year, > -1) that discounts the yen cost, which is then converted
        at the decision date's spot ``usdjpy`` (the same as converting each year at the
        forward and discounting in dollars). Default 0.01, an assumption
        (:data:`YEN_RATE`). ``None``: convert at the spot and discount at the dollar
        rate, the model before.
    usdjpy : float, optional
        Yen per dollar at the decision date; default each scenario's drawn ``usdjpy``
        (else 155).
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
    1.561
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
    yen_rate: float | None = YEN_RATE

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
        if self.yen_rate is not None:
            keep("yen_rate", v.rate("yen_rate", self.yen_rate))
        if self.calibration == "trade" and self.volume_response * self.rate_increase > 1.0:
            raise InvalidParameterError(
                f"volume_response x rate_increase must be <= 1 (no more than all exports "
                f"lost); got volume_response={self.volume_response!r}, rate_increase="
                f"{self.rate_increase!r}")

    @property
    def exports(self) -> float:
        """Value of the goods hit, yen a year."""
        return self.exports_yen if self.exports_yen is not None else EXPORTS_2025[self.goods]

    def annual_cost_yen(self, share_borne: Any = None, *, per_point: bool = False) -> Any:
        """Japan's cost of the tariff, yen a year (per unit of increase if ``per_point``).

        ``share_borne`` defaults to the mean of the field (a float or array is used as
        given); the GDP routes ignore it. The trade route is
        ``exports x x x (share_borne x (1 - volume_response x x) + volume_response x
        lost_value_share)`` at the increase ``x = rate_increase``: exporters absorb
        their share on the volume they keep; ``per_point`` divides it by ``x``.
        """
        a, b = self.cost_coefficients(share_borne)
        x = self.rate_increase
        out = np.asarray(a - b * x if per_point else a * x - b * x * x, dtype=np.float64)
        return float(out) if out.ndim == 0 else out

    def cost_coefficients(self, share_borne: Any = None) -> tuple[Any, Any]:
        """``(a, b)`` with the annual yen cost of an increase ``x`` equal to ``a x - b x**2``.

        Trade route: ``a = exports (share_borne + volume_response lost_value_share)``,
        ``b = exports share_borne volume_response`` (the share absorbed on the volume
        lost); GDP routes: ``b = 0``.

        Examples
        --------
        >>> a, b = TariffThreat().cost_coefficients(0.2)
        >>> round(a / 1e12, 4), round(b / 1e12, 4)
        (13.7795, 3.8787)
        """
        if self.calibration != "trade":
            return GDP_ESTIMATES[self.calibration].per_point() * self.nominal_gdp_yen, 0.0
        if share_borne is None:
            sb = self.share_borne
            share_borne = sb.mean if isinstance(sb, Distribution) else sb
        sb_arr = np.asarray(share_borne, dtype=np.float64)
        a = self.exports * (sb_arr + self.volume_response * self.lost_value_share)
        b = self.exports * sb_arr * self.volume_response
        return (float(a), float(b)) if a.ndim == 0 else (a, b)

    def describe(self) -> str:
        """Every parameter, its value and where the default comes from (one per line)."""
        default = TariffThreat()
        discount = ("the yen cost discounted at yen_rate, converted at the decision "
                    "date's spot USD/JPY" if self.yen_rate is not None else
                    "the yen cost converted at the spot USD/JPY, discounted at the dollar "
                    "rate")
        lines = [f"TariffThreat ({self.calibration} route): expected present cost of "
                 "declining = probability x annual cost x PV of the duration"
                 " + reallocation x capital; " + discount]
        used = {"goods", "exports_yen", "share_borne", "volume_response", "lost_value_share"}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            note = DEFAULT_NOTES[f.name] if value == getattr(default, f.name) else "user value"
            if self.calibration == "trade" and f.name == "nominal_gdp_yen":
                note = "unused by the trade route"
            if f.name == "discount_rate" and self.yen_rate is not None:
                note = "unused: yen_rate discounts the yen cost"
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
