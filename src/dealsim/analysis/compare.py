"""Side by side: :func:`compare` puts the headline numbers of several runs (of one deal
under different assumptions, or of different deals) in one table, with what each run
changes from its preset and the difference from the first run.

Runs made with the same seed share their random numbers scenario by scenario (common
random numbers): the difference of two such runs' mean NPVs then has a much smaller
standard error than either mean, and :func:`compare` reports that paired interval.
"""

from __future__ import annotations

import html
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dealsim.common.display import STYLE, Row, interval, number, print_unit, short_repr
from dealsim.errors import InvalidParameterError

__all__ = ["HEADLINE", "Comparison", "compare"]

#: The rows :func:`compare` shows, by row name of the runs' summaries, in order.
HEADLINE: tuple[str, ...] = (
    "investor_irr:p50", "investor_irr:p5", "investor_irr:p95", "investor_npv:mean",
    "host_npv:mean", "p_recover_capital", "p_recover_daa", "p_total_loss", "p_fund_better",
    "breakeven_rate_increase")


@dataclass(frozen=True, slots=True, eq=False)
class Comparison:
    """Headline numbers of several runs side by side (what :func:`compare` returns).

    Attributes
    ----------
    labels : tuple of str
        One per run (default: the runs' titles, which name their changes).
    rows : tuple of (name, label, unit, tuple of Row or None)
        Per headline number, each run's value and interval (``None``: the run has no
        such number).
    assumptions : dict of str to tuple
        Per changed field (dotted path), its value in each run.
    seeds : tuple of str
    paired : dict of str to (difference, low, high)
        For runs 2.. with the first run's seed and ``n``: the mean difference of
        Japan's NPV from the first run with its 95% paired interval.
    """

    labels: tuple[str, ...]
    rows: tuple[tuple[str, str, str, tuple[Row | None, ...]], ...]
    assumptions: dict[str, tuple[Any, ...]]
    seeds: tuple[str, ...]
    paired: dict[str, tuple[float, float, float]]

    def _difference(self, values: tuple[Row | None, ...], j: int) -> float:
        a, b = values[0], values[j]
        return math.nan if a is None or b is None else float(b.value) - float(a.value)

    def _cells(self) -> tuple[list[str], list[list[str]]]:
        heads = ["", *(f"[{j + 1}] {x}" for j, x in enumerate(self.labels))] + [
            f"difference [{j + 1}] - [1]" for j in range(1, len(self.labels))]
        out = []
        for field_name, vals in self.assumptions.items():
            out.append([f"assumption: {field_name}", *("" if x is None else str(x)
                                                      for x in vals)]
                       + [""] * (len(self.labels) - 1))
        for _, label, unit, vals in self.rows:
            u = print_unit(unit)
            cells = [f"{label} ({u})" if u else label]
            cells += ["n/a" if r is None else f"{number(r.value, unit)} {interval(r)}".strip()
                      for r in vals]
            cells += [number(self._difference(vals, j), unit) for j in range(1, len(vals))]
            out.append(cells)
        for label, (d, lo, hi) in self.paired.items():
            j = self.labels.index(label) + 1
            out.append([f"paired difference of Japan's mean NPV, [{j}] - [1] (bn USD)"]
                       + [""] * len(self.labels)
                       + [f"{number(d, 'USD')} [{number(lo, 'USD')}, {number(hi, 'USD')}]"
                          if lab == label else "" for lab in self.labels[1:]])
        return heads, out

    def __str__(self) -> str:
        heads, cells = self._cells()
        widths = [max(len(r[j]) for r in [heads, *cells]) for j in range(len(heads))]
        lines = ["  ".join(c.ljust(w) if j == 0 else c.rjust(w)
                           for j, (c, w) in enumerate(zip(r, widths, strict=True)))
                 for r in [heads, *cells]]
        return "\n".join(["dealsim comparison; seeds: " + ", ".join(self.seeds), *lines])

    def __repr__(self) -> str:
        return short_repr("Comparison", " | ".join(self.labels), runs=len(self.labels),
                          seeds=", ".join(self.seeds))

    def _repr_html_(self) -> str:
        e = html.escape
        heads, cells = self._cells()
        head = "".join(f"<th>{e(h)}</th>" for h in heads)
        body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>"
                       for row in cells)
        return (f"<div>{STYLE}<strong>dealsim comparison</strong><div style=\"color:#555\">"
                f"seeds = {e(', '.join(self.seeds))}; intervals: 95% confidence</div>"
                f"<table class=\"dealsim-table\"><thead><tr>{head}</tr></thead>"
                f"<tbody>{body}</tbody></table></div>")

    def to_pandas(self) -> Any:
        """One row per headline number, one column per run plus one ``difference: <run>``
        per later run (stored units: USD, 1/year, probability; ``attrs["units"]`` per
        row, ``attrs["assumptions"]`` the changed fields)."""
        import pandas as pd

        data = {}
        for name, _, _, vals in self.rows:
            data[name] = [math.nan if r is None else float(r.value) for r in vals] + [
                self._difference(vals, j) for j in range(1, len(vals))]
        cols = [*self.labels] + [f"difference: {x}" for x in self.labels[1:]]
        df = pd.DataFrame.from_dict(data, orient="index", columns=cols)
        df.attrs["units"] = {name: unit for name, _, unit, _ in self.rows}
        df.attrs["assumptions"] = {k: list(v) for k, v in self.assumptions.items()}
        df.attrs["seeds"] = list(self.seeds)
        return df


