"""Streaming Monte Carlo: mergeable statistics instead of per-scenario arrays.

:func:`simulate_stream` runs the same blocks as :func:`dealsim.simulate` (same seed ->
same scenarios) but each worker reduces its block to a few kilobytes of statistics, so
``n = 1e9`` scenarios across a cluster never gather per-scenario arrays. Per output
(:data:`dealsim.results.summary.OUTPUTS`) it keeps

- moments: count of defined values, mean, sum of squared deviations (Chan et al.'s
  pairwise merge), min and max;
- a fixed-bin histogram: ``bins`` equal bins over ``edges`` plus an underflow and an
  overflow bin. The edges come from block 0 alone (its range widened by half its span on
  each side), so they depend only on the seed;

and per event of :data:`dealsim.results.summary.PROBABILITIES` the exact count, plus the exact
count of scenarios recovering the deemed allocation in each year.

Determinism: counts are integers, and the moments are merged in block order on the
caller's side, so the result depends only on ``(seed, n)`` -- not on the executor,
the number of workers or the order in which blocks finish.

Error bound of the quantiles: :meth:`StreamingSummary.quantile` returns
``(value, low, high)`` where ``[low, high]`` **always contains** the exact sample
quantile of all ``n`` scenarios (numpy's default, linear definition): the histogram
knows exactly which bin holds every order statistic, and min/max are exact. When the
two order statistics that define the quantile fall in the same bin, ``high - low`` is
at most one bin width ``(edges[-1] - edges[0]) / bins``, and two when they fall in
neighbouring bins (dense data inside the edges); in the under/overflow bins the bracket
reaches to the exact min or max. ``value`` lies in the bracket, so its error is at most
``high - low``. The investor IRR's total losses (MOIC 0), which the summaries count at
-100%, are an exact count below the histogram: order statistics among them are exactly
-1, so the bracket still holds.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dealsim.common import validate as v
from dealsim.common.arrays import F64
from dealsim.common.outputs import RUN_META, complete_requested
from dealsim.errors import InvalidParameterError
from dealsim.model.deal import Deal
from dealsim.montecarlo.collect import concat_blocks
from dealsim.montecarlo.engine import Runner
from dealsim.montecarlo.run import _Block, _plan, _run_block, _with_market
from dealsim.montecarlo.uncertainty import Uncertainties
from dealsim.results.sensitivity import MIN_CONDITIONAL_ROWS, TORNADO_METHODS, TornadoBar
from dealsim.results.summary import (
    OUTPUTS,
    TOTAL_LOSS_IRR,
    Probability,
    Statistic,
    Summary,
    _z,
    probabilities_from_counts,
)

__all__ = ["STREAM_ABOVE", "Moments", "StreamingSummary", "simulate_stream"]


#: Above this many scenarios the command line streams statistics instead of gathering
#: per-scenario arrays (about 1 GB of per-scenario outputs and inputs at 1e7).
STREAM_ABOVE = 10_000_000


@dataclass(frozen=True, slots=True)
class Moments:
    """Count, mean, sum of squared deviations, min and max of the defined values."""

    count: int
    mean: float
    m2: float
    min: float
    max: float

    @classmethod
    def of(cls, x: F64) -> Moments:
        """Moments of a 1-D array without NaN."""
        if x.size == 0:
            return cls(0, 0.0, 0.0, math.inf, -math.inf)
        mean = float(x.mean())
        return cls(int(x.size), mean, float(np.sum((x - mean) ** 2)), float(x.min()),
                   float(x.max()))

    def merge(self, other: Moments) -> Moments:
        """Chan, Golub and LeVeque's pairwise update (exact in exact arithmetic)."""
        if other.count == 0:
            return self
        if self.count == 0:
            return other
        n = self.count + other.count
        d = other.mean - self.mean
        return Moments(n, self.mean + d * other.count / n,
                       self.m2 + other.m2 + d * d * self.count * other.count / n,
                       min(self.min, other.min), max(self.max, other.max))

    @property
    def std(self) -> float:
        """Sample standard deviation (``ddof=1``); 0 for fewer than two values."""
        return math.sqrt(self.m2 / (self.count - 1)) if self.count > 1 else 0.0


