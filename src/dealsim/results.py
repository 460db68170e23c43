"""Per-scenario results of a Monte Carlo run, their summary and sensitivity views.

:class:`SimulationResult` holds one array of shape ``(n,)`` per output and per drawn
input; scenario ``i`` is row ``i`` of every array. Everything here is computed from
those arrays, so two results built from the same seed print the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import _validate as v
from ._engine import Collector
from ._outputs import ARRAYS, OUTPUT_TABLE, RUN_META, SUMMARISED, complete_requested
from .errors import InvalidParameterError

__all__ = [
    "INPUT_EVENTS",
    "MIN_CONDITIONAL_ROWS",
    "OUTPUTS",
    "PATH_MEASURES",
    "PROBABILITIES",
    "Probability",
    "SimulationResult",
    "Statistic",
    "Summary",
    "TORNADO_METHODS",
    "TOTAL_LOSS_IRR",
    "TornadoBar",
    "conditional_bars",
    "irr_for_statistics",
]

F64 = NDArray[np.float64]

#: Continuous outputs summarised by :meth:`SimulationResult.summary`, with the unit
#: they print in and the scale applied for printing (from :mod:`dealsim._outputs`).
OUTPUTS: dict[str, tuple[str, float]] = SUMMARISED

#: Probabilities reported by :meth:`SimulationResult.summary` and what they mean.
PROBABILITIES: dict[str, str] = {
    "p_recover_capital": "investor receives at least what it paid in (MOIC >= 1)",
    "p_recover_daa": "investor's deemed allocation (capital + deemed interest) recovered",
    "p_recover_daa_within": "deemed allocation recovered within `within_years` of first funding",
    "p_npv_negative": "investor NPV < 0 (at the deal's discount rate; default: each "
                      "scenario's deemed rate)",
    "p_fee_paid": "developer fee paid (capacity target reached)",
    "p_total_loss": "investor never receives a positive flow (MOIC 0): IRR counted as -100%",
    "p_irr_undefined": "investor IRR undefined for another reason (NaN, excluded; see "
                       "irr_status)",
}

#: Events that restate an input rather than a modelled result, with what they restate.
#: ``p_fee_paid`` is P(capacity target reached): the capacity distribution is an
#: **assumption** (:func:`dealsim.default_uncertainties`: ``PointMass(1.0, p=0.8)``).
INPUT_EVENTS: dict[str, str] = {
    "p_fee_paid": "input, not a result: P(capacity target reached) of the capacity "
                  "distribution (default PointMass(1.0, p=0.8), an assumption)",
}

#: IRR given to a scenario whose investor pays in and never receives anything (MOIC 0)
#: in every summary statistic: the limit of the IRR as receipts go to zero. ``irr``
#: itself returns NaN with ``NO_SIGN_CHANGE`` there (numpy-financial's convention).
TOTAL_LOSS_IRR = -1.0


def irr_for_statistics(irr: F64, moic: F64) -> F64:
    """IRRs as the summaries rank them: ``-1`` (-100%) where ``moic == 0``.

    Parameters
    ----------
    irr, moic : ndarray (n,)
        Per-scenario IRR (NaN where undefined) and MOIC (NaN where nothing was paid in).

    Returns
    -------
    ndarray (n,)
        ``irr`` with total losses (paid in, received nothing) set to
        :data:`TOTAL_LOSS_IRR`; other undefined IRRs stay NaN.

    Examples
    --------
    >>> irr_for_statistics(np.array([0.05, np.nan, np.nan]),
    ...                    np.array([1.2, 0.0, np.nan])).tolist()
    [0.05, -1.0, nan]
    """
    return np.where(np.asarray(moic) == 0.0, TOTAL_LOSS_IRR, irr)


@dataclass(frozen=True, slots=True)
class Statistic:
    """Distribution statistics of one output over the scenarios where it is defined.

    ``quantiles`` maps a probability (e.g. 0.05) to ``(value, low, high)``: the
    sample quantile and a distribution-free confidence interval from order
    statistics (binomial ranks). ``n_valid`` counts the values used, of which
    ``n_total_loss`` are total losses counted at -100% (investor IRR only).
    """

    name: str
    n_valid: int
    mean: float
    mean_ci: tuple[float, float]
    std: float
    quantiles: dict[float, tuple[float, float, float]]
    n_total_loss: int = 0


@dataclass(frozen=True, slots=True)
class Probability:
    """An estimated probability with its standard error ``sqrt(p (1 - p) / n)``."""

    name: str
    p: float
    se: float
    meaning: str


@dataclass(frozen=True, slots=True)
class Summary:
    """What :meth:`SimulationResult.summary` returns; ``str()`` prints it as a table.

    The table says how many total losses the investor IRR counts at -100%, labels the
    events of :data:`INPUT_EVENTS` as inputs, and prints ``p_npv_negative`` only
    inside the ``p_recover_daa`` line when it is ``1 - p_recover_daa`` (NPVs at the
    deemed rate: one fact, reported once).
    """

    title: str
    n: int
    seed: str
    sampler: str
    confidence: float
    statistics: dict[str, Statistic]
    probabilities: dict[str, Probability]
    backend: str = ""
    requested: int | None = None
    partial: bool = False

    def __post_init__(self) -> None:
        complete_requested(self)

    def to_dict(self) -> dict[str, Any]:
        """The summary as strict JSON data (``json.dumps(d, allow_nan=False)`` works).

        Returns
        -------
        dict
            ``schema_version`` (:data:`SUMMARY_SCHEMA_VERSION`); the run (``title``,
            ``n``, ``requested``, ``partial``, ``seed``, ``sampler``, ``backend``,
            ``confidence``); ``statistics``: per output its ``unit`` (of the values, which
            are unscaled: USD, 1/year, x), ``meaning``, ``n_valid``, ``mean``,
            ``mean_ci`` ``[low, high]``, ``std`` and ``quantiles`` (``"p5"`` ->
            ``{"q", "value", "low", "high"}``); ``probabilities``: per event ``p``, ``se``,
            the normal ``ci`` at ``confidence`` clipped to [0, 1], and ``meaning``.
            A value that is undefined (NaN) or infinite is ``null``, and the
            statistic's ``null_reason`` says why (otherwise ``null_reason`` is ``null``).

        Examples
        --------
        >>> import json, dealsim
        >>> from dealsim.presets import ohio_gas_power
        >>> d = dealsim.simulate(ohio_gas_power(), 500, seed=1).summary().to_dict()
        >>> d["schema_version"], d["n"], d["statistics"]["investor_npv"]["unit"]
        (1, 500, 'USD')
        >>> json.loads(json.dumps(d, allow_nan=False))["seed"]
        '1'
        """
        z = _z(self.confidence)
        stats = {}
        for name, st in self.statistics.items():
            row: dict[str, Any] = {
                "unit": _UNITS.get(name, "input"),
                "meaning": _MEANINGS.get(name, "drawn input"),
                "n_valid": st.n_valid,
                "mean": st.mean, "mean_ci": list(st.mean_ci), "std": st.std,
                "quantiles": {f"p{100 * q:g}": {"q": q, "value": val, "low": lo, "high": hi}
                              for q, (val, lo, hi) in st.quantiles.items()},
            }
            stats[name] = _strict(row, _null_reason(st, self.n))
        probs = {
            pr.name: {"p": pr.p, "se": pr.se,
                      "ci": [max(pr.p - z * pr.se, 0.0), min(pr.p + z * pr.se, 1.0)],
                      "meaning": pr.meaning}
            for pr in self.probabilities.values()
        }
        return {
            "schema_version": SUMMARY_SCHEMA_VERSION,
            "title": self.title, "n": self.n,
            "requested": self.requested,
            "partial": self.partial, "seed": self.seed, "sampler": self.sampler,
            "backend": self.backend or None, "confidence": self.confidence,
            "statistics": stats,
            "probabilities": {k: _strict(p, "undefined") for k, p in probs.items()},
        }

    def __str__(self) -> str:
        qs = next(iter(self.statistics.values())).quantiles if self.statistics else {}
        w = 19
        head = f"{'output':<24}{'mean':>{w}}{'std':>{w}}" + "".join(
            f"{'P' + format(100 * q, 'g'):>{w}}" for q in qs
        )
        lines = [
            f"dealsim Monte Carlo: {self.title}",
            f"n = {self.n:,} scenarios, seed = {self.seed}, sampler = {self.sampler}"
            + (f", backend = {self.backend}" if self.backend else "") + "; "
            f"[brackets]: {self.confidence:.0%} confidence intervals",
            head,
        ]
        if self.partial:
            lines.insert(2, f"PARTIAL: stopped early after {self.n:,} of "
                            f"{self.requested:,} scenarios (a prefix of the run)")
        for name, st in self.statistics.items():
            unit, scale = OUTPUTS.get(name, ("", 1.0))
            label = f"{name} ({unit})" if unit else name
            vals = [st.mean, st.std] + [q[0] for q in st.quantiles.values()]
            lines.append(f"{label:<24}" + "".join(f"{x * scale:>{w}.3f}" for x in vals))
            cis = [st.mean_ci, None] + [(q[1], q[2]) for q in st.quantiles.values()]
            lines.append(f"{'':<24}" + "".join(
                f"{'' if ci is None else f'[{ci[0] * scale:.3f}, {ci[1] * scale:.3f}]':>{w}}"
                for ci in cis))
            if st.n_total_loss:
                lines.append(f"{'':<24}(over {st.n_valid:,} of {self.n:,} scenarios, "
                             f"including {st.n_total_loss:,} total losses counted as -100%)")
            elif st.n_valid < self.n:
                lines.append(f"{'':<24}(defined in {st.n_valid:,} of {self.n:,} scenarios)")
        lines.append("")
        same = _npv_restates_daa(self.probabilities, self.n)
        for pr in self.probabilities.values():
            meaning = INPUT_EVENTS.get(pr.name, pr.meaning)
            if same and pr.name == "p_npv_negative":
                continue
            if same and pr.name == "p_recover_daa":
                neg = self.probabilities["p_npv_negative"].p
                meaning += (f"; p_npv_negative = 1 - this = {neg:.4f}: the same fact, as "
                            "NPVs are at the deemed rate")
            lines.append(f"{pr.name:<24}{pr.p:>8.4f} ± {pr.se:<8.2g} (s.e.)  {meaning}")
        return "\n".join(lines)


#: Version of the layout :meth:`Summary.to_dict` returns; raised on any breaking change.
SUMMARY_SCHEMA_VERSION = 1

_UNITS = {o.name: o.unit for o in OUTPUT_TABLE}
_MEANINGS = {o.name: o.meaning for o in OUTPUT_TABLE}


def _null_reason(st: Statistic, n: int) -> str:
    if st.n_valid == 0:
        return f"{st.name} is undefined (NaN) in all {n:,} scenarios"
    return f"not finite: {st.name} takes infinite values"


def _strict(value: Any, reason: str) -> Any:
    """``value`` with every non-finite float replaced by None; adds ``null_reason``."""
    found = False

    def walk(x: Any) -> Any:
        nonlocal found
        if isinstance(x, dict):
            return {k: walk(y) for k, y in x.items()}
        if isinstance(x, list | tuple):
            return [walk(y) for y in x]
        if isinstance(x, float | np.floating):
            if math.isfinite(x):
                return float(x)
            found = True
            return None
        if isinstance(x, np.integer):
            return int(x)
        return x

    out = walk(value)
    out["null_reason"] = reason if found else None
    return out


def _npv_restates_daa(probabilities: Mapping[str, Probability], n: int) -> bool:
    """Whether ``p_npv_negative`` is ``1 - p_recover_daa`` up to rounding.

    It is under the aggregate reading whenever NPVs are discounted at the deemed rate
    (the default): the NPV is then minus the present value of the deemed-allocation
    balance while that is unrecovered, and >= 0 once it is. Under the scheduled reading
    cash above twice the installment pays the investor 10% while arrears are open, so a
    few scenarios have NPV >= 0 without recovery; and with the pass-through tax (the
    default ``Operations(tax="investor_share")``) the allocation counts what the SPV
    distributes while Japan's NPV is after its own tax, so a recovered allocation can
    still leave NPV < 0. This check is numeric, and where it fails the summary prints
    both lines. Up to rounding: the event counts differ by at
    most ``max(2, n / 100_000)`` scenarios (an NPV within rounding of 0).
    """
    if "p_npv_negative" not in probabilities or "p_recover_daa" not in probabilities:
        return False
    gap = probabilities["p_npv_negative"].p + probabilities["p_recover_daa"].p - 1.0
    return abs(gap) * n <= max(2.0, n / 100_000)


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

#: What a conditional tornado bar ranks each market path by (:mod:`dealsim.market`).
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


def probabilities_from_counts(
    counts: Mapping[str, int], n: int, within_years: int
) -> dict[str, Probability]:
    """:class:`Probability` records from event counts over ``n`` scenarios."""
    out = {}
    for name, count in counts.items():
        p = count / n
        meaning = PROBABILITIES[name].replace("`within_years`", f"{within_years} years")
        out[name] = Probability(name, p, math.sqrt(p * (1.0 - p) / n), meaning)
    return out


def _z(confidence: float) -> float:
    from scipy import stats as _stats  # lazy: scipy.stats costs ~0.5 s to import

    return float(_stats.norm.ppf(0.5 + confidence / 2.0))


def _statistic(name: str, x: F64, qs: tuple[float, ...], confidence: float,
               n_total_loss: int = 0) -> Statistic:
    valid = x[~np.isnan(x)]
    m = valid.size
    if m == 0:
        nan = math.nan
        return Statistic(name, 0, nan, (nan, nan), nan, {q: (nan, nan, nan) for q in qs})
    srt = np.sort(valid)
    mean = float(srt.mean())
    std = float(srt.std(ddof=1)) if m > 1 else 0.0
    hw = _z(confidence) * std / math.sqrt(m)
    alpha = 1.0 - confidence
    quant: dict[float, tuple[float, float, float]] = {}
    from scipy import stats as _stats

    for q in qs:
        lo_rank = int(_stats.binom.ppf(alpha / 2.0, m, q))
        hi_rank = int(_stats.binom.ppf(1.0 - alpha / 2.0, m, q))
        lo_rank = min(max(lo_rank - 1, 0), m - 1)
        hi_rank = min(max(hi_rank, 0), m - 1)
        quant[q] = (float(np.quantile(srt, q)), float(srt[lo_rank]), float(srt[hi_rank]))
    return Statistic(name, m, mean, (mean - hw, mean + hw), std, quant, n_total_loss)


@dataclass(frozen=True, slots=True, eq=False)
class SimulationResult:
    """Per-scenario outputs and inputs of :func:`dealsim.simulate`.

    Every array has shape ``(n,)``; row ``i`` is scenario ``i``, whose draws depend
    only on the seed and ``i`` (see :func:`dealsim.simulate`).

    Attributes
    ----------
    title : str
        Deal name.
    seed : str
        How to reproduce the run (the seed's entropy and spawn key).
    sampler : str
    investor_irr : ndarray (n,)
        NaN where undefined; ``irr_status`` says why (:class:`dealsim.IrrStatus`).
        Summaries count a total loss (``investor_moic == 0``) as -100%
        (:meth:`statistic_values`).
    irr_status : ndarray of int8 (n,)
    investor_npv, host_npv : ndarray (n,)
        At the deal's discount rate (default: each scenario's deemed rate).
    investor_moic : ndarray (n,)
    recovered_at : ndarray of int64 (n,)
        Grid index (years from the first year of construction) at which the
        investor's deemed allocation is recovered; -1 if never.
    fee_paid : ndarray of bool (n,)
    fee_pv : ndarray (n,)
    inputs : dict of str to ndarray (n,)
        Every drawn uncertainty by name.
    first_year : int
        Calendar year of grid index 0.
    within_years : int
        Horizon of ``p_recover_daa_within``.
    paths : dict of str to ndarray (k, T)
        Year-by-year ``investor`` flows and deemed-allocation ``balance`` of the first
        ``k`` scenarios (for fan charts); for a deal with market paths
        (:mod:`dealsim.market`) also the paths those scenarios' market followed, by
        input name: ``price`` and ``fuel`` (factors on the escalated base prices),
        ``deemed_rate`` (SOFR + spread) and ``usdjpy`` (yen per dollar), each present
        when ``deal.market`` models it.
    path_inputs : dict of str to ndarray (k,)
        For a deal with market paths, each path's summary in the same ``k`` scenarios
        (:data:`PATH_MEASURES`): what a conditional tornado bar ranks a path factor by.
        Empty for a deal of levels (and for a result loaded from a file).
    tornado_bars : tuple of TornadoBar
        Computed by :func:`dealsim.simulate` (see :meth:`tornado`).
    backend : str
        ``"numpy"`` or ``"numba"``: which path computed the outputs (they agree
        within 1e-12; see :func:`dealsim.simulate`).
    requested : int
        Scenarios asked for (``n`` for a complete run; ``None`` given means ``n``).
    partial : bool
        ``True`` when the run stopped early at a block boundary (``deadline`` or a
        cancel request): the ``n < requested`` rows are the first rows of the full run.
    """

    title: str
    seed: str
    sampler: str
    investor_irr: F64
    irr_status: NDArray[np.int8]
    investor_npv: F64
    host_npv: F64
    investor_moic: F64
    recovered_at: NDArray[np.int64]
    fee_paid: NDArray[np.bool_]
    fee_pv: F64
    inputs: dict[str, F64]
    first_year: int
    within_years: int = 20
    paths: dict[str, F64] = field(default_factory=dict)
    tornado_bars: tuple[TornadoBar, ...] = ()
    backend: str = "numpy"
    requested: int | None = None
    partial: bool = False
    path_inputs: dict[str, F64] = field(default_factory=dict)

    def __post_init__(self) -> None:
        complete_requested(self)

    @property
    def n(self) -> int:
        """Number of scenarios."""
        return int(self.investor_npv.shape[0])

    def output(self, name: str) -> NDArray[Any]:
        """The per-scenario array of an output or input by name.

        Raises
        ------
        InvalidParameterError
            If ``name`` is neither an output nor a drawn input.
        """
        if name in self.inputs:
            return self.inputs[name]
        if name in ARRAYS:
            return np.asarray(getattr(self, name))
        raise InvalidParameterError(
            f"name must be an output ({sorted(OUTPUTS)}) or an input ({sorted(self.inputs)}); "
            f"got {name!r}"
        )

    # -- probabilities ---------------------------------------------------------------

    def events(self) -> dict[str, NDArray[np.bool_]]:
        """Boolean masks over scenarios for each event of :data:`PROBABILITIES`."""
        rec = self.recovered_at
        total_loss = self.investor_moic == 0.0
        return {
            "p_recover_capital": self.investor_moic >= 1.0,
            "p_recover_daa": rec >= 0,
            "p_recover_daa_within": (rec >= 0) & (rec < self.within_years),
            "p_npv_negative": self.investor_npv < 0,
            "p_fee_paid": np.asarray(self.fee_paid, dtype=bool),
            "p_total_loss": total_loss,
            "p_irr_undefined": np.isnan(self.investor_irr) & ~total_loss,
        }

    def probabilities(self) -> dict[str, Probability]:
        """Each event's frequency and its binomial standard error."""
        counts = {name: int(np.count_nonzero(mask)) for name, mask in self.events().items()}
        return probabilities_from_counts(counts, self.n, self.within_years)

    def recovered_by_year(self) -> tuple[NDArray[np.int64], F64]:
        """P(deemed allocation recovered by the end of each year): (calendar years, shares).

        Examples
        --------
        >>> import dealsim
        >>> from dealsim.presets import ohio_gas_power
        >>> r = dealsim.simulate(ohio_gas_power(), 200, seed=1)
        >>> years, share = r.recovered_by_year()
        >>> bool(np.all(np.diff(share) >= 0))
        True
        """
        horizon = int(self.paths["investor"].shape[1]) if "investor" in self.paths else int(
            max(self.recovered_at.max(), 0) + 1)
        rec = self.recovered_at[self.recovered_at >= 0]
        counts = np.bincount(rec, minlength=horizon)[:horizon]
        return self.first_year + np.arange(horizon), np.cumsum(counts) / self.n

    # -- summary ---------------------------------------------------------------------

    def statistic_values(self, name: str) -> F64:
        """An output as :meth:`summary` and ``until`` see it, shape ``(n,)``.

        The investor IRR with total losses (MOIC 0) at -100% and other undefined
        IRRs NaN (:func:`irr_for_statistics`); any other output as stored.

        Examples
        --------
        >>> import dealsim
        >>> from dealsim.presets import ohio_gas_power
        >>> r = dealsim.simulate(ohio_gas_power(), 2000, seed=1)
        >>> x = r.statistic_values("investor_irr")
        >>> bool(np.all((x == -1.0) == (r.investor_moic == 0)))
        True
        """
        x = np.asarray(self.output(name), dtype=np.float64)
        if name == "investor_irr":
            return irr_for_statistics(x, self.investor_moic)
        return x

    def _total_losses(self, name: str) -> int:
        if name != "investor_irr":
            return 0
        return int(np.count_nonzero(self.investor_moic == 0.0))

    def summary(
        self,
        *,
        outputs: Iterable[str] = tuple(OUTPUTS),
        quantiles: tuple[float, ...] = (0.05, 0.10, 0.50, 0.90, 0.95),
        confidence: float = 0.95,
    ) -> Summary:
        """Mean, std and quantiles with confidence intervals, plus the probabilities.

        Parameters
        ----------
        outputs : iterable of str
            Outputs (or inputs) to summarise.
        quantiles : tuple of float
            Probabilities in (0, 1).
        confidence : float
            Level of every interval, in (0, 1).

        Returns
        -------
        Summary
            ``print(summary)`` shows a table.

        Notes
        -----
        Statistics of an output use only the scenarios where it is defined; the
        table says how many. The investor IRR of a total loss -- the investor pays in
        and never receives a positive flow (MOIC 0, ``p_total_loss``) -- counts as
        -100% (:data:`TOTAL_LOSS_IRR`) in the mean, std and quantiles alike, since
        dropping the worst outcomes would flatter the lower quantiles; other
        undefined IRRs (``p_irr_undefined``: no sign change the other way, no root)
        are left out. Mean:
        normal interval ``mean ± z s / sqrt(m)``. Quantiles: the sample quantile with a
        distribution-free interval between the order statistics whose ranks are the
        binomial ``(m, q)`` quantiles at ``(1 ± confidence) / 2``. Probabilities: the
        frequency with standard error ``sqrt(p (1 - p) / n)``.
        """
        if not 0.0 < confidence < 1.0:
            raise InvalidParameterError(f"confidence must be in (0, 1); got {confidence!r}")
        for q in quantiles:
            if not 0.0 < q < 1.0:
                raise InvalidParameterError(f"quantiles must be in (0, 1); got {q!r}")
        stats = {name: _statistic(name, self.statistic_values(name), tuple(quantiles),
                                  confidence, self._total_losses(name))
                 for name in outputs}
        return Summary(
            title=self.title, n=self.n, seed=self.seed, sampler=self.sampler,
            confidence=confidence, statistics=stats, probabilities=self.probabilities(),
            backend=self.backend, requested=self.requested, partial=self.partial,
        )

    def half_width(self, target: str, confidence: float = 0.95) -> float:
        """Half-width of the confidence interval of ``target``.

        ``target`` is an event of :data:`PROBABILITIES` (binomial interval),
        ``"<output>"`` (its mean) or ``"<output>:p<percent>"`` (a quantile, e.g.
        ``"investor_irr:p50"``; order-statistic interval, half its width). The
        investor IRR counts total losses as -100%, as in :meth:`summary`.
        """
        z = _z(confidence)
        if target in PROBABILITIES:
            p = self.probabilities()[target]
            return z * p.se
        name, _, qtxt = target.partition(":")
        x = self.statistic_values(name)
        x = x[~np.isnan(x)]
        if x.size < 2:
            return math.inf
        if not qtxt:
            return z * float(x.std(ddof=1)) / math.sqrt(x.size)
        if not qtxt.startswith("p"):
            raise InvalidParameterError(
                f"target quantile must look like 'name:p50'; got {target!r}")
        q = float(qtxt[1:]) / 100.0
        st = _statistic(name, x, (q,), confidence)
        _, lo, hi = st.quantiles[q]
        return (hi - lo) / 2.0

    # -- sensitivity -----------------------------------------------------------------

    def rank_correlation(
        self, outputs: Iterable[str] = ("investor_npv", "investor_irr")
    ) -> dict[str, dict[str, float]]:
        """Spearman rank correlation of every drawn input with each output.

        Scenarios where the output is NaN are left out of that output's column.
        Inputs that do not vary (fixed) get NaN.

        Returns
        -------
        dict
            ``result[input][output]``.
        """
        from scipy import stats as _stats

        table: dict[str, dict[str, float]] = {name: {} for name in self.inputs}
        for out in outputs:
            y = np.asarray(self.output(out), dtype=np.float64)
            ok = ~np.isnan(y)
            ry = _stats.rankdata(y[ok])
            for name, x in self.inputs.items():
                xs = x[ok]
                if xs.size < 3 or np.ptp(xs) == 0 or np.ptp(ry) == 0:
                    table[name][out] = math.nan
                    continue
                table[name][out] = float(np.corrcoef(_stats.rankdata(xs), ry)[0, 1])
        return table

    def tornado(self, output: str = "investor_npv", *,
                method: str | None = None) -> list[TornadoBar]:
        """Tornado bars sorted by their swing of ``output``, largest first.

        Parameters
        ----------
        output : str
            ``"investor_npv"``, ``"investor_irr"`` or ``"host_npv"``; a conditional
            tornado takes any output of :data:`OUTPUTS`.
        method : {None, "deterministic", "conditional"}
            ``"deterministic"``: each uncertainty at its P10 and its P90 with the others
            at their medians, through the deterministic model (computed by
            :func:`dealsim.simulate`). ``"conditional"``: the mean of ``output`` over the
            run's scenarios whose input lies at or below its P10, and at or above its
            P90 (:func:`conditional_bars`). ``None`` (default): conditional when the
            deal's market follows paths and the result holds their summaries for at
            least :data:`MIN_CONDITIONAL_ROWS` scenarios, else deterministic. Each bar
            says which it is (``bar.method``).

        Returns
        -------
        list of TornadoBar

        Raises
        ------
        InvalidParameterError
            If ``output`` or ``method`` is unknown, a deterministic tornado is asked of
            a result that carries none (one loaded from a file: use
            :func:`dealsim.tornado` on the deal), or a conditional one of a result
            with too few scenarios (or kept paths, for a path factor).

        Notes
        -----
        What a bar is for a factor that follows a path (``deal.market``,
        :mod:`dealsim.market`): the **deterministic** bar holds the factor's whole
        path at its level's P10 or P90 -- a persistent shift of power, fuel, the deemed
        rate or USD/JPY for the life of the deal, which the mean-reverting paths never
        draw -- so no deterministic bar moves with the paths, and a path factor's bar
        overstates how far the life-average moves (for the default power process,
        half-life 3 years, the 30-year mean's spread is about half the level's). The
        **conditional** bar ranks scenarios by what the path did: a price or fuel
        factor by its mean over the scenario's operating years (delay included),
        USD/JPY likewise (the yen fee is paid in operation), the deemed rate by its
        mean over construction and operation (it accrues on the allocation from the
        first call and discounts every flow). Those bars move with the paths; the
        level factors' (overrun, delay, capacity, utilisation) rank by their draws,
        over all ``n`` scenarios, while a path factor's use the first ``k`` scenarios
        whose paths the run kept (``simulate(..., paths=k)``; the default 1000 puts 100
        scenarios in each tail, and ``paths=10_000`` makes those bars about a third as
        noisy, at the cost of regenerating 10,000 scenarios' paths once after the run:
        the blocks keep no paths). A conditional bar is
        the total association in the run, not a partial effect: conditioning on cheap
        power also selects cheap gas (the two are correlated), and the other inputs
        vary inside each tail, so bars are not additive. Each bar carries the
        standard errors of its tail means (``low_se``, ``high_se``). NPVs are at the
        deal's discount rate, by default the deemed rate -- so the ``deemed_rate``
        bar moves the discount rate too.

        Examples
        --------
        >>> import dataclasses, dealsim
        >>> from dealsim.market import Market
        >>> from dealsim.presets import ohio_gas_power
        >>> levels = dataclasses.replace(ohio_gas_power(), market=Market())
        >>> r = dealsim.simulate(levels, 2000, seed=1)
        >>> r.tornado()[0].method, r.tornado(method="conditional")[0].method
        ('deterministic', 'conditional')
        >>> paths = dataclasses.replace(levels, market=Market.paths())
        >>> bars = dealsim.simulate(paths, 2000, seed=1).tornado()
        >>> {b.name: b.measure for b in bars}["price"]
        'mean over the operating years'
        """
        method = self._tornado_method(method)
        if method == "deterministic":
            if not self.tornado_bars:
                raise InvalidParameterError(
                    "this result carries no tornado bars (loaded from a file or built by "
                    "hand); compute them with dealsim.tornado(deal, uncertainties)")
            allowed = tuple(self.tornado_bars[0].low)
            if output not in allowed:
                raise InvalidParameterError(f"output must be one of {allowed}; got {output!r}")
            bars: Sequence[TornadoBar] = self.tornado_bars
        else:
            if output not in OUTPUTS:
                raise InvalidParameterError(
                    f"output must be one of {tuple(OUTPUTS)}; got {output!r}")
            bars = self._conditional_bars((output,))
        return sorted(bars, key=lambda b: -np.nan_to_num(b.swing(output)))

    def _tornado_method(self, method: str | None) -> str:
        if method is None:
            sizes = [x.size for x in self.path_inputs.values()]
            ok = sizes and min(sizes) >= MIN_CONDITIONAL_ROWS
            return "conditional" if ok else "deterministic"
        if method not in TORNADO_METHODS:
            raise InvalidParameterError(
                f"method must be None or one of {tuple(TORNADO_METHODS)}; got {method!r}")
        return method

    def _conditional_bars(self, outputs: Sequence[str]) -> tuple[TornadoBar, ...]:
        inputs, measures = dict(self.inputs), {}
        lost = [k for k in PATH_MEASURES if k in self.paths and k not in self.path_inputs]
        if lost:  # ranking a path factor by its year-0 draw would be silently wrong
            raise InvalidParameterError(
                f"this result keeps market paths ({lost}) but not their summaries (loaded "
                "from a file?); rerun dealsim.simulate for a conditional tornado")
        for name, x in self.path_inputs.items():
            if x.size < MIN_CONDITIONAL_ROWS:
                raise InvalidParameterError(
                    f"a conditional bar of the path factor {name!r} needs the paths of at "
                    f"least {MIN_CONDITIONAL_ROWS} scenarios; the run kept {x.size} "
                    "(simulate(..., paths=1000))")
            inputs[name], measures[name] = x, PATH_MEASURES[name]
        if self.n < MIN_CONDITIONAL_ROWS:
            raise InvalidParameterError(
                f"a conditional tornado needs at least {MIN_CONDITIONAL_ROWS} scenarios; "
                f"got {self.n}")
        return conditional_bars(inputs, {o: self.statistic_values(o) for o in outputs},
                                measures=measures)

    def path_quantiles(
        self, name: str, quantiles: Sequence[float] = (0.05, 0.25, 0.5, 0.75, 0.95),
    ) -> tuple[NDArray[np.int64], F64]:
        """Quantiles by year of a kept path over the first ``k`` scenarios.

        Parameters
        ----------
        name : str
            A key of :attr:`paths`: ``"investor"``, ``"balance"``, or a market path
            (``"price"``, ``"fuel"``, ``"deemed_rate"``, ``"usdjpy"``).
        quantiles : sequence of float
            Probabilities in [0, 1].

        Returns
        -------
        (ndarray of int64 (T,), ndarray (len(quantiles), T))
            Calendar years and ``numpy.quantile`` of the paths in each year.

        Raises
        ------
        InvalidParameterError
            If the result kept no such path, or none at all.

        Examples
        --------
        >>> import dealsim
        >>> from dealsim.presets import ohio_gas_power
        >>> deal = ohio_gas_power()  # market paths: the default
        >>> years, q = dealsim.simulate(deal, 500, seed=1, paths=500).path_quantiles("price")
        >>> q.shape == (5, years.size), bool(np.all(q[0] <= q[4]))
        (True, True)
        """
        if name not in self.paths or not len(self.paths[name]):
            raise InvalidParameterError(
                f"name must be a kept path ({sorted(self.paths)}; simulate(..., paths=1000) "
                f"keeps them, and a deal with market paths keeps those); got {name!r}")
        qs = [v.fraction("quantiles", q, allow_zero=True) for q in quantiles]
        x = np.asarray(self.paths[name], dtype=np.float64)
        return self.first_year + np.arange(x.shape[1]), np.quantile(x, qs, axis=0)

    def conditional(self, mask: NDArray[np.bool_]) -> dict[str, dict[str, float]]:
        """What the inputs look like inside a set of scenarios, against all scenarios.

        Parameters
        ----------
        mask : ndarray of bool, shape (n,)
            E.g. ``~result.events()["p_recover_daa"]``: the scenarios where the investor
            never recovers its deemed allocation.

        Returns
        -------
        dict
            ``result[input] = {"share": ..., "median_in": ..., "median_all": ...,
            "mean_in": ..., "mean_all": ...}`` (NaN when the mask is empty).

        Raises
        ------
        InvalidParameterError
            If ``mask`` is not a boolean array of shape ``(n,)``.
        """
        m = np.asarray(mask)
        if m.dtype != np.bool_ or m.shape != (self.n,):
            raise InvalidParameterError(
                f"mask must be a boolean array of shape ({self.n},); got {m.dtype} {m.shape}"
            )
        share = float(m.mean())
        out = {}
        for name, x in self.inputs.items():
            inside = x[m]
            out[name] = {
                "share": share,
                "median_in": float(np.median(inside)) if inside.size else math.nan,
                "median_all": float(np.median(x)),
                "mean_in": float(inside.mean()) if inside.size else math.nan,
                "mean_all": float(x.mean()),
            }
        return out

    def to_pandas(self) -> Any:
        """Two pandas frames: ``(scenarios, summary)`` (needs the ``io`` extra).

        ``scenarios`` has one row per scenario: every output, ``irr_status``,
        ``recovered_at``, ``fee_paid`` and each drawn input as ``in_<name>``.
        ``summary`` is tidy, indexed by ``(name, statistic)`` with columns ``value``,
        ``low`` and ``high``: each output's mean (95% interval), std and quantiles
        (order-statistic intervals), and each probability (``p ± 1.96 s.e.``).

        Examples
        --------
        >>> import dealsim
        >>> from dealsim.presets import ohio_gas_power
        >>> scenarios, summary = dealsim.simulate(ohio_gas_power(), 100, seed=1).to_pandas()
        >>> len(scenarios), summary.loc[("investor_npv", "p50"), "value"] < 0
        (100, np.True_)
        """
        import pandas as pd

        cols: dict[str, Any] = {name: getattr(self, name) for name in _ARRAYS}
        cols.update({"in_" + name: x for name, x in self.inputs.items()})
        rows = []
        summ = self.summary()
        for name, st in summ.statistics.items():
            rows.append((name, "mean", st.mean, *st.mean_ci))
            rows.append((name, "std", st.std, math.nan, math.nan))
            rows += [(name, f"p{100 * q:g}", *vals) for q, vals in st.quantiles.items()]
        z = _z(summ.confidence)
        rows += [(pr.name, "p", pr.p, pr.p - z * pr.se, pr.p + z * pr.se)
                 for pr in summ.probabilities.values()]
        summary = pd.DataFrame(rows, columns=["name", "statistic", "value", "low", "high"])
        return pd.DataFrame(cols), summary.set_index(["name", "statistic"])

    def head(self, k: int) -> SimulationResult:
        """The first ``k`` scenarios as a result of their own (same seed, same rows)."""
        if k < 1 or k > self.n:
            raise InvalidParameterError(f"k must be in [1, {self.n}]; got {k!r}")
        return _take(self, slice(0, k))


