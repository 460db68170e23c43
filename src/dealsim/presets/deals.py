"""Deal presets for the announced projects under the US–Japan MOU."""

from __future__ import annotations

import dataclasses
import inspect
import textwrap
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypedDict, TypeVar

from dealsim.common import validate as v
from dealsim.common.docs import fill
from dealsim.common.facts import SOFTBANK_FEE_JPY_PER_USD
from dealsim.errors import InvalidParameterError
from dealsim.model.deal import Deal
from dealsim.model.fees import DeveloperFee
from dealsim.model.market import Market
from dealsim.model.operations import Operations
from dealsim.model.paths import PricePaths, SofrPaths, UsdJpyPaths
from dealsim.model.project import Project
from dealsim.model.terms import DealTerms

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["REGIONS", "gas_tranche2", "georgia_diamond", "ohio_gas_power", "smr_tranche2",
           "texas_gulflink"]

#: EIA AEO2026 Table 3 (via a public copy; ``docs/sources.md`` §6), gas CT aeroderivative:
#: heat rate 9,447 Btu/kWh, fixed O&M $9.99/kW-yr, variable O&M $5.97/MWh, 30-year life.
EIA_AERO = {"heat_rate": 9447.0, "fixed_om": 9.99, "variable_om": 5.97, "life": 30}
#: Same table, gas combined cycle (H-class, multi-shaft): 6,226 Btu/kWh, $12.7/kW-yr,
#: $3.57/MWh, 30-year life, 3-year lead time.
EIA_CC = {"heat_rate": 6226.0, "fixed_om": 12.7, "variable_om": 3.57, "life": 30}
#: Same table, SMR: overnight capex $9,831/kW, 10,445 Btu/kWh, fixed O&M $128/kW-yr,
#: variable O&M $3.32/MWh, capacity factor 0.90-0.93, life 40-60 years, lead time 6 years.
EIA_SMR = {"capex_per_kw": 9831.0, "heat_rate": 10445.0, "fixed_om": 128.0,
           "variable_om": 3.32, "capacity_factor": 0.90, "life": 40, "lead_time": 6}

_EIA_SOURCE = "heat rate, O&M, life: EIA AEO2026 Table 3 via a public copy"


#: The power market (region) each power preset sells into: deals of one region share
#: one power-price path in a portfolio (:class:`dealsim.model.portfolio.SharedMarket`).
#: Portsmouth, Ohio and Pennsylvania are in PJM's footprint; Texas plants in ERCOT;
#: Tennessee and Alabama in SERC (TVA's and Southern Company's areas); both tranche-2
#: sites as one project sit in a region of their own (a mix of PJM and ERCOT). The
#: terminal and the diamond plant sell no power: their prices are their own.
REGIONS: dict[str, str] = {
    "ohio_gas_power": "PJM",
    "gas_tranche2:pennsylvania": "PJM",
    "gas_tranche2:texas": "ERCOT",
    "gas_tranche2:both": "PJM+ERCOT",
    "smr_tranche2": "SERC",
}


def _terms(terms: DealTerms | None) -> DealTerms:
    if terms is not None and not isinstance(terms, DealTerms):
        raise InvalidParameterError(f"terms must be a DealTerms or None; got {terms!r}")
    return terms if terms is not None else DealTerms.japan_2025()


def _check_options(options: Mapping[str, object]) -> None:
    """Validate a preset's numeric options under the names the caller used.

    Without this, ``ohio_gas_power(power_price=-5)`` would be reported as the
    :class:`Project` field ``price``, a name the caller never wrote. Rules by name:
    prices, costs, tariffs, O&M and outputs >= 0; capacity factors and utilisations in
    (0, 1]; escalations > -1; tax rates in [0, 1); first years whole and >= 1.
    """
    for name, value in options.items():
        if name in ("capacity_factor", "utilisation"):
            v.fraction(name, value)
        elif name == "escalation":
            v.rate(name, value)
        elif name == "tax_rate":
            v.fraction(name, value, allow_zero=True, allow_one=False)
        elif name == "first_year":
            v.integer(name, value, minimum=1)
        elif any(word in name for word in ("price", "cost", "tariff", "fixed_om", "output")):
            v.positive(name, value, allow_zero=True)


def _choice(name: str, value: str, options: Mapping[str, T]) -> T:
    if value not in options:
        raise InvalidParameterError(f"{name} must be one of {sorted(options)}; got {value!r}")
    return options[value]


