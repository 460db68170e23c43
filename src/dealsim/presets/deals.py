"""Deal presets for the announced projects under the US–Japan MOU."""

from __future__ import annotations

from typing import Literal

from ..deal import Deal
from ..errors import InvalidParameterError
from ..fees import DeveloperFee
from ..project import Project
from ..terms import DealTerms

__all__ = ["ohio_gas_power"]

#: EIA AEO2026 Table 3 (via a public copy; deal-facts.md §6), gas CT aeroderivative:
#: heat rate 9,447 Btu/kWh, fixed O&M $9.99/kW-yr, variable O&M $5.97/MWh, 30-year life.
EIA_AERO = {"heat_rate": 9447.0, "fixed_om": 9.99, "variable_om": 5.97, "life": 30}
#: Same table, gas combined cycle (H-class, multi-shaft): 6,226 Btu/kWh, $12.7/kW-yr,
#: $3.57/MWh, 30-year life, 3-year lead time.
EIA_CC = {"heat_rate": 6226.0, "fixed_om": 12.7, "variable_om": 3.57, "life": 30}


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

    Sourced (deal-facts.md): capex $33.3bn (Japan's figure; press), 9.2 GW (press),
    ground broken 20 Mar 2026 (first construction year 2026), MOU para. 13 split
    (official), SoftBank's reduced fee paid only if 9.2 GW is achieved (FT, 19 Mar 2026).
    ~170 GE Vernova turbines of ≈ 54 MW suggest aeroderivative / small-frame units, so
    the default configuration uses EIA AEO2026's aeroderivative parameters
    (9,447 Btu/kWh, $9.99/kW-yr fixed and $5.97/MWh variable O&M, 30-year life).

    Labelled assumptions (no public figure exists; every one is a parameter):
    the configuration itself; ``power_price`` $85/MWh in 2026 dollars (SoftBank's
    data-centre offtake price is not published); ``gas_price`` $3.50/MMBtu
    (Henry-Hub-like, 2026); ``capacity_factor`` 0.60 (EIA's CC range 0.55–0.60 for a
    plant serving data centres); 2%/yr escalation of prices and costs; a 21% US
    federal tax rate on the SPV's margin (the MOU counts cash "net of US taxes",
    Katz); 3 years of even construction spending (EIA lead time for CC; 2 years for
    CT — the larger figure for a 9.2 GW site); the MOU deemed rate of
    :meth:`DealTerms.japan_2025`.

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
    escalation : float
        Annual escalation of power price, gas price and O&M.
    tax_rate : float
        In [0, 1).
    fee : {"reduced", "original", "none"}
        SoftBank's final fee, its original ¥1tn proposal, or no fee.
    terms : DealTerms, optional
        Default :meth:`DealTerms.japan_2025`.

    Returns
    -------
    Deal

    Examples
    --------
    >>> deal = ohio_gas_power()
    >>> deal.project.capacity, deal.project.capex / 1e9, deal.fees[0].capacity_target
    (9200.0, 33.3, 9200.0)
    >>> round(deal.project.capex / (deal.project.capacity * 1000))  # $/kW, deal-facts §2
    3620
    """
    plant = {"aeroderivative": EIA_AERO, "combined_cycle": EIA_CC}.get(configuration)
    if plant is None:
        raise InvalidParameterError(
            f"configuration must be 'aeroderivative' or 'combined_cycle'; got {configuration!r}"
        )
    fee_options = {
        "reduced": (DeveloperFee.softbank_ohio(),),
        "original": (DeveloperFee.softbank_ohio_original(),),
        "none": (),
    }
    if fee not in fee_options:
        raise InvalidParameterError(f"fee must be one of {sorted(fee_options)}; got {fee!r}")
    project = Project.power_plant(
        name="Ohio (Portsmouth) 9.2 GW gas power",
        capex=33.3e9,
        capacity_mw=9200.0,
        heat_rate=plant["heat_rate"],
        gas_price=gas_price,
        power_price=power_price,
        capacity_factor=capacity_factor,
        variable_om=plant["variable_om"],
        fixed_om_per_kw_year=plant["fixed_om"],
        construction_years=3,
        first_year=2026,
        operating_life=int(plant["life"]),
        price_escalation=escalation,
        fuel_escalation=escalation,
        cost_escalation=escalation,
        tax_rate=tax_rate,
        reference_class="fossil_thermal",
        sources=(
            "capex $33.3bn, 9.2 GW, SB Energy, ground broken 20 Mar 2026: press (deal-facts §2)",
            "heat rate, O&M, life: EIA AEO2026 Table 3 via a public copy (deal-facts §6)",
        ),
        assumptions=(
            f"configuration {configuration} (54 MW turbines suggest aeroderivative)",
            f"power price ${power_price}/MWh (offtake price not published)",
            f"gas price ${gas_price}/MMBtu",
            f"capacity factor {capacity_factor}",
            f"escalation {escalation:.1%}/yr on prices and costs",
            f"tax rate {tax_rate:.0%} on the SPV margin",
            "3 construction years, even spending, first year 2026",
        ),
    )
    return Deal(
        project=project,
        terms=terms if terms is not None else DealTerms.japan_2025(),
        fees=fee_options[fee],
        name="Ohio gas power (SB Energy)",
        sources=("Japan funds 100% through a 50/50 US-Japan SPV: FT 19 Mar 2026",),
    )