@dataclass(frozen=True, slots=True)
class _Stats:
    """Statistics of a run of consecutive blocks."""

    n: int
    moments: dict[str, Moments]
    counts: dict[str, NDArray[np.int64]]
    events: dict[str, int]
    recovered: NDArray[np.int64]

    def merge(self, other: _Stats) -> _Stats:
        return _Stats(
            self.n + other.n,
            {k: m.merge(other.moments[k]) for k, m in self.moments.items()},
            {k: c + other.counts[k] for k, c in self.counts.items()},
            {k: c + other.events[k] for k, c in self.events.items()},
            self.recovered + other.recovered,
        )


def _edges(block: Mapping[str, NDArray[Any]], bins: int) -> dict[str, F64]:
    """Bin edges from one block: its range widened by half its span on each side."""
    out = {}
    for name in OUTPUTS:
        x = np.asarray(block[name], dtype=np.float64)
        x = x[np.isfinite(x)]
        lo, hi = (float(x.min()), float(x.max())) if x.size else (-1.0, 1.0)
        span = hi - lo if hi > lo else max(abs(lo), 1.0)
        out[name] = np.linspace(lo - 0.5 * span, hi + 0.5 * span, bins + 1)
    return out


def _reduce(block: Mapping[str, NDArray[Any]], edges: Mapping[str, F64],
            meta: Mapping[str, Any], horizon: int) -> _Stats:
    res = concat_blocks([block], **meta)
    moments, counts = {}, {}
    for name, e in edges.items():
        x = np.asarray(res.output(name), dtype=np.float64)
        x = x[~np.isnan(x)]
        moments[name] = Moments.of(x)
        slot = np.searchsorted(e, x, side="right")  # 0: below e[0], len(e): at/above e[-1]
        counts[name] = np.bincount(slot, minlength=e.size + 1).astype(np.int64)
    rec = res.recovered_at[res.recovered_at >= 0]
    return _Stats(
        res.n, moments, counts,
        {k: int(np.count_nonzero(m)) for k, m in res.events().items()},
        np.bincount(rec, minlength=horizon)[:horizon].astype(np.int64),
    )


def _first_block_bars(block: Mapping[str, NDArray[Any]], setup: Any,
                      meta: Mapping[str, Any]) -> tuple[TornadoBar, ...]:
    """Conditional tornado bars over block 0's scenarios (its market paths regenerated,
    once, on the caller); none if the block is smaller than
    :data:`dealsim.results.sensitivity.MIN_CONDITIONAL_ROWS`."""
    res = concat_blocks([block], **meta)
    if res.n < MIN_CONDITIONAL_ROWS:
        return ()
    res = _with_market(res, setup, k=res.n)
    return res._conditional_bars(("investor_npv", "investor_irr", "host_npv"))


def _run_and_reduce(job: _Block, edges: Mapping[str, F64], meta: Mapping[str, Any]) -> _Stats:
    """What a worker runs: one block, reduced to its statistics (picklable by reference)."""
    return _reduce(_run_block(job), edges, meta, job.horizon)


