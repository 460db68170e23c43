"""Sources of the market paths, the funding calendar, the yen fee and operations (#11).

:mod:`dealsim.presets.sources` renders :data:`SOURCES` into ``docs/sources.md``. The
parameters live in :mod:`dealsim.model.paths`, :mod:`dealsim.finance.capital_calls` and
:mod:`dealsim.finance.yen_fee`; this module only records where their defaults come from (or
that they are assumptions), reading the source strings the code itself carries.

Examples
--------
>>> sorted(SOURCES)[0].startswith("§1")
True
"""

from __future__ import annotations

from collections.abc import Mapping

from dealsim.common.sources import Source
from dealsim.finance.capital_calls import CALLS_PER_YEAR
from dealsim.model.paths import (
    FUEL_PROCESS,
    GAS_MARGINAL_RANK_CORRELATION,
    POWER_PROCESS,
    SOFR_PROCESS,
    USDJPY_PROCESS,
    UsdJpyPaths,
)
from dealsim.model.portfolio import REGIONAL_RANK_CORRELATION
from dealsim.presets.deals import REGIONS

__all__ = ["SOURCES"]

_PINDYCK = Source("Pindyck, The Long-Run Evolution of Energy Prices (MIT CEEPR WP 99-001): "
                  "127 years of oil, coal and gas prices revert to slowly moving trend lines; "
                  "supports the mean-reverting form, not our half-lives", "1999-01", "press")
_PJM = Source("Monitoring Analytics (PJM's independent market monitor), State of the Market "
              "Report for PJM: gas-fired units are the most frequent marginal resource and "
              "fuel cost is the largest component of the LMP; supports a high power-gas "
              "correlation, not the value", "2024", "press")
_OHMY = Source("OhmyNews worked example: deemed rate 5.5% = 6-month term SOFR 4.5% + 1% "
               "spread (the SOFR path's long-run mean and the spread)", "2025-09", "press")
_TRANCHE1 = Source("Tranche 1 (~$36bn, 3 projects incl. Ohio) announced 17/18 Feb 2026: the "
                   "upfront funding mode's default notice date", "2026-02",
                   "press")


def _assumption(text: str) -> Source:
    return Source(text, "2026-11", "assumption")


#: Section title -> sources, rendered by :func:`dealsim.presets.sources.render`.
SOURCES: Mapping[str, tuple[Source, ...]] = {
    "§1 Funding on the calendar and the floating deemed rate (dealsim.finance.capital_calls, "
    "dealsim.model.paths; the defaults)": (
        _OHMY, _TRANCHE1,
        _assumption(f"term SOFR path: {SOFR_PROCESS.source}"),
        _assumption("SOFR floored at 0 before the spread (the DAA formula's floor is not "
                    "public)"),
        _assumption(f"as-spent funding noticed {CALLS_PER_YEAR} times a year (quarterly) "
                    "and funded on the 45th US business day after each notice; upfront cash "
                    "earns nothing in the SPV; DAA day count actual/365 with annual "
                    "compounding"),
    ),
    "§2 Annual price paths and the yen fee (dealsim.model.paths, dealsim.finance.yen_fee; "
    "the defaults: Deal(market=Market.paths()), the Ohio preset's fee in yen)": (
        _PINDYCK, _PJM,
        _assumption(f"power: {POWER_PROCESS.source}"),
        _assumption(f"fuel: {FUEL_PROCESS.source}"),
        _assumption(f"power-gas rank correlation {GAS_MARGINAL_RANK_CORRELATION} for "
                    "gas-fired projects in a gas-marginal market such as PJM, from year 0 "
                    "(the independent power and gas draws are mixed into a correlated "
                    "stationary start)"),
        _assumption("price factors centred: E[factor] = 1 under the stationary law (log-mean "
                    "-sd^2/2), so prices revert to their base in expectation"),
        _assumption(f"USD/JPY: {USDJPY_PROCESS.source}; the SoftBank fee stays ¥100bn and "
                    "each installment converts at its year's rate (DeveloperFee(currency="
                    "'JPY'); without a draw, ¥159/$)"),
        _assumption(f"USD/JPY drifts at the forward (covered interest parity): "
                    f"{UsdJpyPaths().source}"),
    ),
    "§2b A portfolio's market in calendar time (dealsim.model.portfolio.SharedMarket, "
    "dealsim.montecarlo.calendar)": (
        _PJM,
        _assumption("deals of a portfolio read one term-SOFR path, one USD/JPY path and one "
                    "gas (Henry Hub) path, and one power path per region, by calendar year; "
                    "each path starts in the portfolio's first year at the level draw of the "
                    "first deal that reads it"),
        _assumption(f"regional power prices: rank correlation {REGIONAL_RANK_CORRELATION} of "
                    "two regions' annual power innovations beyond the gas they share (no "
                    "source gives it)"),
        _assumption("regions of the presets (Market.region): " + "; ".join(
            f"{k} {v}" for k, v in REGIONS.items()) + " (Portsmouth OH and Pennsylvania in "
            "PJM's footprint, Texas in ERCOT, Tennessee and Alabama in SERC); the terminal "
            "and the diamond plant sell no power (own prices)"),
    ),
    "§3 Operations: dispatch, delays, end of life, tax (dealsim.model.operations; "
    "Operations() is the owner's model, the default; Operations.legacy() "
    "the model before)": (
        _assumption("economic dispatch: a thermal plant runs a year only where the power "
                    "price covers fuel and variable O&M; fixed O&M continues; nuclear runs "
                    "as baseload (must-run)"),
        _assumption("mothballing (off by default): after a run of idle years, for good; a "
                    "mothballed plant still pays 20% of fixed O&M (security, insurance, "
                    "property tax)"),
        _assumption("a delay's deferred spend escalates at the project's cost escalation; "
                    "the default adds 2% of capex per year of delay (owner's costs, "
                    "extended site overheads)"),
        _assumption("end of life (off by default): a terminal value or decommissioning "
                    "cost as a share of capex, escalated, in the last operating year, "
                    "untaxed, split like other cash"),
        _assumption("tax: 'investor_share' (the default, pass-through: the SPV distributes "
                    "before tax and Japan pays 21% on its distributive share of the taxable "
                    "income, 50% before the Deemed Allocation is recovered and 10% after; "
                    "the US government's side pays no US tax; a loss year pays nothing and "
                    "is not carried forward) or 'spv_margin' (entity level: 21% on the "
                    "SPV's whole margin, paid before the split) or 'none'"),
    ),
}