#: The parameters every preset builder documents alike (those of its signature).
_COMMON_PARAMETERS = {
    "escalation": "escalation : float\n    Annual escalation of prices, fuel and costs.",
    "tax_rate": "tax_rate : float\n    In [0, 1).",
    "first_year": "first_year : int\n    First construction year.",
    "terms": "terms : DealTerms, optional\n    Default :meth:`DealTerms.japan_2025`.",
}


def _preset_doc(returns: str) -> Callable[[F], F]:
    """Complete a preset builder's docstring (:mod:`dealsim.common.docs`): after its first
    line, where its sources are listed; at its ``%(common)s`` line, the parameters of
    :data:`_COMMON_PARAMETERS` that it takes (under a Parameters heading if it has none),
    then ``returns`` as its Returns section."""
    def complete(builder: F) -> F:
        if not builder.__doc__:  # python -OO
            return builder
        params = inspect.signature(builder).parameters
        summary, rest = builder.__doc__.split("\n", 1)
        indent = rest[:len(rest) - len(rest.lstrip())].rpartition("\n")[2]
        sources = ("Sources, with dates and confidence grades: ``docs/sources.md`` in the\n"
                   f"repository (``dealsim presets {builder.__name__}`` prints this preset's).")
        common = "\n".join([*(() if "\nParameters\n" in rest.replace(" ", "") else
                               ("Parameters", "----------")),
                             *(text for name, text in _COMMON_PARAMETERS.items() if name in params),
                             "", "Returns", "-------", returns])
        rest = fill(rest, {"common": common})
        builder.__doc__ = f"{summary}\n\n{textwrap.indent(sources, indent)}\n{rest}"
        return builder
    return complete


def _eia_plant(row: Mapping[str, float], *, nuclear_fuel: float | None = None
               ) -> dict[str, Any]:
    """:meth:`Project.power_plant` arguments from an EIA AEO2026 row (:data:`EIA_AERO`,
    ...): heat rate, O&M and life. A nuclear plant burns no gas: its fuel
    (``nuclear_fuel``, USD/MWh) is added to variable O&M and its heat rate is 0."""
    if nuclear_fuel is None:
        fuel: dict[str, Any] = {"heat_rate": row["heat_rate"], "variable_om": row["variable_om"]}
    else:
        fuel = {"heat_rate": 0.0, "gas_price": 0.0,
                "variable_om": row["variable_om"] + nuclear_fuel}
    return {**fuel, "fixed_om_per_kw_year": row["fixed_om"], "operating_life": int(row["life"])}


def _deal(name: str, terms: DealTerms | None, project: Project, **deal: Any) -> Deal:
    """The Deal of every preset: ``project`` under ``terms`` (default
    :meth:`DealTerms.japan_2025`); ``deal`` holds any other :class:`Deal` field."""
    return Deal(project=project, terms=_terms(terms), name=name, **deal)


