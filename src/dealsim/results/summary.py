"""The summary of a run: :class:`Statistic` (mean, quantiles and their confidence
intervals), :class:`Probability` (an event's frequency with its standard error) and
:class:`Summary`, which prints them and writes them as strict JSON.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dealsim.common.outputs import OUTPUT_TABLE, SUMMARISED, complete_requested

__all__ = ["INPUT_EVENTS", "OUTPUTS", "PROBABILITIES", "Probability", "Statistic", "Summary",
           "TOTAL_LOSS_IRR", "irr_for_statistics"]

F64 = NDArray[np.float64]


#: Continuous outputs summarised by :meth:`SimulationResult.summary`, with the unit
#: they print in and the scale applied for printing (from :mod:`dealsim.common.outputs`).
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


def _type7(part: F64, q: float) -> float:
    """The ``q`` quantile, Hyndman & Fan type 7 (numpy's default "linear"), from
    ``part``: an ``np.partition`` of the sample with ranks ``floor(h)`` and
    ``floor(h) + 1`` in place, ``h = q (m - 1)``.

    The interpolation is numpy's two-sided one; the result equals ``np.quantile`` to
    within a few units in the last place of the larger neighbour (numpy forms the
    fractional index in another order).

    Examples
    --------
    >>> x = np.array([4.0, 1.0, 3.0, 2.0])
    >>> _type7(np.sort(x), 0.5), float(np.quantile(x, 0.5))
    (2.5, 2.5)
    """
    m = part.size
    h = q * (m - 1)
    lo = min(int(h), m - 1)
    if lo == m - 1:
        return float(part[lo])
    a, b, t = part[lo], part[lo + 1], h - lo
    return float(b - (b - a) * (1.0 - t) if t >= 0.5 else a + (b - a) * t)


def _statistic(name: str, x: F64, qs: tuple[float, ...], confidence: float,
               n_total_loss: int = 0) -> Statistic:
    """Mean, standard deviation and quantiles of ``x`` (NaNs dropped), with intervals.

    The quantiles (:func:`_type7`) and the order statistics that bound their confidence
    intervals (binomial ranks) come from one ``np.partition`` over just the ranks
    needed, not a full sort.
    """
    valid = x[~np.isnan(x)]
    m = valid.size
    if m == 0:
        nan = math.nan
        return Statistic(name, 0, nan, (nan, nan), nan, {q: (nan, nan, nan) for q in qs})
    mean = float(valid.mean())
    std = float(valid.std(ddof=1)) if m > 1 else 0.0
    hw = _z(confidence) * std / math.sqrt(m)
    alpha = 1.0 - confidence
    from scipy import stats as _stats

    ranks: dict[float, tuple[int, int]] = {}
    needed: set[int] = set()
    for q in qs:
        lo_rank = int(_stats.binom.ppf(alpha / 2.0, m, q))
        hi_rank = int(_stats.binom.ppf(1.0 - alpha / 2.0, m, q))
        ranks[q] = (min(max(lo_rank - 1, 0), m - 1), min(max(hi_rank, 0), m - 1))
        below = min(int(q * (m - 1)), m - 1)
        needed |= {*ranks[q], below, min(below + 1, m - 1)}
    part = np.partition(valid, sorted(needed))
    quant = {q: (_type7(part, q), float(part[lo]), float(part[hi]))
             for q, (lo, hi) in ranks.items()}
    return Statistic(name, m, mean, (mean - hw, mean + hw), std, quant, n_total_loss)
