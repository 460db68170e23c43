"""What a fund-or-decline run shows: the :class:`~dealsim.common.display.Report` of
:meth:`dealsim.FundOrDecline.summary` (its headline rows with units and intervals, and
its text table).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dealsim.common.display import Report, Row
from dealsim.results.summary import LABELS, _statistic, quantile_rows

__all__ = ["fund_or_decline_report", "fund_or_decline_text"]


def fund_or_decline_report(res: Any, confidence: float) -> Report:
    """The summary of a :class:`dealsim.FundOrDecline` (``res``) at ``confidence``."""
    t = res.threat
    meta = {"n": res.n, "seed": res.simulation.seed,
            "sampler": res.simulation.sampler, "backend": res.simulation.backend,
            "confidence": confidence,
            "threat": f"+{t.rate_increase * 100:g} points on {t.goods} goods "
                      f"({t.calibration} route), probability {t.probability:g}"}
    return Report("dealsim fund or decline", res.title, meta,
                  tuple(_rows(res, confidence)), fund_or_decline_text(res, confidence),
                  (f"intervals: {confidence:.0%} confidence", "Japan funds the project "
                   "or declines it; the US may then raise its tariff"))


def _rows(res: Any, confidence: float) -> list[Row]:
    p = res.p_fund_better
    lo, hi = res.p_fund_better_ci(confidence)
    rows = [Row("p_fund_better", LABELS["p_fund_better"], p.p, lo, hi, "probability",
                "Wilson interval; " + p.meaning)]
    for name, label, arr in (("fund_value", "Japan's NPV of funding", res.fund_value),
                             ("decline_cost", "expected cost of declining",
                              res.decline_cost),
                             ("advantage", "funding minus declining", res.advantage)):
        rows += quantile_rows(name, label, arr, "USD", confidence)
    x, lo, hi = res.mean_breakeven_rate_increase(confidence)
    rows.append(Row("breakeven_rate_increase", "break-even tariff increase "
                    "(E[advantage] = 0)", x, lo, hi, "tariff increase (decimal)",
                    "funding beats declining in expectation above this increase"))
    rows.append(Row("breakeven_duration", "break-even duration (E[advantage] = 0)",
                    res.mean_breakeven_duration(), unit="years"))
    return rows


def fund_or_decline_text(res: Any, confidence: float) -> str:
    """The text table of a fund-or-decline run."""
    p = res.p_fund_better
    lo, hi = res.p_fund_better_ci(confidence)
    t = res.threat
    qs = (0.05, 0.5, 0.95)
    lines = [f"dealsim fund or decline: {res.title}",
             f"n = {res.n:,} scenarios, seed = {res.simulation.seed}, sampler = "
             f"{res.simulation.sampler}; [brackets]: {confidence:.0%} confidence "
             "intervals",
             f"threat: +{t.rate_increase * 100:g} points on {t.goods} goods "
             f"({t.calibration} route), probability {t.probability:g}, duration "
             f"{t.duration}, reallocation {t.reallocation:g}",
             f"P(funding beats declining)        {p.p:.4f} [{lo:.4f}, {hi:.4f}]",
             f"{'USD bn':<34}{'mean':>10}" + "".join(f"{'P' + format(100 * q, 'g'):>10}"
                                                    for q in qs)]
    for label, arr in (("Japan's NPV of funding", res.fund_value),
                       ("expected cost of declining", res.decline_cost),
                       ("funding minus declining", res.advantage)):
        st = _statistic(label, arr, qs, confidence)
        lines.append(f"{label:<34}{st.mean / 1e9:>10.3f}"
                     + "".join(f"{q[0] / 1e9:>10.3f}" for q in st.quantiles.values()))
        lines.append(f"{'':<34}{'':>10}" + "".join(
            f"{f'[{q[1] / 1e9:.2f},{q[2] / 1e9:.2f}]':>10}" for q in st.quantiles.values()))
    be = res.breakeven_rate_increase
    st = _statistic("be", be[np.isfinite(be)] if np.isfinite(be).any() else be, (0.5,),
                    confidence)
    x, xlo, xhi = res.mean_breakeven_rate_increase(confidence)
    lines += ["",
              "break-even tariff increase (points), where funding and declining are "
              "equal:",
              f"  in expectation (E[advantage] = 0)  {100 * x:.3f} "
              f"[{100 * xlo:.3f}, {100 * xhi:.3f}]",
              f"  median scenario (P = 0.5)          {100 * st.quantiles[0.5][0]:.3f} "
              f"[{100 * st.quantiles[0.5][1]:.3f}, {100 * st.quantiles[0.5][2]:.3f}]"]
    bd = res.breakeven_duration
    sd = _statistic("bd", bd[np.isfinite(bd)] if np.isfinite(bd).any() else bd, (0.5,),
                    confidence)
    lines += [f"break-even duration (years) at +{t.rate_increase * 100:g} points: in "
              f"expectation {res.mean_breakeven_duration():.3f}; median scenario "
              f"{sd.quantiles[0.5][0]:.3f} [{sd.quantiles[0.5][1]:.3f}, "
              f"{sd.quantiles[0.5][2]:.3f}]"]
    return "\n".join(lines)