@_preset_doc("Deal")
def ohio_gas_power(
    *,
    configuration: Literal["aeroderivative", "combined_cycle"] = "aeroderivative",
    power_price: float = 85.0,
    gas_price: float = 3.5,
    capacity_factor: float = 0.6,
    escalation: float = 0.02,
    tax_rate: float = 0.21,
    fee: Literal["reduced", "original", "none"] = "reduced",
    terms: DealTerms | None = None,
) -> Deal:
    """The Portsmouth (Piketon), Ohio 9.2 GW gas-fired plant developed by SB Energy.

    Sourced (``docs/sources.md``, sources cited by the presets): capex $33.3bn
    (Japan's figure; press), 9.2 GW (press), ground broken 20 Mar 2026 (first
    construction year 2026), MOU para. 13 split (official), SoftBank's reduced fee
    paid only if 9.2 GW is achieved (FT, 19 Mar 2026).
    ~170 GE Vernova turbines of ≈ 54 MW suggest aeroderivative / small-frame units, so
    the default configuration uses EIA AEO2026's aeroderivative parameters
    (9,447 Btu/kWh, $9.99/kW-yr fixed and $5.97/MWh variable O&M, 30-year life).

    Labelled assumptions (no public figure exists; every one is a parameter):
    the configuration itself; ``power_price`` $85/MWh in 2026 dollars (SoftBank's
    data-centre offtake price is not published); ``gas_price`` $3.50/MMBtu
    (Henry-Hub-like, 2026); ``capacity_factor`` 0.60 (EIA's CC range 0.55–0.60 for a
    plant serving data centres); 2%/yr escalation of prices and costs; a 21% US
    federal tax rate (the MOU counts cash "net of US taxes", Katz), levied on Japan's
    half of the margin by the default :class:`~dealsim.model.operations.Operations`; 3 years
    of even construction spending (EIA lead time for CC; 2 years for CT — the larger
    figure for a 9.2 GW site); the MOU deemed rate of :meth:`DealTerms.japan_2025`.

    The owner's economics are the :class:`~dealsim.model.deal.Deal` defaults:
    annual power and gas price paths (rank correlation 0.7, a gas-marginal market), a
    term-SOFR deemed rate, economic dispatch, costly delays, calls funded as spent; the
    SoftBank fee is the yen amount (¥100bn, or ¥1tn for ``fee="original"``), each
    installment converted at the scenario's USD/JPY.

    Parameters
    ----------
    configuration : {"aeroderivative", "combined_cycle"}
        Which EIA plant type supplies the heat rate and O&M.
    power_price : float
        USD/MWh in 2026.
    gas_price : float
        USD/MMBtu in 2026.
    capacity_factor : float
        In (0, 1].
    fee : {"reduced", "original", "none"}
        SoftBank's final fee, its original ¥1tn proposal, or no fee.
    %(common)s

    Examples
    --------
    >>> deal = ohio_gas_power()
    >>> deal.project.capacity, deal.project.capex / 1e9, deal.fees[0].capacity_target
    (9200.0, 33.3, 9200.0)
    >>> round(deal.project.capex / (deal.project.capacity * 1000))  # $/kW, press
    3620
    """
    _check_options(locals())
    plant = _choice("configuration", configuration,
                    {"aeroderivative": EIA_AERO, "combined_cycle": EIA_CC})
    fees = _choice("fee", fee, {
        "reduced": (_in_yen(DeveloperFee.softbank_ohio()),),
        "original": (_in_yen(DeveloperFee.softbank_ohio_original()),),
        "none": (),
    })
    return _deal("Ohio gas power (SB Energy)", terms, Project.power_plant(
        name="Ohio (Portsmouth) 9.2 GW gas power", capex=33.3e9, capacity_mw=9200.0,
        gas_price=gas_price, power_price=power_price, capacity_factor=capacity_factor,
        construction_years=3, first_year=2026, reference_class="fossil_thermal",
        **_eia_plant(plant), **_market(escalation, tax_rate),
        sources=(
            "capex $33.3bn, 9.2 GW, SB Energy, ground broken 20 Mar 2026: press",
            _EIA_SOURCE,
        ),
        assumptions=(
            f"configuration {configuration} (54 MW turbines suggest aeroderivative)",
            f"power price ${power_price}/MWh (offtake price not published)",
            f"gas price ${gas_price}/MMBtu",
            f"capacity factor {capacity_factor}",
            _market_note(escalation, tax_rate),
            "3 construction years, even spending, first year 2026",
        ),
    ), fees=fees, market=Market.paths(region=REGIONS["ohio_gas_power"]),
    sources=("Japan funds 100% through a 50/50 US-Japan SPV: FT 19 Mar 2026",))


def _in_yen(fee: DeveloperFee) -> DeveloperFee:
    """The SoftBank fee as the yen amount it is (¥100bn or ¥1tn), each installment
    converted at the scenario's USD/JPY (the dollar preset converts at ¥159)."""
    yen = float(round(fee.total * SOFTBANK_FEE_JPY_PER_USD / 1e9) * 1e9)  # whole ¥bn
    return dataclasses.replace(
        fee, total=yen, currency="JPY",
        assumptions=tuple(a for a in fee.assumptions if not a.startswith("FX")) + (
            "converted at each payment year's USD/JPY (the scenario's path)",))


class _Market(TypedDict):
    price_escalation: float
    fuel_escalation: float
    cost_escalation: float
    tax_rate: float


def _market_note(escalation: float, tax_rate: float) -> str:
    """The assumption line of a preset's escalation and tax rate."""
    return f"escalation {escalation:.1%}/yr on prices and costs; tax rate {tax_rate:.0%}"


def _market(escalation: float, tax_rate: float) -> _Market:
    return {"price_escalation": escalation, "fuel_escalation": escalation,
            "cost_escalation": escalation, "tax_rate": tax_rate}


