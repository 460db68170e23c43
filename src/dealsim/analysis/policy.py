"""Which projects of a portfolio to fund and which to decline: :func:`decide_portfolio`
and :class:`PortfolioDecision`, under either reading of how declines combine.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from dealsim.analysis.decision import (
    _check_threat,
    _date,
    _decline_side,
    _npv_rate,
    _tariff_rate,
    _threat_uniforms,
    _year_end,
    _years,
)
from dealsim.analysis.threat import DEFAULT_USDJPY, TariffThreat
from dealsim.common import validate as v
from dealsim.errors import InvalidParameterError
from dealsim.model.deal import Deal
from dealsim.montecarlo.uncertainty import (
    Uncertainties,
    as_seed_sequence,
)

if TYPE_CHECKING:  # the Monte Carlo and results modules load scipy.stats: imported on use
    pass

__all__ = ["PortfolioDecision", "decide_portfolio"]

F64 = NDArray[np.float64]


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
        ``values[reading][policy]``: Japan's value of the policy, USD, at the valuation
        date (default the earliest project's notice of selection): NPVs of the funded
        projects minus the expected cost of the declines.
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
        from dealsim.results.summary import _statistic

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
    valuation_date: Any = None,
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
    valuation_date : date-like, optional
        The date every value is brought to; default the earliest project's notice of
        selection (:func:`dealsim.finance.capital_calls.notice_of_selection`).

    Returns
    -------
    PortfolioDecision

    Notes
    -----
    Project ``k``'s value of funding is its NPV in :func:`dealsim.simulate_portfolio`
    (at its own rate, dated 31 Dec of its first year), brought to the valuation date
    ``v`` at the scenario's rate ``r`` (the capex-weighted mean of the deals' year-0
    NPV rates): ``npv_k (1 + r) ** -years(31 Dec_k - v)``. One decline costs, dated at
    the declined project's notice of selection ``s_k``, ``C = p * annual(x) / usdjpy *
    A(D, y)`` (:mod:`dealsim.analysis.decision`; ``y`` the threat's yen rate,
    ``usdjpy`` the threat's, else the capex-weighted mean of the deals' draws), brought
    to ``v`` by ``d_k = (1 + y) ** -years(s_k - v)``. Policy "decline the k worst"
    declines the ``k`` projects with the lowest mean value; it costs ``sum over
    declined of C d_k`` ("each") or ``C d_first`` ("once", the earliest declined), plus
    ``reallocation * capex_k d_k`` per decline.
    One set of threat draws per scenario (same stream as :func:`fund_or_decline`).

    Examples
    --------
    >>> from dealsim.presets import georgia_diamond, texas_gulflink
    >>> d = decide_portfolio({"a": georgia_diamond(), "b": texas_gulflink()}, None, 500,
    ...                      seed=1)
    >>> list(d.values["each"]), d.best("each")
    (['fund all', 'decline 1 worst', 'decline all'], 'fund all')
    """
    from dealsim.model.portfolio import CommonFactor
    from dealsim.montecarlo.portfolio import simulate_portfolio

    threat = _check_threat(threat)
    if not isinstance(deals, Mapping) or not deals:
        raise InvalidParameterError(f"deals must be a non-empty mapping of name -> Deal; "
                                    f"got {deals!r}")
    readings = tuple(readings) if not isinstance(readings, str) else (readings,)
    for r in readings:
        if r not in READINGS:
            raise InvalidParameterError(f"readings must hold {tuple(READINGS)}; got {r!r}")
    n = v.integer("n", n, minimum=1)
    from dealsim.finance.capital_calls import notice_of_selection

    notices = {k: notice_of_selection(int(d.project.first_year)) for k, d in deals.items()}
    valuation = (min(notices.values()) if valuation_date is None
                 else _date("valuation_date", valuation_date))
    root = as_seed_sequence(seed) if seed is not None else np.random.SeedSequence()
    pr = simulate_portfolio(deals, n, seed=root, uncertainties=uncertainties,
                            common=CommonFactor() if common == "default" else common,
                            scales=scales, sampler=sampler, executor=executor, paths=0,
                            keep_inputs=None, title=title)
    names = pr.names
    size = {k: deals[k].project.capex * (scales or {}).get(k, 1.0) for k in names}
    weights = [size[k] for k in names]
    rates = [_npv_rate(deals[k], pr.inputs[k], n) for k in names]
    rate = _weighted(rates, weights)
    tariff_rate = _tariff_rate(threat, rate)
    if threat.usdjpy is not None:
        fx = np.full(n, threat.usdjpy)
    else:
        fxs = [pr.inputs[k].get("usdjpy", np.full(n, DEFAULT_USDJPY)) for k in names]
        fx = _weighted(fxs, weights)
    side = _decline_side(threat, _threat_uniforms(root, sampler, n), tariff_rate, fx, 0.0)
    one = side.cost(threat.rate_increase)
    disc = {k: np.power(1.0 + tariff_rate, -_years(notices[k], valuation)) for k in names}
    value = {k: pr.projects[k]["npv"] * np.power(
        1.0 + rate, -_years(_year_end(pr.start_years[k]), valuation)) for k in names}
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
