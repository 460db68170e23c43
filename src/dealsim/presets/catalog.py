"""The preset catalog: every named deal, reference case, set of terms and table, with sources.

A :class:`Preset` pairs a builder with the citations (:class:`Source`, each dated and
graded by confidence) and the labelled assumptions behind it. ``docs/sources.md``
lists every one (:mod:`dealsim.presets.sources` generates it). :func:`catalog`
returns them all by name.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from dealsim.common.sources import Source
from dealsim.errors import InvalidParameterError
from dealsim.model.terms import DealTerms
from dealsim.presets import deals, reference

__all__ = ["KINDS", "PLEDGES", "Kind", "Preset", "catalog", "pledges"]

Kind = Literal["deal", "reference", "terms", "table"]


KINDS: tuple[str, ...] = get_args(Kind)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Preset:
    """A named, sourced builder.

    Attributes
    ----------
    name : str
        Key in :func:`catalog`.
    kind : {"deal", "reference", "terms", "table"}
        What :meth:`build` returns: a :class:`dealsim.Deal`, a
        :class:`dealsim.presets.ReferenceCase`, a :class:`dealsim.DealTerms`, or a
        read-only mapping.
    build : callable
        ``build(**overrides)``: keyword overrides are the builder's parameters.
    description : str
    sources : tuple of Source
    assumptions : tuple of str
        Every number that no public source gives, in words.
    usdjpy : float
        Yen per dollar pinned for this preset's yen view (a labelled parameter,
        ``docs/sources.md``, FX in the articles).
    facts : mapping of str to float
        Published (or derived) figures that are not builder inputs, e.g. the Korean
        MOU's annual cap.
    """

    name: str
    kind: Kind
    build: Callable[..., Any]
    description: str
    sources: tuple[Source, ...]
    assumptions: tuple[str, ...] = ()
    usdjpy: float = 158.0
    facts: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidParameterError(f"kind must be one of {KINDS}; got {self.kind!r}")
        if not self.sources or not all(isinstance(s, Source) for s in self.sources):
            raise InvalidParameterError(
                f"sources must be a non-empty tuple of Source; got {self.sources!r}")
        object.__setattr__(self, "facts", types.MappingProxyType(dict(self.facts)))

    def __call__(self, **overrides: Any) -> Any:
        """Same as :meth:`build`."""
        return self.build(**overrides)

    def describe(self) -> str:
        """The description, the sources and the assumptions, one per line."""
        lines = [f"{self.name} ({self.kind}): {self.description}", "sources:"]
        lines += [f"  - {s}" for s in self.sources]
        lines += ["assumptions:"] + [f"  - {a}" for a in self.assumptions]
        lines += [f"yen view at {self.usdjpy:g} JPY/USD (assumption: pinned rate)"]
        return "\n".join(lines)


#: Pledges under the 2025 tariff deals, USD (Hudson Institute; Newspim; Nikkei;
#: ``docs/sources.md``).
PLEDGES: Mapping[str, float] = types.MappingProxyType(
    {"Japan": 550e9, "EU": 600e9, "Korea": 350e9, "Taiwan": 250e9})


def pledges() -> Mapping[str, float]:
    """Investment pledged to the US by partner, USD (read-only).

    Sources, with dates and confidence grades: ``docs/sources.md`` in the
    repository (``dealsim presets pledges`` prints this preset's).

    Examples
    --------
    >>> {k: v / 1e9 for k, v in pledges().items()}
    {'Japan': 550.0, 'EU': 600.0, 'Korea': 350.0, 'Taiwan': 250.0}
    """
    return PLEDGES


_MOU = Source("Cabinet written answer 内閣衆質219第80号 quoting MOU para. 13: 50/50 until each "
              "side has received Japan's Deemed Allocation Amount, then 90/10", "2025-11-28",
              "official")


_DAA = Source("R. Katz; OhmyNews; St. Louis Fed: DAA is principal plus interest at 6-month "
              "term SOFR + a spread, shortfalls carried forward", "2025-09", "press")


_OHMY = Source("OhmyNews worked example: 4.5% + 1% = 5.5% deemed rate, principal over 20 "
               "years", "2025-09", "press")


_EIA = Source("EIA AEO2026 Table 3 (via a public copy): capex, heat "
              "rate, O&M, capacity factor, life, lead time", "2026", "press")


_NHK = Source("NHK: tranche 2 up to $73bn: GE Vernova Hitachi SMRs in Tennessee and Alabama "
              "(~$40bn) and gas plants in Pennsylvania and Texas (~$33bn together)",
              "2026-03", "press")


_TRANCHE1 = Source("Tranche 1 (~$36bn, 3 projects) announced", "2026-02-17", "press")


_FT_FEE = Source("FT: SoftBank's ¥1tn fee proposal cut by more than 90%, paid over 15-20 "
                 "years only if 9.2 GW is achieved", "2026-03-19", "press")


_FT_OHIO = Source("FT: Ohio SPV wholly funded by Japan, owned 50/50 by US and Japan",
                  "2026-03-19", "seed")


_OHIO = Source("Portsmouth (Piketon) Ohio 9.2 GW, $33.3bn (Japan) / $33bn (US), SB Energy, "
               "ground broken 20 Mar 2026", "2026-03-20", "press")


_FX = Source("FX in the articles: $550bn ≈ ¥87tn (≈ ¥158/$); ¥1tn ≈ $6.3bn (≈ ¥159/$)",
             "2026-03", "derived")


_IEEFA = Source("IEEFA (D. Schlissel): UAMPS/NuScale CFPP 462 MWe, $5.3bn -> $9.3bn, "
                "$58 -> $89/MWh after > $4bn of subsidies; DOE cost share $1.355bn, IRA "
                "credit $30/MWh", "2023-01", "press")


_REUTERS_NUSCALE = Source("Reuters/UAMPS: first module 2029, full operation 2030; "
                          "cancelled 8 Nov 2023", "2023-11-08", "press")


_AP_VOGTLE = Source("AP: Vogtle 3&4 approved at ~$14bn in 2009, final cost > $35bn, seven "
                    "years late", "2024-04", "press")


_AP1000 = Source("Westinghouse/Georgia Power: AP1000 units of ~1,117 MWe each", "2024",
                 "press")


_NEWSPIM = Source("Newspim: US-Korea MOU, $350bn of which $150bn shipbuilding; split nearly "
                  "identical to Japan's; $20bn/yr cap; adjustment if Korea clearly cannot "
                  "recover its DAA within 20 years", "2025-11", "press")


_HUDSON = Source("Hudson Institute; Reuters JP summary: Japan $550bn until 19 Jan 2029",
                 "2025-09", "press")


_NIKKEI = Source("Nikkei table of pledges: EU $600bn, Taiwan $250bn (TSMC-centred)",
                 "2026-02", "seed")


_LAZARD = Source("Lazard LCOE+ 2025: CCGT $2,400-2,600/kW", "2025-06", "press")


def _deal_assumptions(builder: Callable[..., Any]) -> tuple[str, ...]:
    """The preset's project and fee assumptions, then its operations and market (the
    Deal defaults unless the preset sets its own), each labelled."""
    deal = builder()
    ops, market = deal.operations, deal.market
    lines = [*deal.project.assumptions, *(a for f in deal.fees for a in f.assumptions)]
    lines.append(
        f"operations: dispatch {ops.dispatch}; a delay escalates deferred spend "
        f"({ops.delay_escalation}) and costs {ops.delay_cost:.0%} of capex a year; tax on "
        f"{ops.tax.replace('_', ' ')}; calls funded {ops.funding.replace('_', ' ')} "
        "(dealsim.model.operations)")
    if market.is_levels:
        lines.append("market: one level per scenario for the whole life (Market())")
    else:
        corr = market.prices.rank_correlation if market.prices is not None else None
        lines.append(
            "market: annual paths (dealsim.model.paths): "
            + ", ".join(x for x in (
                None if market.prices is None else
                f"power and fuel (half-life {market.prices.power.half_life:g} years, rank "
                f"correlation {corr:g})",
                None if market.sofr is None else "term-SOFR deemed rate",
                None if market.usdjpy is None else "USD/JPY") if x))
    return tuple(lines)


def _build_catalog() -> Mapping[str, Preset]:
    korea_facts = {"commitment_usd": 350e9, "shipbuilding_usd": 150e9,
                   "annual_cap_usd": 20e9, "recovery_test_years": 20}
    items = [
        Preset(name="ohio_gas_power", kind="deal", build=deals.ohio_gas_power,
               description="Portsmouth (Piketon), Ohio 9.2 GW gas power, $33.3bn, SoftBank fee",
               sources=(_OHIO, _FT_OHIO, _FT_FEE, _EIA, _MOU, _FX),
               assumptions=_deal_assumptions(deals.ohio_gas_power),
               usdjpy=159.0, facts={"capex_usd": 33.3e9, "capacity_mw": 9200.0}),
        Preset(name="texas_gulflink", kind="deal", build=deals.texas_gulflink,
               description="Texas GulfLink crude-export terminal (Sentinel Midstream), $2.1bn, "
               "~1m bbl/d", sources=(_TRANCHE1, _MOU),
               assumptions=_deal_assumptions(deals.texas_gulflink),
               facts={"capex_usd": 2.1e9, "capacity_bbl_d": 1e6,
                      "exports_usd_per_year_low": 20e9, "exports_usd_per_year_high": 30e9}),
        Preset(name="georgia_diamond", kind="deal", build=deals.georgia_diamond,
               description="Georgia HPHT synthetic-diamond grit plant (Element Six), ~$0.6bn",
               sources=(_TRANCHE1, _MOU), assumptions=_deal_assumptions(deals.georgia_diamond),
               facts={"capex_usd": 0.6e9}),
        Preset(name="smr_tranche2", kind="deal", build=deals.smr_tranche2,
               description="GE Vernova Hitachi SMRs in Tennessee and Alabama, ~$40bn",
               sources=(_NHK, _EIA, _MOU), assumptions=_deal_assumptions(deals.smr_tranche2),
               facts={"capex_usd": 40e9, "capacity_mw_derived": 40e9 / 9831.0 / 1000.0}),
        Preset(name="gas_tranche2", kind="deal", build=deals.gas_tranche2,
               description="Gas plants in Pennsylvania and Texas, ~$33bn together",
               sources=(_NHK, _EIA, _LAZARD, _MOU),
               assumptions=_deal_assumptions(deals.gas_tranche2),
               facts={"capex_usd": 33e9}),
        Preset(name="nuscale_cfpp", kind="reference", build=reference.nuscale_cfpp,
               description="NuScale/UAMPS Carbon Free Power Project, the SMR overrun case",
               sources=(_IEEFA, _REUTERS_NUSCALE),
               assumptions=tuple(reference.nuscale_cfpp().deal.project.assumptions)),
        Preset(name="vogtle_3_4", kind="reference", build=reference.vogtle_3_4,
               description="Vogtle units 3 and 4 (AP1000), the large-LWR overrun case",
               sources=(_AP_VOGTLE, _AP1000, _EIA),
               assumptions=tuple(reference.vogtle_3_4().deal.project.assumptions)),
        Preset(name="japan_2025", kind="terms", build=DealTerms.japan_2025,
               description="US-Japan MOU on Strategic Investments (4 Sep 2025), para. 13",
               sources=(_MOU, _DAA, _OHMY, _HUDSON),
               assumptions=("deemed rate 5.5% (OhmyNews example: SOFR 4.5% + 1% spread)",
                            "principal amortised over 20 periods (scheduled reading)",
                            "reading 'aggregate' by default; 'scheduled' is the alternative"),
               facts={"commitment_usd": 550e9}),
        Preset(name="korea_2025", kind="terms", build=DealTerms.korea_2025,
               description="US-Korea MOU (Nov 2025): Japan's split, $20bn/yr cap, 20-year "
               "recovery test", sources=(_NEWSPIM, _DAA, _OHMY),
               assumptions=(
                   "split identical to Japan's ('nearly identical', Newspim)",
                   "deemed rate 5.5% and 20-period amortisation as for Japan",
                   "20-year clause read as a test: adjustment triggered when the DAA is not "
                   "recovered within 20 years of first funding (simulate(within_years=20), "
                   "p_recover_daa_within); what the adjustment does is unknown, not modelled",
                   "$20bn/yr cap read as a test on the project's annual capital calls "
                   "(Korea's other projects share the cap; not modelled)"),
               usdjpy=158.0, facts=korea_facts),
        Preset(name="pledges", kind="table", build=pledges,
               description="Pledges: Japan 550, EU 600, Korea 350, Taiwan 250 (USD bn)",
               sources=(_HUDSON, _NEWSPIM, _NIKKEI),
               assumptions=("EU and Taiwan figures only in the seed articles (no "
                            "project-level terms)",)),
    ]
    return types.MappingProxyType({p.name: p for p in items})


_CATALOG: Mapping[str, Preset] | None = None


def catalog() -> Mapping[str, Preset]:
    """All presets by name (a read-only mapping).

    Returns
    -------
    mapping of str to Preset
        Deals (``ohio_gas_power``, ``texas_gulflink``, ``georgia_diamond``,
        ``smr_tranche2``, ``gas_tranche2``), reference cases (``nuscale_cfpp``,
        ``vogtle_3_4``), terms (``japan_2025``, ``korea_2025``) and the ``pledges``
        table.

    Examples
    --------
    >>> cat = catalog()
    >>> sorted(p.kind for p in cat.values()).count("deal")
    5
    >>> cat["smr_tranche2"].build().project.reference_class
    'nuclear'
    >>> cat["korea_2025"].facts["annual_cap_usd"] / 1e9
    20.0
    >>> cat["ohio_gas_power"](fee="original").fees[0].name
    'SoftBank developer fee (original proposal)'
    """
    global _CATALOG
    if _CATALOG is None:
        _CATALOG = _build_catalog()
    return _CATALOG