@_preset_doc("Deal")
def texas_gulflink(
    *,
    tariff: float = 1.0,
    utilisation: float = 0.7,
    variable_cost: float = 0.10,
    fixed_om: float = 42e6,
    escalation: float = 0.02,
    tax_rate: float = 0.21,
    first_year: int = 2026,
    terms: DealTerms | None = None,
) -> Deal:
    """The Texas GulfLink deepwater crude-export terminal (Sentinel Midstream).

    Sourced (press; ``docs/sources.md``, sources cited by the presets): capex $2.1bn,
    ~1m bbl/d of capacity (about $20-30bn/yr of exports), tranche 1 announced 17/18
    Feb 2026; MOU para. 13 split.

    Labelled assumptions (nothing on revenue or costs is published): the terminal
    earns a throughput ``tariff`` per barrel loaded ($1.00/bbl, the order of US Gulf
    deepwater loading fees; it does not own the crude); ``utilisation`` 0.7 of
    nameplate; variable cost $0.10/bbl; fixed O&M $42m/yr (2% of capex); 3 construction
    years from 2026; 30-year life; 2%/yr escalation; 21% tax; the overrun reference
    class ``"fossil_thermal"`` (+16%) as the closest available class -- no class for
    oil and gas terminals is in :data:`dealsim.montecarlo.uncertainty.REFERENCE_CLASSES`.

    Parameters
    ----------
    tariff : float
        USD per barrel of throughput in 2026.
    utilisation : float
        Share of the 1m bbl/d nameplate loaded, in (0, 1].
    variable_cost : float
        USD per barrel.
    fixed_om : float
        USD per operating year in 2026 dollars.
    %(common)s

    Examples
    --------
    >>> d = texas_gulflink()
    >>> d.project.capacity, d.project.capacity_unit, d.project.capex / 1e9
    (1000000.0, 'bbl/d', 2.1)
    >>> round(d.project.output_per_year / 1e6, 1)  # million bbl loaded a year
    255.5
    """
    _check_options(locals())
    return _deal("Texas GulfLink terminal", terms, Project(
        name="Texas GulfLink crude-export terminal",
        capex=2.1e9, construction_years=3, first_year=first_year,
        capacity=1e6, capacity_unit="bbl/d", utilisation=utilisation, price=tariff,
        operating_life=30, variable_cost=variable_cost, fixed_om=fixed_om,
        reference_class="fossil_thermal", **_market(escalation, tax_rate),
        sources=("capex $2.1bn, ~1m bbl/d, Sentinel Midstream, tranche 1 Feb 2026: press "
                 "",),
        assumptions=(
            f"throughput tariff ${tariff}/bbl (terminal revenue not published)",
            f"utilisation {utilisation} of the 1m bbl/d nameplate",
            f"variable cost ${variable_cost}/bbl; fixed O&M ${fixed_om / 1e6:g}m/yr",
            f"3 construction years from {first_year}; 30-year operating life",
            _market_note(escalation, tax_rate),
            "overrun class fossil_thermal: closest available (no oil-terminal class)",
        ),
    ))


@_preset_doc("Deal")
def georgia_diamond(
    *,
    output_t: float = 100.0,
    price_per_t: float = 1.5e6,
    utilisation: float = 0.85,
    variable_cost: float = 0.6e6,
    fixed_om: float = 15e6,
    escalation: float = 0.02,
    tax_rate: float = 0.21,
    first_year: int = 2026,
    terms: DealTerms | None = None,
) -> Deal:
    """The Georgia HPHT synthetic-diamond grit plant (Element Six).

    Sourced (press; ``docs/sources.md``, sources cited by the presets): capex ~$0.6bn;
    tranche 1, Feb 2026; MOU split.
    Output and prices are not published: every operating figure is an assumption.

    Labelled assumptions: ``output_t`` 100 t/yr of grit (500m carats; a few percent of
    world synthetic industrial-diamond output); ``price_per_t`` $1.5m/t ($0.30/carat,
    industrial grit); ``utilisation`` 0.85; ``variable_cost`` $0.6m/t (power-hungry
    presses, 40% of price); fixed O&M $15m/yr; 2 construction years from 2026; 20-year
    life; 2%/yr escalation; 21% tax; overrun class ``"fossil_thermal"`` (+16%, an
    industrial thermal plant) as the closest available class.

    Parameters
    ----------
    output_t : float
        Design output, tonnes a year.
    price_per_t : float
        USD per tonne in 2026.
    utilisation : float
        In (0, 1].
    variable_cost : float
        USD per tonne.
    fixed_om : float
        USD per operating year.
    %(common)s

    Examples
    --------
    >>> d = georgia_diamond()
    >>> d.project.capacity_unit, d.project.capex / 1e9, d.project.reference_class
    ('t/yr', 0.6, 'fossil_thermal')
    """
    _check_options(locals())
    return _deal("Georgia diamond plant", terms, Project(
        name="Georgia synthetic-diamond grit plant",
        capex=0.6e9, construction_years=2, first_year=first_year,
        capacity=output_t, capacity_unit="t/yr", utilisation=utilisation, price=price_per_t,
        operating_life=20, variable_cost=variable_cost, fixed_om=fixed_om,
        reference_class="fossil_thermal", **_market(escalation, tax_rate),
        sources=("capex ~$0.6bn, Element Six, tranche 1 Feb 2026: press",),
        assumptions=(
            f"output {output_t:g} t/yr (not published)",
            f"price ${price_per_t / 1e6:g}m/t (not published)",
            f"utilisation {utilisation}",
            f"variable cost ${variable_cost / 1e6:g}m/t; fixed O&M ${fixed_om / 1e6:g}m/yr",
            f"2 construction years from {first_year}; 20-year operating life",
            _market_note(escalation, tax_rate),
            "overrun class fossil_thermal: closest available (no manufacturing class)",
        ),
    ))


