"""The Monte Carlo composer: draws -> cash flows -> fees -> waterfall -> metrics.

Scenarios run in fixed blocks of :data:`BLOCK_SIZE`; block ``b`` holds scenarios
``[b * BLOCK_SIZE, (b + 1) * BLOCK_SIZE)`` and draws its random numbers from a stream
keyed by ``(seed, b)`` alone. So scenario ``i`` depends only on the seed and ``i``:
not on ``n``, on how blocks are scheduled, on threads or processes, or on the
executor. Memory is bounded by the block, not by ``n``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import _kernels
from . import _validate as v
from .deal import Deal, _simulation_outputs, evaluate_draws
from .errors import InvalidParameterError
from .results import OUTPUTS, PROBABILITIES, BlockCollector, SimulationResult, TornadoBar
from .uncertainty import (
    Uncertainties,
    as_seed_sequence,
    default_uncertainties,
    sampler_uniforms,
)

__all__ = ["BLOCK_SIZE", "PrecisionWarning", "simulate", "tornado"]

class PrecisionWarning(UserWarning):
    """``simulate(..., until=...)`` ran out of scenarios before meeting its targets."""


#: Scenarios per block. Part of the reproducibility contract: changing it changes
#: which random stream each scenario reads.
BLOCK_SIZE = 16384

_TORNADO_OUTPUTS = ("investor_npv", "investor_irr", "host_npv")


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


def _run_block(job: _Block) -> dict[str, NDArray[Any]]:
    """Draw and evaluate the first ``job.rows`` scenarios of block ``job.index``."""
    unc = job.uncertainties
    u = sampler_uniforms(job.sampler, job.root, block=job.index, size=BLOCK_SIZE, dim=unc.dim)
    draws = {k: np.ascontiguousarray(x[: job.rows]) for k, x in unc.transform(u).items()}
    keep = max(0, min(job.paths - job.index * BLOCK_SIZE, job.rows))
    out = _simulation_outputs(job.deal, draws, horizon=job.horizon, paths=keep,
                              backend=job.backend)
    for name, x in draws.items():
        out["in:" + name] = x
    return out


def _horizon(deal: Deal, unc: Uncertainties) -> int:
    """Grid length shared by every block: construction + life + the largest delay."""
    max_delay = 0.0
    if "delay" in unc.names:
        max_delay = float(np.max(unc.marginals["delay"].ppf(np.array([0.5, 1.0 - 1e-16]))))
    if not math.isfinite(max_delay) or max_delay < 0:
        raise InvalidParameterError(
            "uncertainties['delay'] must be bounded (e.g. Rounded(..., high=10)); "
            f"its upper end is {max_delay!r}"
        )
    return deal.project.base_horizon + int(math.ceil(max_delay))


def _mapper(executor: Any) -> Callable[[Callable[[_Block], Any], Iterable[_Block]], Iterator[Any]]:
    """An order-preserving map over blocks for the given executor."""
    if executor is None:
        return map
    if hasattr(executor, "gather") and hasattr(executor, "map"):  # dask.distributed.Client

        def _dask_map(fn: Callable[[_Block], Any], jobs: Iterable[_Block]) -> Iterator[Any]:
            futures = executor.map(fn, list(jobs), pure=False)
            return (f.result() for f in futures)  # in block order, as each one is needed

        return _dask_map
    if isinstance(executor, Executor):
        return executor.map
    raise InvalidParameterError(
        "executor must be None, a concurrent.futures.Executor or a dask.distributed.Client; "
        f"got {executor!r}"
    )


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
    :func:`dealsim.evaluate_draws`.
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
    progress: Callable[[int, int], None] | None = None,
    backend: str = "auto",
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
        Default: :func:`dealsim.uncertainty.default_uncertainties` for the project's
        ``reference_class``.
    sampler : {"random", "lhs", "sobol"}
        Pseudo-random (default), Latin hypercube stratified within each block, or
        scrambled Sobol' (scenario ``i`` is point ``i`` of one sequence).
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Runs blocks in parallel. Results are bit-identical to the serial run.
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
        ``paths`` scenarios (for fan charts). 0 keeps none.
    within_years : int
        Horizon of the ``p_recover_daa_within`` probability, counted from the first
        year of funding (the Korean MOU's 20-year test, deal-facts.md §1).
    backend : {"auto", "numpy", "numba"}
        ``"numpy"``: the model's steps vectorised across each block of scenarios.
        ``"numba"``: the same steps compiled and fused per scenario (extra
        ``dealsim[fast]``; both readings; several times faster), within 1e-12 of numpy.
        ``"auto"`` (default): numba when it is installed. The backend used is recorded
        in ``result.backend``; to reproduce a run bit for bit, use the same backend.
    progress : callable, optional
        Called as ``progress(done, total)`` after each block arrives, in block order
        (``total`` is the number of blocks; with ``until`` the run may stop early).

    Returns
    -------
    SimulationResult

    Raises
    ------
    InvalidParameterError
        If ``n < 1``, the seed or sampler is invalid, the executor is of an unknown
        kind, or an ``until`` target is unknown.

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
    mapper = _mapper(executor)
    jobs, meta = _plan(deal, n, seed, uncertainties, sampler, paths, within_years, backend)
    n_blocks = len(jobs)
    collector = BlockCollector(sum(job.rows for job in jobs))
    width = max(1, getattr(executor, "_max_workers", 1) or 1) if targets else n_blocks
    for start in range(0, n_blocks, width):
        for done, block in enumerate(mapper(_run_block, jobs[start: start + width]), start + 1):
            collector.add(block)
            if progress is not None:
                progress(done, n_blocks)
            if targets:
                partial = collector.result(**meta)
                if all(partial.half_width(t, confidence) <= tol for t, tol in targets.items()):
                    return partial
    result = collector.result(**meta)
    if targets:
        missed = {t: result.half_width(t, confidence) for t, tol in targets.items()
                  if result.half_width(t, confidence) > tol}
        warnings.warn(
            f"until: n={result.n:,} scenarios did not reach every target; half-widths "
            + ", ".join(f"{t}={hw:.3g} (target {targets[t]:.3g})" for t, hw in missed.items()),
            PrecisionWarning, stacklevel=2)
    return result


def _plan(
    deal: Deal, n: int | float, seed: Any, uncertainties: Uncertainties | None, sampler: str,
    paths: int, within_years: int, backend: str = "auto",
) -> tuple[list[_Block], dict[str, Any]]:
    """Validate the arguments shared by every runner; return the blocks and result metadata."""
    if not isinstance(deal, Deal):
        raise InvalidParameterError(f"deal must be a Deal; got {deal!r}")
    n = v.integer("n", n, minimum=1)  # a whole float such as 1e6 is accepted
    root = as_seed_sequence(seed) if seed is not None else np.random.SeedSequence()
    unc = uncertainties if uncertainties is not None else default_uncertainties(
        deal.project.reference_class or "all_electricity")
    if not isinstance(unc, Uncertainties):
        raise InvalidParameterError(f"uncertainties must be an Uncertainties; got {unc!r}")
    sampler_uniforms(sampler, root, block=0, size=1, dim=1)  # validates the sampler name
    paths = v.integer("paths", paths, minimum=0)
    within_years = v.integer("within_years", within_years, minimum=1)
    horizon = _horizon(deal, unc)
    used = _kernels.resolve(backend, deal)
    jobs = [
        _Block(deal, unc, sampler, root, b, min(BLOCK_SIZE, n - b * BLOCK_SIZE), horizon, paths,
               used)
        for b in range(-(-n // BLOCK_SIZE))
    ]
    meta = dict(
        title=deal.name,
        seed=_describe_seed(seed, root),
        sampler=sampler,
        first_year=int(deal.project.first_year),
        within_years=within_years,
        tornado_bars=tornado(deal, unc, horizon=horizon),
        backend=used,
    )
    return jobs, meta


def _describe_seed(seed: object, root: np.random.SeedSequence) -> str:
    if isinstance(seed, int | np.integer) and not isinstance(seed, bool):
        return str(int(seed))
    if isinstance(root.entropy, int) and not root.spawn_key:
        return str(root.entropy)  # SeedSequence(e) == SeedSequence(int(seed)): reusable
    text = f"SeedSequence(entropy={root.entropy!r}"
    return text + (f", spawn_key={tuple(root.spawn_key)!r})" if root.spawn_key else ")")