def _summary_rows(run: Any) -> tuple[dict[str, Row], Any]:
    """Row name -> Row of a run's summary, and the simulation behind it (if any)."""
    from dealsim.analysis.decision import FundOrDecline
    from dealsim.results.simulation import SimulationResult
    from dealsim.results.summary import Summary

    if isinstance(run, FundOrDecline):
        rows, sim = _summary_rows(run.simulation)
        return rows | {r.name: r for r in run.summary().rows}, sim
    if isinstance(run, Summary):
        return {r.name: r for r in run.rows()}, None
    if isinstance(run, SimulationResult) or hasattr(run, "summary"):
        summ = run.summary()
        if isinstance(summ, Summary):
            return ({r.name: r for r in summ.rows(quantiles=(0.05, 0.5, 0.95))},
                    run if isinstance(run, SimulationResult) else None)
    raise InvalidParameterError(
        "runs must be SimulationResult, StreamingSummary, Summary or FundOrDecline "
        f"objects; got {type(run).__name__}")


def compare(*runs: Any, labels: Sequence[str] | None = None) -> Comparison:
    """Headline numbers of two or more runs side by side, with their differences.

    Parameters
    ----------
    *runs : SimulationResult, StreamingSummary, Summary or FundOrDecline
        The runs; the first is the reference the differences are taken from.
    labels : sequence of str, optional
        Column names; default the runs' titles (which name what each run changes from
        its preset, e.g. ``"Ohio gas power (SB Energy) (price=75)"``).

    Returns
    -------
    Comparison
        ``print()`` it, or show it in a notebook; ``to_pandas()`` for the numbers.

    Raises
    ------
    InvalidParameterError
        Fewer than two runs, an object that is not a run, or labels of the wrong length.

    Notes
    -----
    The assumptions block lists every field that some run changes from its preset
    (``result.changes``), with its value in each run. Differences are of the point
    estimates; for runs with the same seed and ``n`` the mean NPV difference also gets
    its paired 95% interval (the scenarios are the same draws, so the interval is
    that of the per-scenario differences).

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.presets import ohio_gas_power
    >>> a = dealsim.simulate(ohio_gas_power(), 500, seed=1)
    >>> b = dealsim.simulate(ohio_gas_power(power_price=95), 500, seed=1)
    >>> c = dealsim.compare(a, b)
    >>> c.labels[1], c.assumptions["project.price"]
    ('Ohio gas power (SB Energy) (price=95)', (85.0, 95.0))
    >>> c.paired[c.labels[1]][0] > 0  # a higher power price is worth more to Japan
    True
    """
    if len(runs) < 2:
        raise InvalidParameterError(f"compare needs at least two runs; got {len(runs)}")
    found = [_summary_rows(r) for r in runs]
    titles = [str(getattr(r, "title", "")) or f"run {i + 1}" for i, r in enumerate(runs)]
    if labels is None:
        labels = titles
        if len(set(labels)) < len(labels):  # same titles: number them
            labels = [f"{t} [{i + 1}]" for i, t in enumerate(titles)]
    labels = [str(x) for x in labels]
    if len(labels) != len(runs):
        raise InvalidParameterError(
            f"labels must name each of the {len(runs)} runs; got {len(labels)}")
    rows = []
    for name in HEADLINE:
        vals = tuple(rows_.get(name) for rows_, _ in found)
        present = [r for r in vals if r is not None]
        if present:
            rows.append((name, present[0].label, present[0].unit, vals))
    sims = [sim for _, sim in found]
    return Comparison(tuple(labels), tuple(rows), _assumptions(sims),
                      tuple(str(getattr(r, "seed", "") or getattr(
                          getattr(r, "simulation", None), "seed", "")) for r in runs),
                      _paired(sims, labels))


def _assumptions(sims: Sequence[Any]) -> dict[str, tuple[Any, ...]]:
    """Every changed field of any run, with each run's value (its preset's if unchanged)."""
    keys: list[str] = []
    for sim in sims:
        for k in getattr(sim, "changes", {}) or {}:
            if k not in keys:
                keys.append(k)
    out = {}
    for k in keys:
        preset = next(sim.changes[k][0] for sim in sims if k in getattr(sim, "changes", {}))
        out[k] = tuple(None if sim is None else sim.changes[k][1] if k in sim.changes
                       else preset for sim in sims)
    return out


def _paired(sims: Sequence[Any], labels: Sequence[str]) -> dict[str, tuple[float, float, float]]:
    first = sims[0]
    out: dict[str, tuple[float, float, float]] = {}
    if first is None:
        return out
    z = statistics.NormalDist().inv_cdf(0.975)
    for sim, label in zip(sims[1:], labels[1:], strict=True):
        if sim is None or sim.seed != first.seed or sim.n != first.n or sim.n < 2:
            continue
        d = np.asarray(sim.investor_npv - first.investor_npv, dtype=np.float64)
        m, se = float(d.mean()), float(d.std(ddof=1)) / math.sqrt(d.size)
        out[label] = (m, m - z * se, m + z * se)
    return out

