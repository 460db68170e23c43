"""A deal: one project under one set of contract terms, with the fees it pays, how it
is operated and the market it sells into.

:class:`Deal` is a frozen value object; :func:`dealsim.evaluate`
(:mod:`dealsim.finance.evaluation`) computes what it is worth.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from dealsim.common import baselines as _baselines
from dealsim.common import names as _names
from dealsim.common import serial as _serial
from dealsim.common import validate as v
from dealsim.common.display import Row, html_table, short_repr
from dealsim.errors import InvalidParameterError
from dealsim.model.fees import DeveloperFee
from dealsim.model.market import Market
from dealsim.model.operations import Operations
from dealsim.model.project import Project
from dealsim.model.terms import DealTerms

__all__ = ["DRAW_FACTORS", "REPORT_ONLY", "Deal"]

#: Standard uncertainty names (see :mod:`dealsim.montecarlo.uncertainty`) and the
#: :func:`evaluate` keyword each one drives; :data:`REPORT_ONLY` names are drawn for
#: reporting only. Any other name is refused (:func:`dealsim.common.names.check_names`).
DRAW_FACTORS = _names.DRAW_FACTORS


REPORT_ONLY = _names.REPORT_ONLY


F64 = NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class Deal(_serial.Plain):
    """One project under one set of contract terms, with the fees it pays.

    Parameters
    ----------
    project : Project
        The asset.
    terms : DealTerms
        How net cash is split between investor (Japan) and host (US).
    fees : tuple of DeveloperFee
        Contingent fees paid as project costs ahead of the split.
    discount_rate : float, optional
        Rate for the NPVs, in [-0.5, 10] (far outside any real rate; near -1 the
        factor ``1 / (1 + r)`` a year overflowed the NPV to inf). Default ``None``: the
        deemed rate in force, so that the investor's NPV is positive exactly when it
        earns more than its deemed interest (a labelled choice: the MOU names no
        discount rate). NPVs are values at the end of the first year (31 Dec of
        ``project.first_year``, the first period undiscounted); a call funded during that
        year is carried forward to it, ``(1 + r) ** tau`` for the ``tau`` years from its
        funding day, so at a high rate the investor's NPV can exceed the capex in
        size (at 9.9, about 1.3x for Ohio).
    name : str, optional
        Label; defaults to the project's name.
    sources : tuple of str
        Citations for the deal as a whole.
    operations : Operations
        Dispatch, delay costs, end of life and tax base (:mod:`dealsim.model.operations`).
        Default ``Operations()``: the owner's model (economic dispatch, delays that
        cost, tax on the investor's share, calls funded as spent on the MOU calendar);
        ``Operations.legacy()`` is the levels model of earlier versions.
    market : Market
        Path models of the Monte Carlo's market factors (:mod:`dealsim.model.market`).
        Default ``Market.paths()``: annual power and fuel paths (rank correlation
        0.7, the gas-marginal assumption), a floating deemed rate on a term-SOFR path
        and a USD/JPY walk, each starting at the scenario's level draw. ``Market()``
        is one level per scenario (full persistence). Paths apply to
        :func:`simulate` (and the other runners); :func:`evaluate` takes the factors
        it is given.

    Raises
    ------
    InvalidParameterError
        If a field has the wrong type, or a fee's installments outlast the operating life.
    """

    project: Project
    terms: DealTerms
    fees: tuple[DeveloperFee, ...] = ()
    discount_rate: float | None = None
    name: str = ""
    sources: tuple[str, ...] = field(default=())
    operations: Operations = field(default_factory=Operations)
    market: Market = field(default_factory=Market.paths)

    def __post_init__(self) -> None:
        if not isinstance(self.project, Project):
            raise InvalidParameterError(f"project must be a Project; got {self.project!r}")
        if not isinstance(self.terms, DealTerms):
            raise InvalidParameterError(f"terms must be a DealTerms; got {self.terms!r}")
        if not isinstance(self.fees, (tuple, list)):
            raise InvalidParameterError(
                f"fees must be a tuple of DeveloperFee objects; got {self.fees!r}")
        object.__setattr__(self, "fees", tuple(self.fees))
        v.text("name", self.name)
        object.__setattr__(self, "sources", v.strings("sources", self.sources))
        for fee in self.fees:
            if not isinstance(fee, DeveloperFee):
                raise InvalidParameterError(f"fees must hold DeveloperFee objects; got {fee!r}")
            if fee.span > self.project.operating_life:
                raise InvalidParameterError(
                    f"fees: {fee.name!r} runs {fee.span} years after commercial operation, "
                    f"beyond operating_life={self.project.operating_life}"
                )
        if self.discount_rate is not None:
            object.__setattr__(self, "discount_rate", v.bounded(
                "discount_rate", self.discount_rate, v.DISCOUNT_MIN, v.RATE_MAX))
        if not isinstance(self.operations, Operations):
            raise InvalidParameterError(
                f"operations must be an Operations; got {self.operations!r}")
        if not isinstance(self.market, Market):
            raise InvalidParameterError(f"market must be a Market; got {self.market!r}")
        if not self.name:
            object.__setattr__(self, "name", self.project.name)

    def __repr__(self) -> str:
        p, t = self.project, self.terms
        return short_repr(
            "Deal", self.name, capex=f"{p.capex / 1e9:g} bn USD",
            capacity=f"{p.capacity:g} {p.capacity_unit}", first_year=p.first_year,
            terms=f"{t.reading}, deemed rate {t.deemed_rate:.2%}", fees=len(self.fees),
            market="levels" if self.market.is_levels else "paths")

    def _rows(self) -> list[Row]:
        p, t = self.project, self.terms
        return [
            Row("capex", "capital cost (base, before overruns)", p.capex, unit="USD"),
            Row("capacity", "capacity", p.capacity, unit=p.capacity_unit),
            Row("first_year", "first construction year", p.first_year, unit="year"),
            Row("construction_years", "construction", p.construction_years, unit="years"),
            Row("operating_life", "operating life", p.operating_life, unit="years"),
            Row("price", "price (base year)", p.price, unit="USD per unit of output"),
            Row("deemed_rate", "deemed rate", t.deemed_rate, unit="1/year"),
            Row("share_before", "Japan's share before the deemed allocation is recovered",
                t.share_before, unit="decimal"),
            Row("share_after", "Japan's share after", t.share_after, unit="decimal"),
        ]

    def _repr_html_(self) -> str:
        changed = _baselines.changes(self.name, self.to_dict())
        notes = [f"{len(self.fees)} developer fee(s); {self.terms.reading} reading; market: "
                 + ("one level per scenario" if self.market.is_levels else "paths")]
        if changed:
            notes.append("changed from the preset: " + ", ".join(
                f"{k} = {new!r} (preset {old!r})" for k, (old, new) in changed.items()))
        return html_table("Deal", self.name, {}, self._rows(), notes)