@dataclass(frozen=True, slots=True, eq=False)
class StreamingSummary:
    """Mergeable statistics of a Monte Carlo run (see the module docstring for bounds).

    Attributes
    ----------
    title, seed, sampler : str
        As in :class:`dealsim.SimulationResult`.
    n : int
        Number of scenarios.
    moments : dict of str to Moments
        Per output, over its defined values (the investor IRR's total losses, NaN
        per scenario, are ``events["p_total_loss"]``; the summary and
        :meth:`quantile` count them at -100%).
    edges : dict of str to ndarray (bins + 1,)
        Histogram bin edges per output.
    counts : dict of str to ndarray of int64 (bins + 2,)
        ``counts[name][0]`` below ``edges[0]``, ``[i]`` in ``[edges[i-1], edges[i])``,
        ``[-1]`` at or above ``edges[-1]``; NaN values are not counted.
    events : dict of str to int
        Exact number of scenarios in each event of :data:`dealsim.results.summary.PROBABILITIES`.
    recovered : ndarray of int64 (T,)
        Scenarios recovering the deemed allocation in each grid year.
    first_year, within_years : int
    tornado_bars : tuple of TornadoBar
        Deterministic bars (:func:`dealsim.tornado`).
    conditional_bars : tuple of TornadoBar
        Conditional bars of ``investor_npv``, ``investor_irr`` and ``host_npv``
        (:meth:`dealsim.SimulationResult.tornado`), from the scenarios of block 0 (the
        first ``min(n, BLOCK_SIZE)``): a stream keeps no per-scenario rows after it.
    backend : str
        Which path computed the outputs, as in :class:`dealsim.SimulationResult`.
    requested : int
        Scenarios asked for (``n`` for a complete run).
    partial : bool
        The run stopped early (``deadline`` or cancel) after ``n`` scenarios: the
        statistics of the first ``n`` rows of the full run.
    """

    title: str
    seed: str
    sampler: str
    n: int
    moments: dict[str, Moments]
    edges: dict[str, F64]
    counts: dict[str, NDArray[np.int64]]
    events: dict[str, int]
    recovered: NDArray[np.int64]
    first_year: int
    within_years: int
    tornado_bars: tuple[TornadoBar, ...] = field(default=())
    backend: str = ""
    requested: int | None = None
    partial: bool = False
    conditional_bars: tuple[TornadoBar, ...] = field(default=())

    def __post_init__(self) -> None:
        complete_requested(self)

    def _check(self, name: str) -> None:
        if name not in self.moments:
            raise InvalidParameterError(f"name must be one of {sorted(self.moments)}; got {name!r}")

    def _total_losses(self, name: str) -> int:
        """Scenarios counted at exactly :data:`TOTAL_LOSS_IRR` below the histogram."""
        return self.events.get("p_total_loss", 0) if name == "investor_irr" else 0

    def _summary_moments(self, name: str) -> Moments:
        """Moments as the summary sees them: the investor IRR adds its total losses."""
        k = self._total_losses(name)
        atoms = Moments(k, TOTAL_LOSS_IRR, 0.0, TOTAL_LOSS_IRR, TOTAL_LOSS_IRR)
        return atoms.merge(self.moments[name]) if k else self.moments[name]

    def _slot_bounds(self, name: str, k: int) -> tuple[int, float, float]:
        """Bin holding order statistic ``k`` (1-based) and that bin's value range.

        Investor IRR: the first ``p_total_loss`` order statistics are exactly -1
        (slot -1, an exact bracket); the histogram holds the rest.
        """
        atoms = self._total_losses(name)
        if k <= atoms:
            return -1, TOTAL_LOSS_IRR, TOTAL_LOSS_IRR
        k -= atoms
        c, e, mom = self.counts[name], self.edges[name], self.moments[name]
        j = int(np.searchsorted(np.cumsum(c), k, side="left"))
        lo = mom.min if j == 0 else float(e[j - 1])
        hi = mom.max if j == e.size else float(e[j])
        return j, max(lo, mom.min), min(hi, mom.max)

    def _order_stat(self, name: str, k: int) -> tuple[float, float, float]:
        """Order statistic ``k``: interpolated value and a bracket that holds it."""
        j, lo, hi = self._slot_bounds(name, k)
        if j < 0:
            return lo, lo, hi
        c = self.counts[name]
        before = int(c[:j].sum()) + self._total_losses(name)
        return lo + (k - before - 0.5) / int(c[j]) * (hi - lo), lo, hi

    def quantile(self, name: str, q: float) -> tuple[float, float, float]:
        """Sample quantile ``q`` of an output: ``(value, low, high)``.

        ``[low, high]`` contains the exact sample quantile (``numpy.quantile``'s linear
        definition over all defined values); ``value`` interpolates within the bins.
        The investor IRR counts total losses as -100%, as
        :meth:`dealsim.SimulationResult.summary` does (exact: they are counted, not
        binned).

        Examples
        --------
        >>> from dealsim.presets import ohio_gas_power
        >>> s = simulate_stream(ohio_gas_power(), 2000, seed=1)
        >>> value, low, high = s.quantile("investor_irr", 0.5)
        >>> bool(low <= value <= high)
        True
        """
        self._check(name)
        q = v.fraction("q", q, allow_zero=True)
        m = self.moments[name].count + self._total_losses(name)
        if m == 0:
            return math.nan, math.nan, math.nan
        h = (m - 1) * q
        k1, frac = int(math.floor(h)) + 1, h - math.floor(h)
        v1, lo, _ = self._order_stat(name, k1)
        v2, _, hi = self._order_stat(name, min(k1 + 1, m))
        value = v1 + frac * (v2 - v1)
        return min(max(value, lo), hi), lo, hi

    def probabilities(self) -> dict[str, Probability]:
        """Each event's exact frequency and its binomial standard error."""
        return probabilities_from_counts(self.events, self.n, self.within_years)

    def recovered_by_year(self) -> tuple[NDArray[np.int64], F64]:
        """P(deemed allocation recovered by the end of each year): (calendar years, shares)."""
        years = self.first_year + np.arange(self.recovered.size)
        return years, np.cumsum(self.recovered) / self.n

    def tornado(self, output: str = "investor_npv", *,
                method: str | None = None) -> list[TornadoBar]:
        """Tornado bars sorted by their swing of ``output``, largest first.

        As :meth:`dealsim.SimulationResult.tornado` (``method`` and what a bar of a path
        factor is), except that conditional bars come from the first block's scenarios
        (``conditional_bars``) and cover ``investor_npv``, ``investor_irr`` and
        ``host_npv``. ``method=None``: conditional when the deal's market follows paths.

        Examples
        --------
        >>> import dataclasses
        >>> from dealsim.model.market import Market
        >>> from dealsim.presets import ohio_gas_power
        >>> levels = dataclasses.replace(ohio_gas_power(), market=Market())
        >>> s = simulate_stream(levels, 2000, seed=1)
        >>> s.tornado()[0].method, s.tornado(method="conditional")[0].n_low >= 200
        ('deterministic', True)
        """
        if method is None:
            paths = any(b.measure != "level" for b in self.conditional_bars)
            method = "conditional" if paths else "deterministic"
        if method not in TORNADO_METHODS:
            raise InvalidParameterError(
                f"method must be None or one of {tuple(TORNADO_METHODS)}; got {method!r}")
        bars = self.tornado_bars if method == "deterministic" else self.conditional_bars
        if not bars:
            raise InvalidParameterError(f"this summary carries no {method} tornado bars")
        if output not in bars[0].low:
            raise InvalidParameterError(
                f"output must be one of {tuple(bars[0].low)}; got {output!r}")
        return sorted(bars, key=lambda b: -np.nan_to_num(b.swing(output)))

    def summary(
        self,
        *,
        quantiles: tuple[float, ...] = (0.05, 0.10, 0.50, 0.90, 0.95),
        confidence: float = 0.95,
    ) -> Summary:
        """The same table as :meth:`dealsim.SimulationResult.summary`, from the statistics.

        Quantile intervals are the order-statistic confidence intervals widened to the
        bins holding their end ranks (so they contain the exact intervals). Total
        losses count as an investor IRR of -100%, as in the in-memory summary.
        """
        from scipy import stats as _stats  # lazy: scipy.stats costs ~0.5 s to import

        v.fraction("confidence", confidence, allow_one=False)
        alpha = 1.0 - confidence
        table = {}
        for name in self.moments:
            mom = self._summary_moments(name)
            m = mom.count
            hw = _z(confidence) * mom.std / math.sqrt(m) if m else math.nan
            quant = {}
            for q in quantiles:
                if m == 0:
                    quant[q] = (math.nan, math.nan, math.nan)
                    continue
                lo_rank = min(max(int(_stats.binom.ppf(alpha / 2.0, m, q)), 1), m)
                hi_rank = min(max(int(_stats.binom.ppf(1.0 - alpha / 2.0, m, q)) + 1, 1), m)
                quant[q] = (self.quantile(name, q)[0], self._slot_bounds(name, lo_rank)[1],
                            self._slot_bounds(name, hi_rank)[2])
            mean = mom.mean if m else math.nan
            table[name] = Statistic(name, m, mean, (mean - hw, mean + hw), mom.std, quant,
                                    self._total_losses(name))
        return Summary(title=self.title, n=self.n, seed=self.seed, sampler=self.sampler,
                       confidence=confidence, statistics=table,
                       probabilities=self.probabilities(), backend=self.backend,
                       requested=self.requested, partial=self.partial)

    def to_dict(self, *, confidence: float = 0.95) -> dict[str, Any]:
        """:meth:`summary` as strict JSON data (see :meth:`dealsim.Summary.to_dict`).

        Adds ``"statistics_from": "streaming"`` and the histogram ``bins``: quantiles and
        their intervals come from the histogram (bounds in the module docstring).

        Examples
        --------
        >>> import json
        >>> from dealsim.presets import ohio_gas_power
        >>> d = simulate_stream(ohio_gas_power(), 2000, seed=1).to_dict()
        >>> d["schema_version"], d["n"], d["statistics_from"]
        (1, 2000, 'streaming')
        >>> len(json.dumps(d, allow_nan=False)) > 0
        True
        """
        out = self.summary(confidence=confidence).to_dict()
        out["statistics_from"] = "streaming"
        out["bins"] = int(next(iter(self.edges.values())).size - 1) if self.edges else 0
        return out