@_preset_doc("Deal")
def smr_tranche2(
    *,
    power_price: float = 90.0,
    fuel_cost: float = 6.0,
    capacity_factor: float = EIA_SMR["capacity_factor"],
    escalation: float = 0.02,
    tax_rate: float = 0.21,
    first_year: int = 2027,
    terms: DealTerms | None = None,
) -> Deal:
    """GE Vernova Hitachi SMRs in Tennessee and Alabama, tranche 2 (~$40bn).

    Sourced: ~$40bn, Tennessee and Alabama (NHK, Mar 2026; ``docs/sources.md``). Plant
    parameters: EIA AEO2026 SMR (``docs/sources.md`` §6): $9,831/kW, fixed O&M $128/kW-yr,
    variable O&M $3.32/MWh, capacity factor 0.90 (low end of 0.90-0.93), 40-year life
    (low end of 40-60), 6-year lead time.

    Derived: capacity = $40bn / $9,831/kW = 4,069 MW (the tranche's size and reactor
    count are not published).

    Labelled assumptions: ``power_price`` $90/MWh in 2026 dollars (no offtake price
    published; close to NuScale's $89/MWh after subsidies); nuclear ``fuel_cost``
    $6/MWh added to variable O&M (no public source; no fuel-price uncertainty applies
    to it); 6 construction years from 2027; 2%/yr escalation; 21% tax; no subsidies.
    The plant runs as baseload (``Operations.owner(thermal=False)``: must-run) and its
    power price path is not correlated with gas (rank correlation 0).

    Parameters
    ----------
    power_price : float
        USD/MWh in 2026.
    fuel_cost : float
        Nuclear fuel, USD/MWh.
    capacity_factor : float
        In (0, 1].
    %(common)s

    Examples
    --------
    >>> d = smr_tranche2()
    >>> round(d.project.capacity), d.project.reference_class, d.project.construction_years
    (4069, 'nuclear', 6)
    """
    _check_options(locals())
    capacity_mw = 40e9 / (EIA_SMR["capex_per_kw"] * 1000.0)
    project = Project.power_plant(
        name="Tranche 2 SMRs (GE Vernova Hitachi, Tennessee and Alabama)",
        capex=40e9, capacity_mw=capacity_mw, power_price=power_price,
        capacity_factor=capacity_factor, construction_years=int(EIA_SMR["lead_time"]),
        first_year=first_year, reference_class="nuclear",
        **_eia_plant(EIA_SMR, nuclear_fuel=fuel_cost), **_market(escalation, tax_rate),
        sources=("~$40bn, GE Vernova Hitachi SMRs, Tennessee and Alabama: NHK Mar 2026 "
                 "",
                 "capex/kW, O&M, capacity factor, life, lead time: EIA AEO2026 SMR "
                 ""),
        assumptions=(
            f"capacity {capacity_mw:.0f} MW derived as $40bn / $9,831/kW",
            f"power price ${power_price}/MWh (offtake not published)",
            f"nuclear fuel ${fuel_cost}/MWh as variable cost",
            f"capacity factor {capacity_factor}; 40-year life (EIA low ends)",
            f"6 construction years (EIA lead time) from {first_year}",
            _market_note(escalation, tax_rate),
        ),
    )
    # nuclear runs as baseload; its fuel is not gas, so power and fuel are not
    # correlated (the SMR's fuel cost sits in variable O&M and draws no fuel factor)
    return _deal("Tranche 2 SMRs", terms, project, operations=Operations.owner(thermal=False),
                 market=Market(prices=PricePaths(rank_correlation=0.0), sofr=SofrPaths(),
                               usdjpy=UsdJpyPaths(), region=REGIONS["smr_tranche2"]))


