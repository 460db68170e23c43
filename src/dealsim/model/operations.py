"""How the plant is run and what its schedule costs: dispatch, delays, end of life, tax.

:class:`Operations` holds the owner's-eye choices a cash-flow model must make. The
defaults are what an owner, a lender or a ministry analyst would model; each
is labelled, and :meth:`Operations.legacy` keeps the levels model of earlier versions
(must-run, free delays, tax on the SPV's margin, calls on the annual grid) to reproduce
earlier figures:

``dispatch``
    ``"economic"`` (default): a plant runs a year only where the price covers fuel and
    variable O&M; otherwise its output is 0 and fixed O&M continues. At a zero power
    price it is an idle plant. ``"must_run"`` (right for nuclear baseload; the SMR
    preset uses it): the plant runs every operating year whatever it loses.
``mothball_after``
    With economic dispatch, after this many consecutive idle years the plant is
    mothballed for good: no output, fixed O&M falls to ``mothball_fixed_share`` of
    itself. ``None`` (default): never. Both assumptions.
``delay_escalation`` and ``delay_cost``
    A delay stretches the spending curve. Without ``delay_escalation`` (the legacy
    model) it spends the same nominal total later, so in present value a delay makes
    capex *cheaper*. With it (default) the spend deferred by a delay escalates at the
    project's cost escalation for the time it is deferred, and ``delay_cost`` (share of
    capex per year of delay: owner's costs, extended site overheads; default 2%, an
    assumption) is spent evenly over the stretched construction.
``end_of_life``
    Share of capex received (terminal value, > 0) or paid (decommissioning, < 0) in
    the last operating year, escalated at the cost escalation; split like other cash.
``funding``
    ``"as_spent"`` (default), ``"upfront"`` or ``"grid"`` (legacy): the MOU funding
    calendar (:mod:`dealsim.finance.capital_calls`), the Deemed Allocation accruing from
    funding days.
``tax``
    ``"investor_share"`` (default): pass-through. The SPV pays no entity tax and
    distributes its cash before tax; the US government's side pays no US tax, and Japan
    owes ``tax_rate`` on its distributive share of the SPV's taxable income, out of its
    own receipts (an assumption: the MOU says "net of US taxes" without a base). Japan's
    share of a year's income is its share of that year's distributions: ``share_before``
    (50%) while the Deemed Allocation is outstanding, ``share_after`` (10%) after it is
    recovered, a blend in the year it is (in a year with nothing to distribute, the tier
    in force). The Deemed Allocation counts what the SPV distributes to Japan, before
    Japan's tax; Japan's flows, IRR, MOIC and NPV are after it; the US side's flows do
    not depend on the tax rate. In :func:`dealsim.evaluate`'s line items ``tax`` is
    Japan's tax and ``net`` the cash after it.
    ``"spv_margin"`` (legacy): entity level, ``tax_rate`` on the SPV's whole margin,
    paid by the SPV before the split (so both sides bear it in the split's shares).
    ``"none"``: no tax.

    Taxable income (either base) is the year's margin less fees and straight-line
    depreciation from commercial operation. A loss year pays no tax and its loss is not
    carried forward, nor (pass-through) set against Japan's other income: each year is
    taxed on ``max(income, 0)`` alone (an assumption, conservative for the investor).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from dealsim.common import validate as v
from dealsim.errors import InvalidParameterError

__all__ = ["DISPATCH", "FUNDING", "TAX_BASES", "Operations", "delay_spend_table"]

F64 = NDArray[np.float64]

#: Allowed values of ``Operations.dispatch``.
DISPATCH: tuple[str, ...] = ("must_run", "economic")
#: Allowed values of ``Operations.funding``.
FUNDING: tuple[str, ...] = ("grid", "as_spent", "upfront")
#: Allowed values of ``Operations.tax``.
TAX_BASES: tuple[str, ...] = ("spv_margin", "investor_share", "none")


@dataclass(frozen=True, slots=True, kw_only=True)
class Operations:
    """Dispatch, delay costs, end of life and tax base of a deal (module notes).

    Parameters
    ----------
    dispatch : {"economic", "must_run"}
    mothball_after : int or None
        Consecutive idle years (>= 1) after which the plant is mothballed.
    mothball_fixed_share : float
        Share of fixed O&M a mothballed plant still pays, in [0, 1]. Default 0.2
        (assumption: security, insurance, property tax of a cold plant).
    delay_escalation : bool
        Deferred spend escalates at the cost escalation (default True).
    delay_cost : float
        Share of capex per year of delay (>= 0). Default 0.02 (assumption).
    end_of_life : float
        Terminal value (> 0) or decommissioning cost (< 0), share of capex (> -1).
    tax : {"investor_share", "spv_margin", "none"}
        Who pays the US tax and on what (module notes): ``"investor_share"`` (default,
        pass-through: Japan on its distributive share), ``"spv_margin"`` (entity level:
        the SPV on its whole margin) or ``"none"``.
    funding : {"as_spent", "upfront", "grid"}
        When Japan's money arrives (:mod:`dealsim.finance.capital_calls`). ``"as_spent"``
        (default): quarterly notices, funded 45 US business days later, the allocation
        accruing from each funding day. ``"upfront"``: every construction call funded
        at once on the 45th business day after the notice of the project's first call
        (tranche 1's 17 Feb 2026 notice for a 2026 start), later calls as spent.
        ``"grid"`` (legacy): each year's call at the year's end, no deemed interest
        within the year.

    Examples
    --------
    >>> Operations().dispatch, Operations().funding
    ('economic', 'as_spent')
    >>> Operations.legacy().dispatch, Operations.legacy().funding
    ('must_run', 'grid')
    >>> Operations(dispatch="sometimes")
    Traceback (most recent call last):
    ...
    dealsim.errors.InvalidParameterError: dispatch must be one of ('must_run', \
'economic'); got 'sometimes'
    """

    dispatch: Literal["must_run", "economic"] = "economic"
    mothball_after: int | None = None
    mothball_fixed_share: float = 0.2
    delay_escalation: bool = True
    delay_cost: float = 0.02
    end_of_life: float = 0.0
    tax: Literal["spv_margin", "investor_share", "none"] = "investor_share"
    funding: Literal["grid", "as_spent", "upfront"] = "as_spent"

    def __post_init__(self) -> None:
        if self.funding not in FUNDING:
            raise InvalidParameterError(
                f"funding must be one of {FUNDING}; got {self.funding!r}")
        if self.dispatch not in DISPATCH:
            raise InvalidParameterError(
                f"dispatch must be one of {DISPATCH}; got {self.dispatch!r}")
        if self.tax not in TAX_BASES:
            raise InvalidParameterError(f"tax must be one of {TAX_BASES}; got {self.tax!r}")
        if self.mothball_after is not None:
            object.__setattr__(self, "mothball_after",
                               v.integer("mothball_after", self.mothball_after, minimum=1))
            if self.dispatch != "economic":
                raise InvalidParameterError(
                    "mothball_after needs dispatch='economic' (a must-run plant is never "
                    f"idle); got mothball_after={self.mothball_after!r}")
        object.__setattr__(self, "mothball_fixed_share",
                           v.fraction("mothball_fixed_share", self.mothball_fixed_share,
                                      allow_zero=True))
        if not isinstance(self.delay_escalation, bool):
            raise InvalidParameterError(
                f"delay_escalation must be True or False; got {self.delay_escalation!r}")
        object.__setattr__(self, "delay_cost",
                           v.positive("delay_cost", self.delay_cost, allow_zero=True))
        eol = v.finite("end_of_life", self.end_of_life)
        if eol <= -1.0:
            raise InvalidParameterError(f"end_of_life must be > -1 (share of capex); got {eol!r}")
        object.__setattr__(self, "end_of_life", eol)

    @property
    def is_default(self) -> bool:
        """True when nothing differs from the defaults (the owner's model)."""
        return self == Operations()

    @classmethod
    def legacy(cls) -> Operations:
        """The levels model of earlier versions: must-run, delays free (the same
        nominal spend, later), tax on the SPV's whole margin, calls on the annual grid.
        For reproducing earlier figures, not for new analysis.

        Examples
        --------
        >>> Operations.legacy().delay_cost, Operations.legacy().tax
        (0.0, 'spv_margin')
        """
        return cls(dispatch="must_run", delay_escalation=False, delay_cost=0.0,
                   tax="spv_margin", funding="grid")

    def tax_share(self, share_before: float) -> float:
        """Share of the SPV's margin in the tax line of the cash flows: 1, or 0 for
        ``tax="none"``.

        With ``"investor_share"`` (pass-through) that line is the base of the investor's
        own tax: the split adds it back and charges the investor its distributive share
        (module notes), so the share no longer depends on ``share_before`` (kept for
        callers that pass it).

        Examples
        --------
        >>> Operations(tax="investor_share").tax_share(0.5), Operations(tax="none").tax_share(0.5)
        (1.0, 0.0)
        """
        return 0.0 if self.tax == "none" else 1.0

    @classmethod
    def owner(cls, *, thermal: bool = True) -> Operations:
        """The defaults, with baseload dispatch for a plant that is not thermal
        (``thermal=False``: nuclear). Mothballing and end of life stay off (no source).

        Examples
        --------
        >>> Operations.owner() == Operations()
        True
        >>> Operations.owner(thermal=False).dispatch
        'must_run'
        """
        return cls(dispatch="economic" if thermal else "must_run")


def delay_spend_table(profile: tuple[float, ...], max_delay: int, horizon: int, *,
                      escalation: float, delay_cost: float) -> F64:
    """Spend per year as a share of capex, one row per whole-year delay.

    Row ``d`` stretches the planned cumulative spending curve over ``n + d`` years (the
    legacy model) and then (i) escalates year ``t``'s spend by ``(1 + escalation) ** (d (t +
    1/2) / (n + d))`` -- the work done in year ``t`` was planned ``(t + 1/2) n / (n + d)``
    years in, so it is paid ``d (t + 1/2) / (n + d)`` years late -- and (ii) adds
    ``delay_cost * d / (n + d)`` in each of the ``n + d`` years. Row 0 is the plan.

    Examples
    --------
    >>> delay_spend_table((0.5, 0.5), 1, 4, escalation=0.0, delay_cost=0.03).round(4)
    array([[0.5 , 0.5 , 0.  , 0.  ],
           [0.3433, 0.3433, 0.3433, 0.  ]])
    >>> t = delay_spend_table((1.0,), 2, 3, escalation=0.1, delay_cost=0.0)
    >>> bool(t[2].sum() > t[1].sum() > t[0].sum() == 1.0)
    True
    """
    n = len(profile)
    knots = np.linspace(0.0, 1.0, n + 1)
    cum = np.concatenate(([0.0], np.cumsum(profile)))
    cum[-1] = 1.0
    table = np.zeros((max_delay + 1, horizon))
    for d in range(max_delay + 1):
        span = n + d
        edges = np.interp(np.arange(span + 1) / span, knots, cum)
        late = d * (np.arange(span) + 0.5) / span
        table[d, :span] = np.diff(edges) * (1.0 + escalation) ** late + delay_cost * d / span
    table.setflags(write=False)
    return table
