"""Per-scenario results of a Monte Carlo run: :class:`SimulationResult`.

:class:`SimulationResult` holds one array of shape ``(n,)`` per output and per drawn
input; scenario ``i`` is row ``i`` of every array. Everything here is computed from
those arrays, so two results built from the same seed print the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dealsim.common import validate as v
from dealsim.common.display import html_table, short_repr
from dealsim.common.outputs import ARRAYS, OUTPUT_TABLE, RUN_META, complete_requested
from dealsim.errors import InvalidParameterError
from dealsim.results.sensitivity import (
    INPUT_UNITS,
    MIN_CONDITIONAL_ROWS,
    PATH_MEASURES,
    TORNADO_METHODS,
    TornadoBar,
    conditional_bars,
)
from dealsim.results.summary import (
    OUTPUTS,
    PROBABILITIES,
    Probability,
    Summary,
    _statistic,
    _z,
    irr_for_statistics,
    probabilities_from_counts,
)

__all__ = ["INPUT_UNITS", "SimulationResult"]

F64 = NDArray[np.float64]



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
        (:mod:`dealsim.model.market`) also the paths those scenarios' market followed, by
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
    changes : dict of str to (preset value, value)
        What this run's assumptions change from its preset's defaults, by dotted field
        path (``project.price``), plus ``uncertainties.<name>`` for uncertainties that
        are not the defaults (:func:`dealsim.common.baselines.deal_changes`). Empty for a
        preset's default build, or a deal that is no preset's.
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
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)

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
        :mod:`dealsim.model.market`): the **deterministic** bar holds the factor's whole
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
        >>> from dealsim.model.market import Market
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

    def to_pandas(self, *, raw: bool = False) -> Any:
        """One pandas DataFrame, one row per scenario (needs pandas).

        Columns: every output of :data:`dealsim.common.outputs.OUTPUT_TABLE`, then each
        drawn input as ``in_<name>``. Values are stored units (USD, decimals per year,
        factors), listed in ``df.attrs["units"]`` for every column; ``attrs["title"]``,
        ``attrs["seed"]`` and ``attrs["changes"]`` say which run it is. The summary with
        its intervals is ``result.summary().to_pandas()``, the kept year-by-year paths
        :meth:`paths_to_pandas`.

        Parameters
        ----------
        raw : bool
            ``False`` (default): ``recovered_at`` is a nullable integer column with
            ``<NA>`` where Japan never recovers its deemed allocation, so ``describe()``
            and means count recovered scenarios only. ``True``: the stored int64 codes
            (``-1`` for never), as files keep them.

        Examples
        --------
        >>> import dealsim
        >>> from dealsim.presets import ohio_gas_power
        >>> df = dealsim.simulate(ohio_gas_power(), 100, seed=1).to_pandas()
        >>> len(df), df.attrs["units"]["investor_npv"], df["recovered_at"].dtype
        (100, 'USD', Int64Dtype())
        >>> bool((df["recovered_at"].dropna() >= 0).all())
        True
        """
        import pandas as pd

        cols: dict[str, Any] = {name: getattr(self, name) for name in _ARRAYS}
        if not raw:
            rec = self.recovered_at
            cols["recovered_at"] = pd.array(np.where(rec >= 0, rec, 0), dtype="Int64")
            cols["recovered_at"][rec < 0] = pd.NA
        cols.update({"in_" + name: x for name, x in self.inputs.items()})
        df = pd.DataFrame(cols)
        units = {o.name: o.unit or ("code" if o.dtype.startswith("int") else "flag")
                 for o in OUTPUT_TABLE}
        units["recovered_at"] = "grid year (years after first_year)"
        units.update({"in_" + k: INPUT_UNITS.get(k, "input") for k in self.inputs})
        df.attrs.update(units=units, title=self.title, seed=self.seed,
                        changes=dict(self.changes), first_year=self.first_year)
        return df

    def paths_to_pandas(self) -> Any:
        """The kept year-by-year paths as one long DataFrame (needs pandas).

        Columns ``scenario``, ``year`` (calendar) and one column per kept path
        (``investor`` flows and deemed-allocation ``balance`` in USD; market factors);
        ``attrs["units"]`` gives each column's unit. Empty when no path was kept.
        """
        import pandas as pd

        if not self.paths:
            return pd.DataFrame({"scenario": [], "year": []})
        k, horizon = next(iter(self.paths.values())).shape
        cols: dict[str, Any] = {"scenario": np.repeat(np.arange(k), horizon),
                                "year": np.tile(self.first_year + np.arange(horizon), k)}
        for name, x in self.paths.items():
            if x.shape == (k, horizon):
                cols[name] = np.asarray(x).reshape(-1)
        df = pd.DataFrame(cols)
        df.attrs["units"] = {c: INPUT_UNITS.get(c, "USD") for c in cols} | {
            "scenario": "index", "year": "calendar year"}
        df.attrs["title"], df.attrs["seed"] = self.title, self.seed
        return df

    def __repr__(self) -> str:
        return short_repr("SimulationResult", self.title, n=self.n, seed=self.seed,
                          sampler=self.sampler, backend=self.backend,
                          partial=self.partial or None)

    def _repr_html_(self) -> str:
        summ = self.summary()
        keep = ("investor_irr:mean", "investor_irr:p5", "investor_irr:p50",
                "investor_irr:p95", "investor_npv:mean", "investor_npv:p50", "host_npv:mean")
        rows = [r for r in summ.rows() if r.name in keep or r.name.startswith("p_")]
        notes = ["intervals: 95% confidence; Japan is the investor, the US the host; "
                 "result.summary() has every statistic"]
        if self.changes:
            notes.insert(0, "changed from the preset: " + ", ".join(
                f"{k} = {new!r} (preset {old!r})" for k, (old, new) in self.changes.items()))
        return html_table("dealsim Monte Carlo", self.title,
                          {"n": self.n, "seed": self.seed, "sampler": self.sampler,
                           "backend": self.backend}, rows, notes)

    def head(self, k: int) -> SimulationResult:
        """The first ``k`` scenarios as a result of their own (same seed, same rows)."""
        if k < 1 or k > self.n:
            raise InvalidParameterError(f"k must be in [1, {self.n}]; got {k!r}")
        return _take(self, slice(0, k))


#: The per-scenario output arrays of :class:`SimulationResult`, in column order.
_ARRAYS = ARRAYS


def _meta(res: Any) -> dict[str, Any]:
    """The run metadata of :data:`dealsim.common.outputs.RUN_META` held by ``res``."""
    return {f.name: getattr(res, f.name) for f in RUN_META if hasattr(res, f.name)}


def _take(res: SimulationResult, rows: slice) -> SimulationResult:
    arrays = {name: getattr(res, name)[rows] for name in _ARRAYS}
    meta = {**_meta(res), "partial": False, "requested": None}  # a complete run of k
    return SimulationResult(
        **meta, inputs={k: x[rows] for k, x in res.inputs.items()},
        paths={k: x[rows] for k, x in res.paths.items()}, tornado_bars=res.tornado_bars,
        changes=res.changes,
        path_inputs={k: x[rows] for k, x in res.path_inputs.items()}, **arrays,
    )
