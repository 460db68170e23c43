"""Published figures that describe the deal, with their sources: data, no code.

The presets (:mod:`dealsim.presets`) and the named constructors of the core
(:meth:`dealsim.DealTerms.japan_2025`, :meth:`dealsim.DeveloperFee.softbank_ohio`, the
reference classes and default delays of :mod:`dealsim.montecarlo.uncertainty`) read their numbers
from here, so that every figure that describes the deal lives in one place beside the
presets' own builders.

This module imports nothing from dealsim (only the standard library), so any layer may
read it without importing :mod:`dealsim.presets` (whose builders import the core).
Each figure carries its source, or says "assumption".
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Any

__all__ = [
    "DELAY_DEFAULT",
    "DELAY_MAX",
    "DELAY_MEAN_BY_CLASS",
    "DELAY_SIGMA",
    "JAPAN_2025_SOURCES",
    "JAPAN_2025_TERMS",
    "KOREA_2025_NAME",
    "KOREA_2025_SOURCE",
    "NUSCALE_BUDGET_AFTER_BN",
    "NUSCALE_BUDGET_BEFORE_BN",
    "NUSCALE_OVERRUN_SOURCE",
    "REFERENCE_CLASS_FIGURES",
    "SOFTBANK_FEE_JPY_PER_USD",
    "SOFTBANK_OHIO_FEE",
    "SOFTBANK_OHIO_FEE_ORIGINAL",
]

# --------------------------------------------------------------------------- the MOU

#: Sources of the US-Japan MOU split (``DealTerms.japan_2025``).
JAPAN_2025_SOURCES: tuple[str, ...] = (
    "MOU on Strategic Investments (US-Japan, 4 Sep 2025), para. 13, as quoted in the Cabinet "
    "written answer of 28 Nov 2025 (shugiin.go.jp, 内閣衆質219第80号): cash flow split "
    "50% US / 50% Japan until each has received Japan's Deemed Allocation Amount, "
    "thereafter 90% US / 10% Japan [official]",
    "Deemed Allocation Amount as principal plus interest at a 'deemed interest rate' "
    "(6-month term SOFR + a spread), shortfalls carried forward: R. Katz; OhmyNews; "
    "St. Louis Fed [press; primary clause not seen]",
    "OhmyNews worked example: 4.5% SOFR + 1% spread = 5.5%; principal over 20 years "
    "[press; used here as an ASSUMPTION, the real spread schedule is unknown]",
)

#: Fields of ``DealTerms.japan_2025`` other than ``reading``: the shares are official
#: (para. 13); the deemed rate (5.5%) and the 20 periods are assumptions from the
#: OhmyNews worked example (``JAPAN_2025_SOURCES[2]``).
JAPAN_2025_TERMS: Mapping[str, Any] = types.MappingProxyType({
    "deemed_rate": 0.055,
    "share_before": 0.5,
    "share_after": 0.1,
    "amortisation_periods": 20,
    "name": "US-Japan MOU on Strategic Investments (2025), para. 13",
    "sources": JAPAN_2025_SOURCES,
})

KOREA_2025_NAME = "US-Korea MOU (Nov 2025), split read as Japan's"
KOREA_2025_SOURCE = (
    "Newspim, Nov 2025: US-Korea MOU, $350bn of which $150bn shipbuilding; cash "
    "flow split 'nearly identical' to Japan's; $20bn/yr cap; adjustment if Korea "
    "clearly cannot recover its Deemed Allocation Amount within 20 years [press]"
)

# --------------------------------------------------------------------------- SoftBank's fee

#: Yen per dollar used for the SoftBank fee presets: ¥1tn ≈ $6.3bn in the FT report
#: (the articles' FX, ≈ ¥159/$; ``docs/sources.md``). A labelled preset value.
SOFTBANK_FEE_JPY_PER_USD = 159.0

#: ``DeveloperFee.softbank_ohio()``: FT, 19 Mar 2026 (the ¥1tn proposal cut by more than
#: 90%, paid over 15-20 years only if 9.2 GW is achieved); the ¥100bn upper bound, the FX
#: and the 15 installments are labelled assumptions.
SOFTBANK_OHIO_FEE: Mapping[str, Any] = types.MappingProxyType({
    "total": 100e9 / SOFTBANK_FEE_JPY_PER_USD,
    "installments": 15,
    "capacity_target": 9200.0,
    "name": "SoftBank developer fee (reduced)",
    "sources": (
        "FT, 19 Mar 2026: ¥1tn proposal cut by more than 90%; paid over 15-20 years "
        "only if the 9.2 GW target capacity is achieved",
    ),
    "assumptions": (
        "total = ¥100bn, the upper bound implied by a >90% cut",
        "FX ¥159/$ (the FT's ¥1tn ≈ $6.3bn)",
        "15 equal annual installments from commercial operation",
    ),
})

#: ``DeveloperFee.softbank_ohio_original()``: the ¥1tn proposal, same payment terms.
SOFTBANK_OHIO_FEE_ORIGINAL: Mapping[str, Any] = types.MappingProxyType({
    "total": 1e12 / SOFTBANK_FEE_JPY_PER_USD,
    "installments": SOFTBANK_OHIO_FEE["installments"],
    "capacity_target": SOFTBANK_OHIO_FEE["capacity_target"],
    "name": "SoftBank developer fee (original proposal)",
    "sources": ("FT, 19 Mar 2026: original proposal ¥1tn ≈ $6.3bn",),
    "assumptions": SOFTBANK_OHIO_FEE["assumptions"][1:],
})

# --------------------------------------------------------------------------- overruns, delays

#: NuScale/UAMPS Carbon Free Power Project: cost estimate $5.3bn -> $9.3bn (Jan 2023),
#: in USD bn (the overrun factor is ``9.3 / 5.3``).
NUSCALE_BUDGET_BEFORE_BN = 5.3
NUSCALE_BUDGET_AFTER_BN = 9.3
NUSCALE_OVERRUN_SOURCE = (
    "IEEFA (D. Schlissel), Jan 2023: UAMPS/NuScale CFPP cost estimate $5.3bn -> $9.3bn "
    "for 462 MWe"
)

_FG = "Flyvbjerg & Gardner 2023, How Big Things Get Done (reference-class table)"
_SOV25 = "Sovacool et al. 2025 (662 projects; press release)"
_ASSUME = "assumption: not published per class; chosen so that the implied share of projects"

#: Published mean cost overruns by class of project, as keyword arguments of
#: :class:`dealsim.montecarlo.uncertainty.ReferenceClass`. ``sigma=None`` means "derive it from
#: ``share_over_budget``" (done where the distributions live).
REFERENCE_CLASS_FIGURES: dict[str, dict[str, Any]] = {
    "nuclear": dict(
        mean_overrun=1.20, source=_FG, confidence="press", sigma=0.54,
        sigma_basis="assumption: the all_electricity dispersion (0.54, pinned by 3 of 4 over "
        "budget) reused; implies ~88% of projects over budget",
        other_estimates=((1.025, _SOV25),),
    ),
    "hydro": dict(
        mean_overrun=0.75, source=_FG, confidence="press", sigma=0.54,
        sigma_basis="assumption: the all_electricity dispersion (0.54) reused; implies ~78% "
        "of projects over budget",
        other_estimates=((0.367, _SOV25),),
    ),
    "fossil_thermal": dict(
        mean_overrun=0.16, source=_FG, confidence="press",
        sigma=0.25, sigma_basis=f"{_ASSUME} over budget is ~68%",
    ),
    "wind": dict(
        mean_overrun=0.13, source=_FG, confidence="press",
        sigma=0.20, sigma_basis=f"{_ASSUME} over budget is ~70%",
        other_estimates=((0.052, _SOV25),),
    ),
    "solar": dict(
        mean_overrun=0.01, source=_FG, confidence="press",
        sigma=0.15, sigma_basis=f"{_ASSUME} over budget is ~50% (solar is the most reliable "
        "class)",
        other_estimates=((-0.022, _SOV25),),
    ),
    "transmission": dict(
        mean_overrun=0.08, source=_FG + " (lower reliability)", confidence="press",
        sigma=0.20, sigma_basis=f"{_ASSUME} over budget is ~61%",
        other_estimates=((-0.036, _SOV25),),
    ),
    "all_electricity": dict(
        mean_overrun=0.663,
        source="Sovacool, Gilbert & Nugent 2014, Energy Research & Social Science (401 "
        "electricity projects; 3 of 4 over budget)",
        confidence="official abstract",
        sigma=None,
        sigma_basis="derived: lognormal with mean 1.663 and P(factor > 1) = 0.75 gives "
        "sigma = -k + sqrt(k^2 + 2 ln 1.663), k = Phi^-1(0.75) = 0.6745, so sigma = 0.539",
        share_over_budget=0.75,
        other_estimates=((0.40, "Sovacool et al. 2025 (mean +40%, ~2 years late)"),),
    ),
}

#: Mean commissioning delay (years) and its source, by reference class.
DELAY_MEAN_BY_CLASS: dict[str, tuple[float, str]] = {
    "nuclear": (3.0, "EIA 1986: 75 US nuclear plants >= 3 years late on average"),
}
#: Mean delay for every other class.
DELAY_DEFAULT: tuple[float, str] = (
    2.0, "Sovacool et al. 2025: electricity projects ~2 years late on average "
         "(no gas-CC-specific statistic published)")
#: Log-scale shape of the delay distribution (assumption).
DELAY_SIGMA = 0.8
#: Longest delay represented, years (assumption).
DELAY_MAX = 10.0