#: The per-scenario output arrays of :class:`SimulationResult`, in column order.
_ARRAYS = ARRAYS


def _meta(res: Any) -> dict[str, Any]:
    """The run metadata of :data:`dealsim._outputs.RUN_META` held by ``res``."""
    return {f.name: getattr(res, f.name) for f in RUN_META if hasattr(res, f.name)}


def _take(res: SimulationResult, rows: slice) -> SimulationResult:
    arrays = {name: getattr(res, name)[rows] for name in _ARRAYS}
    meta = {**_meta(res), "partial": False, "requested": None}  # a complete run of k
    return SimulationResult(
        **meta, inputs={k: x[rows] for k, x in res.inputs.items()},
        paths={k: x[rows] for k, x in res.paths.items()}, tornado_bars=res.tornado_bars,
        path_inputs={k: x[rows] for k, x in res.path_inputs.items()}, **arrays,
    )


class BlockCollector(Collector):
    """:class:`dealsim._engine.Collector` that builds a :class:`SimulationResult`.

    Blocks map output names, ``"in:<input>"`` and ``"path:<name>"`` to arrays.
    """

    def add(self, block: Mapping[str, NDArray[Any]], rows: int | None = None) -> None:
        """Append one block's rows (blocks must arrive in block order)."""
        super().add(block, int(np.shape(block["investor_npv"])[0]) if rows is None else rows)

    def result(self, **meta: Any) -> SimulationResult:
        """The scenarios collected so far as a :class:`SimulationResult`."""
        filled = self.filled()
        arrays: dict[str, Any] = {k: filled[k] for k in _ARRAYS}
        inputs = {k[3:]: x for k, x in filled.items() if k.startswith("in:")}
        return SimulationResult(inputs=inputs, paths=self.paths(), **arrays, **meta)


def concat_blocks(
    blocks: Sequence[Mapping[str, NDArray[Any]]], **meta: Any
) -> SimulationResult:
    """Join per-block dictionaries of arrays, in block order, into one result."""
    collector = BlockCollector(sum(int(np.shape(b["investor_npv"])[0]) for b in blocks))
    for block in blocks:
        collector.add(block)
    return collector.result(**meta)
