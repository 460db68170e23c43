"""The Monte Carlo composer: draws -> cash flows -> fees -> waterfall -> metrics.

Scenarios run in fixed blocks of :data:`BLOCK_SIZE`; block ``b`` holds scenarios
``[b * BLOCK_SIZE, (b + 1) * BLOCK_SIZE)`` and draws its random numbers from a stream
keyed by ``(seed, b)`` alone. So scenario ``i`` depends only on the seed and ``i``:
not on ``n``, on how blocks are scheduled, on threads or processes, or on the
executor. Memory is bounded by the block, not by ``n``.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dealsim.common import validate as v
from dealsim.common.outputs import OUTPUT_TABLE
from dealsim.errors import InvalidParameterError
from dealsim.finance.cashflows import FACTOR_DEFAULTS, MAX_DELAY
from dealsim.finance.evaluation import _simulation_outputs, evaluate_draws
from dealsim.kernels import block as _kernels
from dealsim.model.deal import Deal
from dealsim.model.market import PATH_NAMES, block_paths, check_deemed_rate
from dealsim.montecarlo.collect import BlockCollector
from dealsim.montecarlo.engine import (
    BLOCK_SIZE,
    Collector,
    Runner,
    check_n,
    check_workers,
    n_blocks,
    plan,
    working_bytes,
)
from dealsim.montecarlo.uncertainty import (
    SAMPLERS,
    Uncertainties,
    as_seed_sequence,
    default_uncertainties,
    sampler_uniforms,
)
from dealsim.results.sensitivity import TornadoBar
from dealsim.results.simulation import SimulationResult
from dealsim.results.summary import OUTPUTS, PROBABILITIES

__all__ = ["BLOCK_SIZE", "MAX_DELAY_YEARS", "PrecisionWarning", "simulate", "tornado"]


class PrecisionWarning(UserWarning):
    """``simulate(..., until=...)`` ran out of scenarios before meeting its targets."""


#: Largest delay (years) an uncertainty may reach: the grid of every scenario grows by
#: the largest delay drawn, so an unbounded delay distribution (``LogNormal`` without
#: ``high``) would make grids of millions of years. Design limit (**assumption**): 100
#: years, ten times the largest delay of the reference classes (``high=10``); the
#: model's own limit, :data:`dealsim.finance.cashflows.MAX_DELAY`.
MAX_DELAY_YEARS = MAX_DELAY

#: The quantile at which a delay distribution's upper end is read (draws never exceed
#: it: uniforms are clipped to ``1 - 2**-53``).
_DELAY_TOP = 1.0 - 1e-16

_TORNADO_OUTPUTS = ("investor_npv", "investor_irr", "host_npv")

F64 = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class _Block:
    """Everything one worker needs to compute one block (picklable)."""

    deal: Deal
    uncertainties: Uncertainties
    sampler: str
    root: np.random.SeedSequence
    index: int
    rows: int
    horizon: int
    paths: int
    backend: str
    #: In-process runs: the block's rows of the result arrays (``dealsim.montecarlo.engine.
    #: Collector.rows_at``), written in place instead of copied after the block.
    out: Mapping[str, NDArray[Any]] | None = None


def _run_block(job: _Block) -> dict[str, NDArray[Any]]:
    """Draw and evaluate the first ``job.rows`` scenarios of block ``job.index``."""
    unc = job.uncertainties
    u = sampler_uniforms(job.sampler, job.root, block=job.index, size=BLOCK_SIZE, dim=unc.dim)
    dest = job.out or {}
    draws = {}
    for k, x in unc.transform(u).items():
        if "in:" + k in dest:
            draws[k] = dest["in:" + k]
            draws[k][...] = x[: job.rows]
        else:
            draws[k] = np.ascontiguousarray(x[: job.rows])
    keep = max(0, min(job.paths - job.index * BLOCK_SIZE, job.rows))
    out = _simulation_outputs(job.deal, draws, horizon=job.horizon, paths=keep,
                              backend=job.backend, root=job.root, block=job.index,
                              out=dest)
    for name, x in draws.items():
        out["in:" + name] = x
    return out


def _horizon(deal: Deal, unc: Uncertainties) -> int:
    """Grid length shared by every block: construction + life + the largest delay."""
    max_delay = 0.0
    if "delay" in unc.names:
        max_delay = float(np.max(unc.marginals["delay"].ppf(np.array([0.5, _DELAY_TOP]))))
    if not math.isfinite(max_delay) or not 0 <= max_delay <= MAX_DELAY_YEARS:
        raise InvalidParameterError(
            f"uncertainties['delay'] must stay within [0, {MAX_DELAY_YEARS}] years (bound it, "
            f"e.g. Rounded(..., high=10)); its upper end (quantile 1 - 1e-16) is "
            f"{max_delay:.4g} years")
    return deal.project.base_horizon + int(math.ceil(max_delay))


def _check_until(until: Mapping[str, float] | None) -> dict[str, float]:
    if until is None:
        return {}
    if not isinstance(until, Mapping) or not until:
        raise InvalidParameterError(
            f"until must be a non-empty mapping of target -> half-width; got {until!r}")
    out = {}
    for key, tol in until.items():
        name, _, quant = str(key).partition(":")
        if quant and not (quant.startswith("p") and quant[1:].replace(".", "", 1).isdigit()
                          and 0 < float(quant[1:]) < 100):
            raise InvalidParameterError(
                f"until: a quantile target looks like 'investor_irr:p50'; got {key!r}")
        if key not in PROBABILITIES and name not in OUTPUTS:
            raise InvalidParameterError(
                f"until: unknown target {key!r}; use a probability ({sorted(PROBABILITIES)}), "
                "an output for its mean, or 'output:p50' for a quantile"
            )
        out[str(key)] = v.positive(f"until[{key!r}]", tol)
    return out


def tornado(
    deal: Deal,
    uncertainties: Uncertainties,
    *,
    low: float = 0.10,
    high: float = 0.90,
    horizon: int | None = None,
) -> tuple[TornadoBar, ...]:
    """Swing each uncertainty between two quantiles with the others at their medians.

    Parameters
    ----------
    deal : Deal
    uncertainties : Uncertainties
    low, high : float
        Quantiles of the swing (default P10 and P90).
    horizon : int, optional
        Grid length; default from the uncertainties' largest delay.

    Returns
    -------
    tuple of TornadoBar
        One bar per uncertainty that varies, in the order of ``uncertainties.names``;
        each holds investor NPV, investor IRR and host NPV at both ends.

    Notes
    -----
    All ``2k`` evaluations run as one vectorised batch through
    :func:`dealsim.evaluate_draws`: the deterministic model, which takes the factors
    it is given and ignores ``deal.market``. For a factor that follows a path in a
    simulation (power, fuel, the deemed rate, USD/JPY), a bar is therefore its whole
    path held at its level's P10 or P90 for the life of the deal -- a persistent
    shift, the full-persistence special case of :mod:`dealsim.model.paths` -- and none of
    these bars moves with the paths. The bars that do, E[output | the path's summary
    in its lowest or highest decile] over the simulated scenarios, are
    ``SimulationResult.tornado(method="conditional")`` (the default there for a deal
    with market paths).

    Examples
    --------
    >>> from dealsim.presets import ohio_gas_power
    >>> from dealsim.montecarlo.uncertainty import default_uncertainties
    >>> bars = tornado(ohio_gas_power(), default_uncertainties("fossil_thermal"))
    >>> price = next(b for b in bars if b.name == "price")
    >>> price.method, bool(price.high["investor_npv"] > price.low["investor_npv"])
    ('deterministic', True)
    """
    if not 0.0 < low < high < 1.0:
        raise InvalidParameterError(f"low and high must satisfy 0 < low < high < 1; got "
                                    f"{low!r}, {high!r}")
    names = list(uncertainties.random_names)
    if not names:
        return ()
    med = uncertainties.quantiles(0.5)
    lo_q, hi_q = uncertainties.quantiles(low), uncertainties.quantiles(high)
    k = len(names)
    draws = {name: np.full(2 * k, float(val)) for name, val in med.items()}
    for j, name in enumerate(names):
        draws[name][2 * j] = lo_q[name]
        draws[name][2 * j + 1] = hi_q[name]
    ev = evaluate_draws(deal, draws, horizon=horizon or _horizon(deal, uncertainties))
    outs = {"investor_npv": ev.investor_npv, "investor_irr": ev.investor_irr,
            "host_npv": ev.host_npv}
    return tuple(
        TornadoBar(
            name=name, low_input=float(lo_q[name]), high_input=float(hi_q[name]),
            low={o: float(outs[o][2 * j]) for o in _TORNADO_OUTPUTS},
            high={o: float(outs[o][2 * j + 1]) for o in _TORNADO_OUTPUTS},
        )
        for j, name in enumerate(names)
    )


def simulate(
    deal: Deal,
    n: int | float,
    *,
    seed: int | np.random.SeedSequence | np.random.Generator | None,
    uncertainties: Uncertainties | None = None,
    sampler: str = "random",
    executor: Any = None,
    until: Mapping[str, float] | None = None,
    confidence: float = 0.95,
    paths: int = 1000,
    within_years: int = 20,
    progress: Callable[[int, int], bool | None] | bool | None = None,
    backend: str = "auto",
    deadline: float | None = None,
    on_stop: str = "partial",
    workers: int | None = None,
) -> SimulationResult:
    """Run ``n`` Monte Carlo scenarios of ``deal`` in fixed blocks.

    Parameters
    ----------
    deal : Deal
    n : int
        Number of scenarios (>= 1); with ``until``, the most to run.
    seed : int, SeedSequence or Generator
        Source of randomness (scipy's SPEC 7 convention). ``None`` draws fresh OS
        entropy. The result's ``seed`` attribute says how to reproduce the run: for an
        int seed, and for ``None`` or a SeedSequence without a spawn key, it is the
        entropy as text, so ``seed=int(result.seed)`` repeats the run.
    uncertainties : Uncertainties, optional
        Default: :func:`dealsim.montecarlo.uncertainty.default_uncertainties` for the project's
        ``reference_class``.
    sampler : {"random", "lhs", "sobol"}
        Pseudo-random (default), Latin hypercube stratified within each block, or
        scrambled Sobol' (scenario ``i`` is point ``i`` of one sequence).
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Runs blocks in parallel. Results are bit-identical to the serial run. ``None``
        (default): the blocks run on ``workers`` threads of a pool made for this call
        and shut down before it returns (the compiled kernel and numpy's array
        operations release the GIL, so threads share the CPUs).
    workers : int, optional
        Threads without an executor: ``None`` (default) uses every CPU this process may
        run on, ``1`` runs the blocks one after another in the calling thread. Results
        are bit-identical whatever the number (blocks are independent and collected in
        block order). Must be ``None`` when an ``executor`` is given.
    until : mapping of str to float, optional
        Precision control: keep adding blocks (up to ``n`` scenarios) until the
        ``confidence`` interval half-width of every target is at most its value.
        Targets: a probability name (``"p_recover_daa"``), an output for its mean
        (``"investor_npv"``) or a quantile (``"investor_irr:p50"``). The check runs
        after each block in block order, so where it stops depends only on the seed.
        If ``n`` scenarios do not reach every target, the result holds all ``n`` and a
        :class:`PrecisionWarning` names the targets missed.
    confidence : float
        Level used by ``until``.
    paths : int
        Keep year-by-year investor flows and deemed-allocation balances of the first
        ``paths`` scenarios (for fan charts). 0 keeps none. For a deal with market paths
        (``deal.market``), the result also keeps those scenarios' market paths and
        their summaries (``result.paths``, ``result.path_inputs``: the market fan and
        the conditional tornado), regenerated once after the run from the seed and
        their draws -- nothing is added to the blocks.
    within_years : int
        Horizon of the ``p_recover_daa_within`` probability, counted from the first
        year of funding (the Korean MOU's 20-year test; ``docs/sources.md``).
    backend : {"auto", "numpy", "numba"}
        ``"numpy"``: the model's steps vectorised across each block of scenarios.
        ``"numba"``: the same steps compiled and fused per scenario (extra
        ``dealsim[fast]``; both readings; several times faster), within 1e-12 of numpy.
        ``"auto"`` (default): numba when it is installed. The backend used is recorded
        in ``result.backend``; to reproduce a run bit for bit, use the same backend.
    progress : bool or callable, optional
        ``True``: a progress bar with rate and ETA (tqdm's auto mode: a widget in a
        notebook; extra ``dealsim[progress]``). A callable is called as
        ``progress(done, total)`` after each block arrives, in block order (``total`` is
        the number of blocks; with ``until`` the run may stop early); if it returns
        ``False`` (exactly; ``None`` continues) the run stops there: the cancel hook.
    deadline : float, optional
        Time budget in seconds from the call. The run stops at the first block boundary
        after it passes (serially, or on the call's own threads, it overruns by at most
        about one block, 0.02-0.1 s per 16,384 scenarios: the blocks already running
        finish before the pool shuts down; on an executor it stops waiting at the
        deadline). At least one block always runs.
    on_stop : {"partial", "raise"}
        What a run stopped by ``deadline`` or the cancel hook does. ``"partial"``
        (default): return the blocks done, ``result.partial`` true and ``result.n <
        result.requested``; those rows equal the first rows of the full run.
        ``"raise"``: raise :class:`dealsim.errors.DeadlineExceeded` or
        :class:`dealsim.errors.RunCancelled`, whose ``result`` holds the same prefix.

    Returns
    -------
    SimulationResult

    Raises
    ------
    InvalidParameterError
        If ``n`` is not in ``[1, 1e11]`` (:data:`dealsim.montecarlo.engine.MAX_N`) or its arrays
        would not fit in the machine's memory, the seed or sampler is invalid (Sobol':
        at most ``2**30`` scenarios), a delay can exceed :data:`MAX_DELAY_YEARS`, the
        executor is of an unknown kind, or an ``until`` target is unknown. All are
        checked before any block runs.
    DeadlineExceeded, RunCancelled
        With ``on_stop="raise"``, when the run stops early.

    Notes
    -----
    Reproducibility contract (default sampler, and LHS and Sobol' too): scenario
    ``i`` lives in block ``i // BLOCK_SIZE``, whose uniforms come from
    ``SeedSequence(entropy, spawn_key=(block,))`` (Sobol': a fixed scramble and point
    ``i``). Every block draws a full ``BLOCK_SIZE`` rows and keeps the rows it needs,
    so the first ``k`` scenarios are identical for every ``n >= k``.

    Examples
    --------
    >>> from dealsim.presets import ohio_gas_power
    >>> r = simulate(ohio_gas_power(), 1000, seed=7)
    >>> r.n, r.investor_npv.shape
    (1000, (1000,))
    >>> bool((simulate(ohio_gas_power(), 10, seed=7).investor_npv == r.investor_npv[:10]).all())
    True
    """
    targets = _check_until(until)
    v.fraction("confidence", confidence, allow_one=False)
    threads = check_workers(workers, executor)
    with Runner(0, executor=executor, progress=progress, deadline=deadline, on_stop=on_stop,
                desc=getattr(deal, "name", "") or "simulate", threads=threads) as runner:
        setup = _plan(deal, n, seed, uncertainties, sampler, paths, within_years, backend,
                      keep_rows=True)
        runner.n = setup.n
        if targets:  # no more blocks in flight than workers: stop soon after the target
            runner.window = min(runner.window, runner.workers)
        collector = BlockCollector(setup.n)
        into = None
        if executor is None:  # blocks run in this process: they write the results in place
            collector.reserve({o.name: o.dtype for o in OUTPUT_TABLE}
                              | {"in:" + k: np.float64 for k in setup.template.uncertainties.names})
            into = collector
        for block in runner.run(_run_block, setup.jobs(into=into)):
            collector.add(block)
            if targets:  # met targets end the run as complete, even at the deadline
                done = collector.result(**setup.meta)
                if all(done.half_width(t, confidence) <= tol for t, tol in targets.items()):
                    return _with_market(done, setup)
    if runner.stopped:
        return runner.finish(
            _with_market(collector.result(**setup.meta, requested=setup.n, partial=True),
                         setup), collector.rows)
    result = _with_market(collector.result(**setup.meta), setup)
    if targets:
        missed = {t: result.half_width(t, confidence) for t, tol in targets.items()
                  if result.half_width(t, confidence) > tol}
        warnings.warn(
            f"until: n={result.n:,} scenarios did not reach every target; half-widths "
            + ", ".join(f"{t}={hw:.3g} (target {targets[t]:.3g})" for t, hw in missed.items()),
            PrecisionWarning, stacklevel=2)
    return result


def _market_rows(deal: Deal, root: np.random.SeedSequence, inputs: Mapping[str, F64],
                 k: int, horizon: int) -> dict[str, F64]:
    """The ``(k, T)`` market paths of the first ``k`` scenarios, regenerated.

    Each block's paths depend only on ``(root, block)``, the scenario's year-0 draws
    and its row (:mod:`dealsim.model.paths`), so :func:`dealsim.model.market.block_paths` on the
    first rows of each block gives back the paths the run used, without the run
    keeping them. Starts default as in the run (factors of 1, the terms' deemed
    rate, ¥159/$). Every family ``deal.market`` models is returned (USD/JPY also
    when the deal has no yen fee and so never reads it).
    """
    names = [name for name, family in PATH_NAMES.items()
             if getattr(deal.market, family) is not None]
    parts: dict[str, list[F64]] = {name: [] for name in names}
    defaults = {"price": 1.0, "fuel": 1.0, "deemed_rate": deal.terms.deemed_rate,
                "usdjpy": FACTOR_DEFAULTS["usdjpy"]}
    for b, rows in plan(k) if k else ():
        at = slice(b * BLOCK_SIZE, b * BLOCK_SIZE + rows)
        start = {name: inputs[name][at] if name in inputs else np.full(rows, default)
                 for name, default in defaults.items()}
        moved = block_paths(deal.market, root, b, start, horizon)
        for name in names:
            parts[name].append(np.ascontiguousarray(moved[name]))
    return {name: np.concatenate(p) if p else np.empty((0, horizon))
            for name, p in parts.items()}


def _path_summaries(deal: Deal, market: Mapping[str, F64], delay: F64 | None
                    ) -> dict[str, F64]:
    """Each market path's summary (:data:`dealsim.results.sensitivity.PATH_MEASURES`) per scenario:
    its mean over the scenario's operating years ``[cod, cod + life)``, ``cod =
    construction_years + delay``, or for the deemed rate over ``[0, cod + life)``."""
    if not market:
        return {}
    k, horizon = next(iter(market.values())).shape
    proj = deal.project
    cod = proj.construction_years + (np.zeros(k, dtype=np.int64) if delay is None
                                     else np.asarray(delay[:k]).astype(np.int64))
    t = np.arange(horizon)
    end = (cod + proj.operating_life)[:, None]
    windows = {"operating": (t >= cod[:, None]) & (t < end), "life": t < end}
    out = {}
    for name, x in market.items():
        w = windows["life" if name == "deemed_rate" else "operating"]
        out[name] = np.einsum("st,st->s", x, w) / w.sum(axis=1)
    return out


def _with_market(result: SimulationResult, setup: _Setup, k: int | None = None
                 ) -> SimulationResult:
    """``result`` with the market paths of its first ``k`` scenarios (default: the
    ``paths`` it keeps) and their summaries (a deal of levels: unchanged). Costs one
    regeneration of ``k`` rows' paths, outside the blocks."""
    job = setup.template
    if job.deal.market.is_levels:
        return result
    k = min(job.paths if k is None else k, result.n)
    market = _market_rows(job.deal, job.root, result.inputs, k, job.horizon)
    return dataclasses.replace(
        result, paths={**result.paths, **market},
        path_inputs=_path_summaries(job.deal, market, result.inputs.get("delay")))


@dataclass(frozen=True, slots=True)
class _Setup:
    """A validated run: the block job template, ``n`` and the result metadata."""

    template: _Block
    n: int
    meta: dict[str, Any]

    def jobs(self, start: int = 0, into: Collector | None = None
             ) -> Iterator[tuple[int, _Block]]:
        """``(rows, job)`` for blocks ``start, start + 1, ...``, lazily; with ``into``
        (a collector of this run, in this process), each job writes its rows of the
        collector's arrays in place."""
        for b, rows in plan(self.n, start):
            out = into.rows_at(b * BLOCK_SIZE, rows) if into is not None else None
            yield rows, dataclasses.replace(self.template, index=b, rows=rows, out=out)


def _plan(
    deal: Deal, n: int | float, seed: Any, uncertainties: Uncertainties | None, sampler: str,
    paths: int, within_years: int, backend: str = "auto", *, keep_rows: bool = False,
) -> _Setup:
    """Validate the arguments shared by every runner (cheap checks first)."""
    if not isinstance(deal, Deal):
        raise InvalidParameterError(f"deal must be a Deal; got {deal!r}")
    check_deemed_rate(deal.market, deal.terms.deemed_rate, where="deal.terms")
    n = check_n(n)  # a whole float such as 1e6 is accepted
    root = as_seed_sequence(seed) if seed is not None else np.random.SeedSequence()
    unc = uncertainties if uncertainties is not None else default_uncertainties(
        deal.project.reference_class or "all_electricity")
    if not isinstance(unc, Uncertainties):
        raise InvalidParameterError(f"uncertainties must be an Uncertainties; got {unc!r}")
    paths = v.integer("paths", paths, minimum=0)
    horizon = _horizon(deal, unc)
    # what must fit in memory: the kept market paths and the blocks' arrays (by the
    # horizon), plus the per-scenario arrays when they are kept
    row_bytes = (sum(np.dtype(o.dtype).itemsize for o in OUTPUT_TABLE) + 8 * len(unc.names)
                 if keep_rows else 0)
    check_n(n, row_bytes=row_bytes,
            fixed_bytes=working_bytes(horizon=horizon, kept_paths=min(paths, n)))
    check_sampler(sampler, root, n)
    within_years = v.integer("within_years", within_years, minimum=1)
    used = _kernels.resolve(backend, deal)
    meta = dict(
        title=deal.name,
        seed=_describe_seed(seed, root),
        sampler=sampler,
        first_year=int(deal.project.first_year),
        within_years=within_years,
        tornado_bars=tornado(deal, unc, horizon=horizon),
        backend=used,
    )
    return _Setup(_Block(deal, unc, sampler, root, 0, 0, horizon, paths, used), n, meta)


def check_sampler(sampler: str, root: np.random.SeedSequence, n: int) -> None:
    """Refuse an unknown sampler, or more scenarios than it can draw, before any work."""
    try:  # the last block, one column: Sobol' refuses points beyond 2**30
        sampler_uniforms(sampler, root, block=n_blocks(n) - 1, size=BLOCK_SIZE, dim=1)
    except InvalidParameterError as exc:
        if sampler not in SAMPLERS:
            raise
        raise InvalidParameterError(f"n={n:,} is too many for sampler={sampler!r}: {exc}") from None


def _describe_seed(seed: object, root: np.random.SeedSequence) -> str:
    if isinstance(seed, int | np.integer) and not isinstance(seed, bool):
        return str(int(seed))
    if isinstance(root.entropy, int) and not root.spawn_key:
        return str(root.entropy)  # SeedSequence(e) == SeedSequence(int(seed)): reusable
    text = f"SeedSequence(entropy={root.entropy!r}"
    return text + (f", spawn_key={tuple(root.spawn_key)!r})" if root.spawn_key else ")")
