"""Reference cases: built projects whose published budgets moved, for calibrating overruns.

A :class:`ReferenceCase` carries the published before/after figures (budget, power
price, delay) and, as ``.deal``, the plant as it was planned, modelled with the same
:class:`dealsim.Project` machinery as the deals (and the MOU terms, as a what-if).
"""

from __future__ import annotations

import math
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dealsim.errors import InvalidParameterError
from dealsim.model.deal import Deal
from dealsim.model.project import Project
from dealsim.model.terms import DealTerms
from dealsim.montecarlo.uncertainty import REFERENCE_CLASSES, LogNormal
from dealsim.presets.deals import EIA_SMR, _deal, _eia_plant, _preset_doc

__all__ = ["ReferenceCase", "nuscale_cfpp", "vogtle_3_4"]

#: EIA AEO2026 Table 3, large LWR (AP1000 class): $8,255/kW, 10,445 Btu/kWh, fixed O&M
#: $163/kW-yr, variable O&M $2.62/MWh, capacity factor 0.92, 60-year life (``docs/sources.md`` §6).
EIA_LWR = {"heat_rate": 10445.0, "fixed_om": 163.0, "variable_om": 2.62,
           "capacity_factor": 0.92, "life": 60}


@dataclass(frozen=True, slots=True, kw_only=True)
class ReferenceCase:
    """A project whose published cost estimate rose, with its before/after figures.

    Attributes
    ----------
    name : str
        The project's short name, e.g. ``"NuScale CFPP"``.
    deal : Deal
        The plant as planned (``budget_before``), under the MOU terms as a what-if.
    capacity_mw : float
    budget_before, budget_after : float
        Published cost estimates, USD (``budget_after`` may be a lower bound, e.g.
        Vogtle's "> $35bn").
    price_before, price_after : float or None
        Published target power prices, USD/MWh, where there are any.
    delay_years : float or None
        Published delay against the original schedule (None when not published).
    subsidies : mapping of str to float
        Published subsidies (USD, or USD/MWh where the key says so).
    """

    name: str
    deal: Deal
    capacity_mw: float
    budget_before: float
    budget_after: float
    price_before: float | None = None
    price_after: float | None = None
    delay_years: float | None = None
    subsidies: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("capacity_mw", "budget_before", "budget_after"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise InvalidParameterError(f"{name} must be finite and > 0; got {value!r}")
        object.__setattr__(self, "subsidies", types.MappingProxyType(dict(self.subsidies)))

    @property
    def overrun_factor(self) -> float:
        """``budget_after / budget_before``."""
        return self.budget_after / self.budget_before

    @property
    def price_factor(self) -> float | None:
        """``price_after / price_before`` (None when no prices were published)."""
        if self.price_before is None or self.price_after is None:
            return None
        return self.price_after / self.price_before

    def overrun_distribution(
        self, quantile: float = 0.5, *, sigma: float | None = None
    ) -> LogNormal:
        """A lognormal overrun factor that puts this case's overrun at ``quantile``.

        Parameters
        ----------
        quantile : float
            Where the case's ``overrun_factor`` sits, in (0, 1). Default 0.5: the case
            is the typical outcome.
        sigma : float, optional
            Log-scale dispersion; default the nuclear reference class's (0.54, itself a
            labelled assumption in :data:`dealsim.montecarlo.uncertainty.REFERENCE_CLASSES`).

        Returns
        -------
        LogNormal

        Notes
        -----
        A fixed sigma is used rather than a fixed mean: placing NuScale's x1.755 at the
        P90 of a lognormal with the nuclear class's mean 2.2 needs an implausibly
        skewed distribution, whereas x1.755 at the median with sigma 0.54 gives a
        mean of x2.03, close to the class's x2.2.

        Examples
        --------
        >>> d = nuscale_cfpp().overrun_distribution()
        >>> round(d.median, 3), round(d.mean, 2)
        (1.755, 2.03)
        """
        s = REFERENCE_CLASSES["nuclear"].sigma if sigma is None else sigma
        return LogNormal.calibrated(
            self.overrun_factor, quantile, sigma=s,
            source=f"assumption: {self.name} overrun x{self.overrun_factor:.3f} placed at "
                   f"quantile {quantile:g}, log-sd {s:g}",
        )


def _nuclear_project(row: Mapping[str, float], **fields: Any) -> Project:
    """A nuclear plant with the O&M and life of EIA ``row`` plus $6/MWh of fuel, its
    prices and costs escalating at 2%/yr."""
    return Project.power_plant(capacity_factor=row["capacity_factor"], price_escalation=0.02,
                               cost_escalation=0.02, **_eia_plant(row, nuclear_fuel=6.0),
                               **fields)


@_preset_doc("ReferenceCase")
def nuscale_cfpp(*, terms: DealTerms | None = None) -> ReferenceCase:
    """NuScale/UAMPS Carbon Free Power Project (Idaho National Laboratory), cancelled 2023.

    Published (IEEFA/Schlissel, Reuters; press; ``docs/sources.md`` §4-5): 6 x 77 MWe = 462 MWe;
    cost estimate $5.3bn -> $9.3bn (Jan 2023, x1.755); target power price $58 ->
    $89/MWh (2022 dollars, after more than $4bn of subsidies, x1.53); subsidies $1.355bn
    DOE cost share and an IRA production credit of $30/MWh (IEEFA; UAMPS said $25/MWh
    for 10 years); first module 2029, full operation 2030; cancelled 8 Nov 2023.

    ``.deal`` is the plant at its $5.3bn estimate selling at $58/MWh. Labelled
    assumptions: the subsidies are already in the published price (so no separate
    subsidy line); EIA SMR O&M ($128/kW-yr, $3.32/MWh + $6/MWh fuel), capacity factor
    0.90, 40-year life; 5 construction years 2025-2029 (first module 2029); no income
    tax (UAMPS is a public-power entity); 2%/yr escalation; MOU terms as a what-if.

    %(common)s

    Examples
    --------
    >>> case = nuscale_cfpp()
    >>> round(case.overrun_factor, 3), round(case.price_factor, 2), case.capacity_mw
    (1.755, 1.53, 462.0)
    >>> round(case.budget_after / case.capacity_mw / 1e3)  # $/kW, IEEFA, Jan 2023
    20130
    """
    project = _nuclear_project(
        EIA_SMR, name="NuScale/UAMPS CFPP (462 MWe)", capex=5.3e9, capacity_mw=462.0,
        power_price=58.0, construction_years=5, first_year=2025, reference_class="nuclear",
        sources=("462 MWe, $5.3bn estimate, $58/MWh target: IEEFA Jan 2023",),
        assumptions=(
            "subsidies already in the published $58/MWh price",
            "EIA SMR O&M plus $6/MWh fuel; capacity factor 0.90; 40-year life",
            "5 construction years 2025-2029; no income tax (public power); 2%/yr escalation",
        ),
    )
    return ReferenceCase(
        name="NuScale CFPP", deal=_deal("NuScale CFPP (as planned)", terms, project),
        capacity_mw=462.0, budget_before=5.3e9, budget_after=9.3e9, price_before=58.0,
        price_after=89.0, delay_years=None,
        subsidies={"doe_cost_share_usd": 1.355e9, "ira_credit_usd_per_mwh": 30.0},
    )


@_preset_doc("ReferenceCase")
def vogtle_3_4(*, terms: DealTerms | None = None) -> ReferenceCase:
    """Vogtle units 3 and 4 (Georgia, two AP1000s), completed 2023-2024.

    Published (AP, press; ``docs/sources.md`` §4-5): approved at ~$14bn in 2009, final cost
    > $35bn (so the factor x2.5 is a lower bound), seven years late. Capacity 2 x
    1,117 MWe (Westinghouse/Georgia Power, press).

    ``.deal`` is the plant at its $14bn estimate. Labelled assumptions: EIA large-LWR
    O&M ($163/kW-yr, $2.62/MWh + $6/MWh fuel), capacity factor 0.92, 60-year life;
    7 construction years from 2010 (units planned for 2016-2017); power price
    $60/MWh in 2010 dollars (regulated rate base; no market price applies); 21% tax;
    2%/yr escalation; MOU terms as a what-if.

    %(common)s

    Examples
    --------
    >>> case = vogtle_3_4()
    >>> case.overrun_factor, case.delay_years
    (2.5, 7.0)
    """
    project = _nuclear_project(
        EIA_LWR, name="Vogtle 3&4 (2 x AP1000)", capex=14e9, capacity_mw=2234.0,
        power_price=60.0, construction_years=7, first_year=2010, reference_class="nuclear",
        tax_rate=0.21,
        sources=("~$14bn approved 2009: AP",
                 "2 x 1,117 MWe AP1000: Westinghouse/Georgia Power (press)"),
        assumptions=(
            "EIA large-LWR O&M plus $6/MWh fuel; capacity factor 0.92; 60-year life",
            "7 construction years from 2010; power price $60/MWh (2010 $); 21% tax; "
            "2%/yr escalation",
        ),
    )
    return ReferenceCase(
        name="Vogtle 3&4", deal=_deal("Vogtle 3&4 (as approved)", terms, project),
        capacity_mw=2234.0, budget_before=14e9, budget_after=35e9, delay_years=7.0,
    )