@_preset_doc("Deal")
def gas_tranche2(
    *,
    site: Literal["both", "pennsylvania", "texas"] = "both",
    pennsylvania_share: float = 0.5,
    capex_per_kw: float = 2500.0,
    power_price: float = 85.0,
    gas_price: float = 3.5,
    capacity_factor: float = 0.6,
    escalation: float = 0.02,
    tax_rate: float = 0.21,
    first_year: int = 2027,
    terms: DealTerms | None = None,
) -> Deal:
    """The tranche-2 gas plants in Pennsylvania and Texas (~$33bn together).

    Sourced: ≈ $33bn for the two together (NHK, Mar 2026; ``docs/sources.md``); the split
    between them is unknown (``docs/sources.md``, known gaps). Plant parameters: EIA AEO2026 gas
    combined cycle (6,226 Btu/kWh, $12.7/kW-yr, $3.57/MWh, 30-year life, 3-year lead
    time; ``docs/sources.md`` §6).

    Labelled assumptions: ``pennsylvania_share`` 0.5 (even split); capacity derived from
    ``capex_per_kw`` $2,500/kW (Lazard LCOE+ 2025 CCGT quotes, $2,400-2,600/kW),
    i.e. 13.2 GW for both; power price $85/MWh, gas $3.50/MMBtu and capacity factor 0.60
    as for Ohio; 3 construction years from 2027; 2%/yr escalation; 21% tax.

    Parameters
    ----------
    site : {"both", "pennsylvania", "texas"}
        Both plants as one project, or one of them.
    pennsylvania_share : float
        Pennsylvania's share of the $33bn, in (0, 1).
    capex_per_kw : float
        USD per kW, to derive capacity.
    power_price, gas_price, capacity_factor : float
        As for :func:`ohio_gas_power`.
    %(common)s

    Examples
    --------
    >>> round(gas_tranche2().project.capacity), gas_tranche2(site="texas").project.capex / 1e9
    (13200, 16.5)
    >>> gas_tranche2(pennsylvania_share=1.0)
    Traceback (most recent call last):
    ...
    dealsim.errors.InvalidParameterError: pennsylvania_share must be in (0, 1); got 1.0
    """
    _check_options(locals())
    if not 0.0 < pennsylvania_share < 1.0:
        raise InvalidParameterError(
            f"pennsylvania_share must be in (0, 1); got {pennsylvania_share!r}")
    share = _choice("site", site, {"both": 1.0, "pennsylvania": pennsylvania_share,
                                   "texas": 1.0 - pennsylvania_share})
    if not capex_per_kw > 0:
        raise InvalidParameterError(f"capex_per_kw must be > 0; got {capex_per_kw!r}")
    capex = 33e9 * share
    capacity_mw = capex / (capex_per_kw * 1000.0)
    label = {"both": "Pennsylvania and Texas"}.get(site, site.capitalize())
    return _deal(f"Tranche 2 gas ({label})", terms, Project.power_plant(
        name=f"Tranche 2 gas power ({label})",
        capex=capex, capacity_mw=capacity_mw, gas_price=gas_price, power_price=power_price,
        capacity_factor=capacity_factor, construction_years=3, first_year=first_year,
        reference_class="fossil_thermal", **_eia_plant(EIA_CC), **_market(escalation, tax_rate),
        sources=("≈ $33bn for gas plants in Pennsylvania and Texas: NHK Mar 2026 "
                 "", _EIA_SOURCE),
        assumptions=(
            f"Pennsylvania share {pennsylvania_share:g} of $33bn (split unknown)",
            f"capacity {capacity_mw:.0f} MW derived at ${capex_per_kw:g}/kW (Lazard CCGT)",
            f"power price ${power_price}/MWh; gas ${gas_price}/MMBtu; capacity factor "
            f"{capacity_factor} (as for Ohio)",
            f"3 construction years (EIA lead time) from {first_year}",
            _market_note(escalation, tax_rate),
        ),
    ), market=Market.paths(region=REGIONS[f"gas_tranche2:{site}"]))