def simulate_stream(
    deal: Deal,
    n: int | float,
    *,
    seed: int | np.random.SeedSequence | np.random.Generator | None,
    uncertainties: Uncertainties | None = None,
    sampler: str = "random",
    executor: Any = None,
    bins: int = 4096,
    within_years: int = 20,
    window: int = 64,
    progress: Callable[[int, int], bool | None] | bool | None = None,
    deadline: float | None = None,
    on_stop: str = "partial",
    backend: str = "auto",
) -> StreamingSummary:
    """Run ``n`` scenarios like :func:`dealsim.simulate`, keeping only statistics.

    Parameters
    ----------
    deal, n, seed, uncertainties, sampler, executor, within_years
        As in :func:`dealsim.simulate` (same seed -> the same scenarios).
    bins : int
        Histogram bins per output (>= 16); the quantile error bound is one bin width.
    window : int
        Blocks in flight at once (>= 1); memory on the caller is ``window`` block
        statistics, whatever ``n``.
    progress, deadline, on_stop, backend
        As in :func:`dealsim.simulate`; a run stopped early returns the summary of the
        blocks done (``partial`` true, ``n < requested``) or raises.

    Returns
    -------
    StreamingSummary

    Raises
    ------
    InvalidParameterError
        As :func:`dealsim.simulate`, or if ``bins < 16`` or ``window < 1``.
    DeadlineExceeded, RunCancelled
        With ``on_stop="raise"``, when the run stops early (``exc.result`` holds the
        partial summary).

    Notes
    -----
    Block 0 runs on the caller first: its range fixes the histogram edges, which every
    worker then uses. Statistics are merged in block order (see the module docstring).

    Examples
    --------
    >>> from dealsim.presets import ohio_gas_power
    >>> s = simulate_stream(ohio_gas_power(), 3000, seed=7)
    >>> s.n, s.moments["investor_npv"].count
    (3000, 3000)
    """
    bins = v.integer("bins", bins, minimum=16)
    window = v.integer("window", window, minimum=1)
    with Runner(0, executor=executor, progress=progress, deadline=deadline, on_stop=on_stop,
                window=window, desc=getattr(deal, "name", "") or "simulate_stream") as runner:
        setup = _plan(deal, n, seed, uncertainties, sampler, 0, within_years, backend)
        runner.n = setup.n
        light = {k: x for k, x in setup.meta.items() if k != "tornado_bars"}
        horizon = setup.template.horizon
        first = next(runner.run(_run_block, itertools.islice(setup.jobs(), 1)))
        conditional = _first_block_bars(first, setup, light)
        edges = _edges(first, bins)
        total = _reduce(first, edges, light, horizon)
        del first
        work = functools.partial(_run_and_reduce, edges=edges, meta=light)
        for part in runner.run(work, setup.jobs(start=1)):
            total = total.merge(part)
    out = StreamingSummary(
        **{f.name: light[f.name] for f in RUN_META if f.name in light},
        n=total.n, moments=total.moments, edges=edges, counts=total.counts,
        events=total.events, recovered=total.recovered,
        tornado_bars=setup.meta["tornado_bars"], conditional_bars=conditional,
        requested=setup.n if runner.stopped else None, partial=bool(runner.stopped),
    )
    return runner.finish(out, out.n)
