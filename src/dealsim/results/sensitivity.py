"""Sensitivity views of a run: :class:`TornadoBar` and the conditional bars (mean output
where an input lies in its lowest decile against its highest, with standard errors).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from dealsim.common.outputs import OUTPUT_TABLE

__all__ = ["INPUT_UNITS", "MIN_CONDITIONAL_ROWS", "OUTPUT_UNITS", "PATH_MEASURES",
           "TORNADO_METHODS", "TornadoBar", "conditional_bars"]

F64 = NDArray[np.float64]

#: Units of the drawn inputs and kept paths (``to_pandas`` attrs, tornado bars).
INPUT_UNITS: dict[str, str] = {
    "overrun": "x (capex factor)", "delay": "years", "capacity": "share of target",
    "price": "x (price factor)", "fuel": "x (fuel-price factor)",
    "utilisation": "x (utilisation factor)", "deemed_rate": "1/year", "usdjpy": "JPY per USD",
    "investor": "USD", "balance": "USD",
}

#: Units of the outputs a tornado bar reports (stored values, unscaled).
OUTPUT_UNITS: dict[str, str] = {
    **{o.name: o.unit for o in OUTPUT_TABLE if o.unit},
    "p_fund_better": "probability", "mean_advantage": "USD",
}


#: Units of the threat parameters a fund-or-decline tornado swings.
TARIFF_INPUT_UNITS: dict[str, str] = {
    "rate_increase": "tariff increase (decimal: 0.1 = +10 points)", "probability": "probability",
    "volume_response": "x", "lost_value_share": "decimal", "usdjpy": "JPY per USD",
    "reallocation": "decimal (share of capex)", "duration": "years", "share_borne": "decimal",
}


#: What a tornado bar of each method is (:meth:`SimulationResult.tornado`).
TORNADO_METHODS: dict[str, str] = {
    "deterministic": "the input at its P10 and its P90, every other input at its median, "
                     "through the deterministic model (a path factor held at that level "
                     "for the whole grid: a persistent shift)",
    "conditional": "mean of the output over the run's scenarios whose input is at or "
                   "below its P10, and at or above its P90 (a path factor's input: its "
                   "path's mean over the operating years; the deemed rate's: over "
                   "construction and operation)",
}


#: What a conditional tornado bar ranks each market path by (:mod:`dealsim.model.market`).
PATH_MEASURES: dict[str, str] = {
    "price": "mean over the operating years",
    "fuel": "mean over the operating years",
    "usdjpy": "mean over the operating years",
    "deemed_rate": "mean over construction and operation",
}


#: Fewest scenarios a conditional bar is computed from (10 in each decile tail): an
#: assumption about the least a tail mean should rest on.
MIN_CONDITIONAL_ROWS = 100


@dataclass(frozen=True, slots=True)
class TornadoBar:
    """One uncertainty's bar: the outputs at its low and high end.

    Attributes
    ----------
    name : str
        The uncertainty.
    low_input, high_input : float
        Its P10 and P90: of the drawn level (``measure="level"``) or of the path
        summary named by ``measure``.
    low, high : dict of str to float
        Output values at the two ends (see ``method``).
    method : {"deterministic", "conditional"}
        How the ends were computed (:data:`TORNADO_METHODS`).
    measure : str
        What the input values measure: ``"level"`` (the scenario's draw), or for a
        path factor of a conditional bar the path summary it was ranked by.
    n_low, n_high : int
        Scenarios in the low and high tail (conditional bars; 0 otherwise).
    low_se, high_se : dict of str to float
        Standard errors of the tail means (conditional bars; empty otherwise).
    """

    name: str
    low_input: float
    high_input: float
    low: dict[str, float]
    high: dict[str, float]
    method: str = "deterministic"
    measure: str = "level"
    n_low: int = 0
    n_high: int = 0
    low_se: dict[str, float] = field(default_factory=dict)
    high_se: dict[str, float] = field(default_factory=dict)

    @property
    def units(self) -> dict[str, str]:
        """The unit of each output in ``low`` and ``high`` (stored: USD, 1/year, ...)."""
        return {k: OUTPUT_UNITS.get(k, "") for k in self.low}

    @property
    def input_unit(self) -> str:
        """The unit of ``low_input`` and ``high_input``."""
        return INPUT_UNITS.get(self.name, TARIFF_INPUT_UNITS.get(self.name, ""))

    def swing(self, output: str) -> float:
        """``|output(high end) - output(low end)|`` (NaN if either is undefined)."""
        return abs(self.high[output] - self.low[output])


def conditional_bars(
    inputs: Mapping[str, F64], outputs: Mapping[str, F64], *,
    measures: Mapping[str, str] | None = None, low: float = 0.10, high: float = 0.90,
) -> tuple[TornadoBar, ...]:
    """Tornado bars from a sample: the outputs' means over each input's two tails.

    Parameters
    ----------
    inputs : mapping of str to ndarray (m_j,)
        Per input, its value in the first ``m_j`` scenarios (a level draw or a path
        summary); inputs that do not vary get no bar.
    outputs : mapping of str to ndarray (n,)
        Per output, its value in every scenario (``n >= m_j``); NaNs are left out.
    measures : mapping of str to str, optional
        What each input measures (default ``"level"``).
    low, high : float
        Tail quantiles (default the deciles).

    Returns
    -------
    tuple of TornadoBar
        ``method="conditional"``; ``low[o] = mean(o | x <= Q(low))``, ``high[o] =
        mean(o | x >= Q(high))`` with their standard errors ``s / sqrt(m)``.

    Notes
    -----
    Ties (a delay of whole years, a capacity point mass) fall wholly in a tail, so a
    tail may hold more than ``low * m`` scenarios; its bar then compares the same
    ends as the deterministic bar (an input equal to its P10 or P90).

    Examples
    --------
    >>> x = np.arange(1000.0)
    >>> bar, = conditional_bars({"x": x}, {"y": 2 * x})
    >>> bar.low["y"] < bar.high["y"], bar.n_low, bar.n_high
    (True, 100, 100)
    """
    bars = []
    for name, x in inputs.items():
        x = np.asarray(x, dtype=np.float64)
        if x.size == 0 or np.ptp(x) == 0:
            continue
        q_lo, q_hi = (float(q) for q in np.quantile(x, [low, high]))
        ends = (x <= q_lo, x >= q_hi)
        means: tuple[dict[str, float], dict[str, float]] = ({}, {})
        ses: tuple[dict[str, float], dict[str, float]] = ({}, {})
        for out, y in outputs.items():
            y = np.asarray(y, dtype=np.float64)[: x.size]
            for k, mask in enumerate(ends):
                vals = y[mask & ~np.isnan(y)]
                means[k][out] = float(vals.mean()) if vals.size else math.nan
                ses[k][out] = (float(vals.std(ddof=1)) / math.sqrt(vals.size)
                               if vals.size > 1 else math.nan)
        bars.append(TornadoBar(
            name=name, low_input=q_lo, high_input=q_hi, low=means[0], high=means[1],
            method="conditional", measure=(measures or {}).get(name, "level"),
            n_low=int(ends[0].sum()), n_high=int(ends[1].sum()),
            low_se=ses[0], high_se=ses[1]))
    return tuple(bars)
