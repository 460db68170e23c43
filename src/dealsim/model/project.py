"""The physical and economic description of one asset.

:class:`Project` is a frozen value object: it holds base-case numbers only (no
arrays, no randomness). :func:`dealsim.build_cashflows` turns it, together with
scenario factors, into annual cash-flow line items.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, Literal

from dealsim.common import serial as _serial
from dealsim.common import validate as v
from dealsim.errors import InvalidParameterError

__all__ = ["CapacityUnit", "Project"]

#: The latest ``first_year``: a grid of up to 1000 years (``finance.cashflows.MAX_HORIZON``)
#: and its funding calendar must stay within the dates Python and numpy know (to 9999).
MAX_FIRST_YEAR = 3000

#: The most fuel per output unit: 1e6 (for power MMBtu/MWh: a heat rate of 1e9 Btu/kWh,
#: against about 6,000 to 15,000 for real plants).
INTENSITY_MAX = 1e6

CapacityUnit = Literal["MW", "bbl/d", "t/yr"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Project(_serial.Plain):
    """One asset: what it costs, when it is built, what it produces and sells.

    All money is nominal US dollars; periods are calendar years on an annual grid
    whose index 0 is ``first_year`` (the first year of construction spending).

    Every number has bounds far outside any real project, chosen so that the model's
    float64 arithmetic stays finite and raises no warning (the bounds and their reasons:
    :mod:`dealsim.common.validate`): money amounts and prices at most 1e15 USD (ten
    times world GDP; a price of 1e300 overflowed the revenue's sum), the capex at least
    1e-3 (a capex of 1e-300 overflowed MOIC's division); capacities [1e-3, 1e9] of
    their unit; fuel intensity [0, 1e6]; escalations (-1, 10] (at 1e10 a cost
    escalation made inf * 0 = NaN). A combination that still overflows (a tenfold
    escalation a year for centuries) is refused by :func:`dealsim.build_cashflows`,
    naming the line.

    Parameters
    ----------
    name : str
        Label used in summaries.
    capex : float
        Base overnight capital cost estimate, USD, in [1e-3, 1e15]. Scaled by the
        ``overrun`` factor in :func:`dealsim.build_cashflows`.
    construction_years : int
        Years of construction spending in the base case (>= 1). Commercial
        operation starts in the year after construction ends.
    first_year : int
        Calendar year of the first construction spending, 1 to ``MAX_FIRST_YEAR``
        (3000).
    capacity : float
        Design capacity in ``capacity_unit``, in [1e-3, 1e9].
    capacity_unit : {"MW", "bbl/d", "t/yr"}
        Unit of ``capacity``. The output unit follows: MWh, bbl or t
        (see :attr:`output_unit`).
    utilisation : float
        Capacity factor (power) or utilisation in (0, 1]: share of the design
        output actually produced in an operating year.
    price : float
        Sale price per output unit in ``first_year`` dollars (USD/MWh, USD/bbl of
        throughput, USD/t), in [0, 1e15].
    operating_life : int
        Operating years from commercial operation (>= 1).
    spend_profile : tuple of float, optional
        Share of capex spent in each construction year; ``construction_years``
        non-negative shares summing to 1. Default: even spending.
    price_escalation : float
        Annual escalation of ``price`` from ``first_year`` (decimal, in (-1, 10]).
        Default 0.
    variable_cost : float
        Non-fuel variable cost per output unit (e.g. variable O&M, USD/MWh), in
        [0, 1e15].
    fuel_intensity : float
        Fuel per output unit (for power, MMBtu/MWh = heat rate in Btu/kWh / 1000), in
        [0, 1e6].
    fuel_price : float
        USD per fuel unit in ``first_year`` (for gas, USD/MMBtu), in [0, 1e15].
    fuel_escalation : float
        Annual escalation of ``fuel_price``, in (-1, 10]. Default 0.
    fixed_om : float
        Fixed operating cost, USD per operating year in ``first_year`` dollars, in
        [0, 1e15].
    cost_escalation : float
        Annual escalation of ``variable_cost`` and ``fixed_om``, in (-1, 10]. Default 0.
    tax_rate : float
        Income tax rate in [0, 1) on operating margin less fees and straight-line
        depreciation (no loss carry-forward). Default 0.
    depreciation_years : int, optional
        Straight-line tax depreciation period from commercial operation.
        Default: ``operating_life``.
    reference_class : str, optional
        Cost-overrun reference class (a key of
        :data:`dealsim.montecarlo.uncertainty.REFERENCE_CLASSES`, e.g. ``"nuclear"``,
        ``"fossil_thermal"``) used by :func:`dealsim.simulate` when no uncertainties
        are given. Default ``None``: all electricity projects.
    sources, assumptions : tuple of str
        Citations for the numbers, and the numbers that are assumptions.

    Raises
    ------
    InvalidParameterError
        If a field is out of its domain; the message names the field.

    Examples
    --------
    >>> p = Project(name="toy", capex=100.0, construction_years=1, first_year=2026,
    ...             capacity=1.0, capacity_unit="t/yr", utilisation=1.0, price=30.0,
    ...             operating_life=5)
    >>> p.output_per_year, p.output_unit, p.spend_profile
    (1.0, 't', (1.0,))
    >>> Project(name="bad", capex=-1.0, construction_years=1, first_year=2026,
    ...         capacity=1.0, capacity_unit="t/yr", utilisation=1.0, price=1.0,
    ...         operating_life=5)
    Traceback (most recent call last):
    ...
    dealsim.errors.InvalidParameterError: capex must be in [0.001, 1e+15] (USD); got -1.0
    """

    UNITS: ClassVar[dict[str, tuple[float, str]]] = {
        "MW": (8760.0, "MWh"),
        "bbl/d": (365.0, "bbl"),
        "t/yr": (1.0, "t"),
    }

    name: str
    capex: float
    construction_years: int
    first_year: int
    capacity: float
    capacity_unit: CapacityUnit
    utilisation: float
    price: float
    operating_life: int
    spend_profile: tuple[float, ...] | None = None
    price_escalation: float = 0.0
    variable_cost: float = 0.0
    fuel_intensity: float = 0.0
    fuel_price: float = 0.0
    fuel_escalation: float = 0.0
    fixed_om: float = 0.0
    cost_escalation: float = 0.0
    tax_rate: float = 0.0
    depreciation_years: int | None = None
    reference_class: str | None = None
    sources: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        v.text("name", self.name)
        def keep(name: str, value: object) -> None:  # store the validated number
            object.__setattr__(self, name, value)

        keep("capex", v.bounded("capex", self.capex, v.MONEY_MIN, v.MONEY_MAX, why="USD"))
        keep("construction_years",
             v.integer("construction_years", self.construction_years, minimum=1))
        keep("first_year", v.integer("first_year", self.first_year, minimum=1,
                                     maximum=MAX_FIRST_YEAR))
        keep("capacity", v.bounded("capacity", self.capacity, v.CAPACITY_MIN, v.CAPACITY_MAX))
        if self.capacity_unit not in self.UNITS:
            raise InvalidParameterError(
                f"capacity_unit must be one of {sorted(self.UNITS)}; got {self.capacity_unit!r}"
            )
        keep("utilisation", v.fraction("utilisation", self.utilisation))
        for name in ("price", "variable_cost", "fuel_price", "fixed_om"):
            keep(name, v.bounded(name, getattr(self, name), 0.0, v.MONEY_MAX))
        keep("fuel_intensity", v.bounded("fuel_intensity", self.fuel_intensity, 0.0,
                                         INTENSITY_MAX))
        for name in ("price_escalation", "fuel_escalation", "cost_escalation"):
            keep(name, v.bounded(name, getattr(self, name), -1.0, v.RATE_MAX, low_open=True))
        keep("operating_life", v.integer("operating_life", self.operating_life, minimum=1))
        keep("tax_rate", v.fraction("tax_rate", self.tax_rate, allow_zero=True, allow_one=False))
        if self.depreciation_years is None:
            keep("depreciation_years", int(self.operating_life))
        keep("depreciation_years",
             v.integer("depreciation_years", self.depreciation_years, minimum=1))
        object.__setattr__(self, "spend_profile", self._checked_profile())
        if self.reference_class is not None:
            from dealsim.common.facts import REFERENCE_CLASS_FIGURES as classes  # light: no scipy

            if not isinstance(self.reference_class, str) or (
                    self.reference_class not in classes):
                raise InvalidParameterError(
                    f"reference_class must be None or one of {sorted(classes)}; "
                    f"got {self.reference_class!r}")
        keep("sources", v.strings("sources", self.sources))
        keep("assumptions", v.strings("assumptions", self.assumptions))

    def _checked_profile(self) -> tuple[float, ...]:
        n = int(self.construction_years)
        if self.spend_profile is None:
            return (1.0 / n,) * n
        arr = v.numeric_array("spend_profile", self.spend_profile)
        if arr.ndim != 1:
            raise InvalidParameterError(
                f"spend_profile must be a flat sequence of shares; got {self.spend_profile!r}")
        prof = tuple(float(x) for x in arr)
        if len(prof) != n:
            raise InvalidParameterError(
                f"spend_profile must have construction_years={n} entries; got {len(prof)}"
            )
        if any(not math.isfinite(x) or x < 0 for x in prof) or not math.isclose(
            sum(prof), 1.0, rel_tol=0.0, abs_tol=1e-9
        ):
            raise InvalidParameterError(
                "spend_profile must be non-negative shares summing to 1; "
                f"got {self.spend_profile!r}"
            )
        return prof

    @property
    def output_unit(self) -> str:
        """Unit of annual output: ``"MWh"``, ``"bbl"`` or ``"t"``."""
        return self.UNITS[self.capacity_unit][1]

    @property
    def output_per_year(self) -> float:
        """Base-case output in an operating year: capacity x unit-hours x utilisation."""
        return self.capacity * self.UNITS[self.capacity_unit][0] * self.utilisation

    @property
    def base_horizon(self) -> int:
        """Years on the grid with no delay: construction plus operating life."""
        return int(self.construction_years) + int(self.operating_life)

    @classmethod
    def power_plant(
        cls,
        *,
        name: str,
        capex: float,
        capacity_mw: float,
        heat_rate: float,
        gas_price: float,
        power_price: float,
        capacity_factor: float,
        variable_om: float,
        fixed_om_per_kw_year: float,
        construction_years: int,
        first_year: int,
        operating_life: int,
        **kwargs: object,
    ) -> Project:
        """Build a fuel-burning power plant from the units engineers quote.

        Parameters
        ----------
        heat_rate : float
            Btu per kWh (EIA convention), in [0, 1e9]; fuel intensity is
            ``heat_rate / 1000`` MMBtu/MWh.
        gas_price : float
            USD per MMBtu.
        power_price : float
            USD per MWh.
        variable_om : float
            USD per MWh.
        fixed_om_per_kw_year : float
            USD per kW of capacity per year; ``fixed_om`` becomes
            ``fixed_om_per_kw_year * capacity_mw * 1000``.
        **kwargs
            Any other :class:`Project` field (escalations, tax, sources, ...).

        Examples
        --------
        >>> p = Project.power_plant(name="CC", capex=1e9, capacity_mw=1000, heat_rate=6226,
        ...     gas_price=3.5, power_price=60, capacity_factor=0.6, variable_om=3.57,
        ...     fixed_om_per_kw_year=12.7, construction_years=3, first_year=2026,
        ...     operating_life=30)
        >>> round(p.fuel_intensity, 3), p.fixed_om, round(p.output_per_year)
        (6.226, 12700000.0, 5256000)
        """
        v.bounded("heat_rate", heat_rate, 0.0, 1e3 * INTENSITY_MAX, why="Btu/kWh")
        v.bounded("fixed_om_per_kw_year", fixed_om_per_kw_year, 0.0, v.MONEY_MAX)
        v.bounded("capacity_mw", capacity_mw, v.CAPACITY_MIN, v.CAPACITY_MAX)
        return cls(
            name=name,
            capex=capex,
            construction_years=construction_years,
            first_year=first_year,
            capacity=capacity_mw,
            capacity_unit="MW",
            utilisation=capacity_factor,
            price=power_price,
            operating_life=operating_life,
            variable_cost=variable_om,
            fuel_intensity=heat_rate / 1000.0,
            fuel_price=gas_price,
            fixed_om=fixed_om_per_kw_year * capacity_mw * 1000.0,
            **kwargs,  # type: ignore[arg-type]
        )
