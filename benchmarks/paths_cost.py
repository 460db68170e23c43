"""What the owner's economics of issue #11 cost: simulate(ohio) with paths and operations.

Prints, on each backend, ``simulate(deal, n)`` (default arguments: every CPU) in seconds
and in bandwidth units (one ``np.add(a, b, out=a)`` over 1e6 x 40 float64, timed in the
same process, interleaved with the runs), medians of ``--repeat`` runs, for:

- the levels model (``Market()`` and ``Operations.legacy()``, the SoftBank fee in
  dollars: the model before issue 11),
- the owner's defaults with the fee in dollars (``Market.paths()``, ``Operations()``:
  economic dispatch, costly delays, tax on the investor's share, calls as spent),
- the owner's defaults as ``ohio_gas_power()`` builds them (the fee in yen, so the
  USD/JPY path is read too);

then the floor the path innovations set (drawing the standard normals of ``n``
scenarios from the same streams, on the same threads), the peak RSS of each run (a
child process each) and, with ``--stages``, where one thread's time goes per scenario::

    PYTHONPATH=src python benchmarks/paths_cost.py [--n 1000000] [--repeat 3] [--stages]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

import dealsim
from dealsim import DeveloperFee, Operations
from dealsim.model.market import Market, block_generators
from dealsim.montecarlo import engine as _engine
from dealsim.presets import ohio_gas_power

UNIT_SHAPE = (1_000_000, 40)


def configs() -> dict[str, dealsim.Deal]:
    """The three deals compared (module notes)."""
    owner = ohio_gas_power()
    usd = dataclasses.replace(owner, fees=(DeveloperFee.softbank_ohio(),))
    return {
        "levels (Market(), Operations.legacy(), fee in USD)": dataclasses.replace(
            usd, market=Market(), operations=Operations.legacy()),
        "owner + paths, fee in USD": usd,
        "owner + paths, fee in yen (ohio_gas_power())": owner,
    }


def peak_rss_mib() -> float:
    """This process's peak resident set (VmHWM)."""
    with open("/proc/self/status") as fh:
        kib = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM"))
    return kib / 1024


def _horizon(deal: dealsim.Deal) -> int:
    from dealsim.montecarlo.run import _horizon as horizon
    from dealsim.montecarlo.uncertainty import default_uncertainties

    return int(horizon(deal, default_uncertainties(deal.project.reference_class)))


def rng_floor(deal: dealsim.Deal, n: int, backend: str, threads: int) -> float:
    """Seconds to draw the path innovations of ``n`` scenarios of ``deal`` (2 T for the
    prices, T for SOFR, T for USD/JPY where read), block by block on ``threads``
    threads, as the backend draws them (numpy: a block at once; numba: a row at a
    time), and nothing else."""
    horizon = _horizon(deal)
    root = np.random.SeedSequence(1)
    yen = any(f.currency == "JPY" for f in deal.fees)
    draw: Callable[[Any, int, int], None]
    if backend == "numba":
        import numba

        @numba.njit(nogil=True)
        def rows(gen: Any, size: int, k: int, out: Any) -> None:
            for _ in range(size):
                for j in range(k):
                    out[j] = gen.standard_normal()

        buf = np.empty(2 * horizon)
        rows(np.random.default_rng(0), 1, 1, buf)  # compile

        def draw(gen: Any, size: int, k: int) -> None:
            rows(gen, size, k * horizon, np.empty(k * horizon))
    else:
        def draw(gen: Any, size: int, k: int) -> None:
            gen.standard_normal((size, horizon, k))

    def block(job: tuple[int, int]) -> None:
        b, size = job
        for gen, k in zip(block_generators(deal.market, root, b, usdjpy=yen), (2, 1, 1),
                          strict=True):
            if gen is not None:
                draw(gen, size, k)

    t = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(block, _engine.plan(n)))
    return time.perf_counter() - t


def child(n: int, label: str, backend: str) -> None:
    """Run one configuration in this (fresh) process and print its peak RSS as JSON."""
    deal = configs()[label]
    dealsim.simulate(deal, 2000, seed=1, backend=backend)  # numba loads its cache
    base = peak_rss_mib()
    dealsim.simulate(deal, n, seed=1, backend=backend)
    print(json.dumps({"peak_rss_mib": peak_rss_mib(), "base_rss_mib": base}))


def child_rss(n: int, label: str, backend: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--child", label, "--n", str(n),
                           "--backend", backend], capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def stages(backend: str) -> None:
    """Per scenario, one thread (CPU time of one block of the yen configuration), as the
    owner's features are switched on one at a time on the same block of draws."""
    from dealsim.finance.evaluation import _simulation_outputs
    from dealsim.kernels import block as _kernels
    from dealsim.montecarlo.uncertainty import default_uncertainties, sampler_uniforms

    deal = configs()["owner + paths, fee in yen (ohio_gas_power())"]
    unc = default_uncertainties(deal.project.reference_class)
    horizon = _horizon(deal)
    size = _engine.BLOCK_SIZE
    root = np.random.SeedSequence(1)
    draws = unc.transform(sampler_uniforms("random", root, block=0, size=size, dim=unc.dim))
    seen: dict[str, Any] = {}
    real = _kernels.block_outputs

    def spy(*a: Any, **k: Any) -> Any:
        seen["call"] = (a, k)
        return real(*a, **k)

    _kernels.block_outputs = spy
    try:
        _simulation_outputs(deal, draws, horizon=horizon, paths=0, backend=backend,
                            root=root, block=0)
    finally:
        _kernels.block_outputs = real
    (lp, sp, factors, rate, disc), kw = seen["call"]
    levels_lp = lp._replace(economic_dispatch=False)
    steps: dict[str, dict[str, Any]] = {
        "levels kernel (must-run, grid calls, no paths)": dict(
            lp=levels_lp, sp=sp._replace(dated=False), gens=(False, False, False)),
        "+ calls dated as spent": dict(lp=levels_lp, gens=(False, False, False)),
        "+ economic dispatch": dict(gens=(False, False, False)),
        "+ power and fuel paths": dict(gens=(True, False, False)),
        "+ SOFR path": dict(gens=(True, True, False)),
        "+ USD/JPY path (yen fee)": dict(gens=(True, True, True)),
    }

    def run(lp: Any = lp, sp: Any = sp, gens: tuple[bool, ...] = (True, True, True)) -> float:
        g = block_generators(deal.market, root, 0, prices=gens[0], sofr=gens[1],
                             usdjpy=gens[2])
        t = time.thread_time()
        real(lp, sp, factors, rate, disc, **dict(kw, gens=g))
        return time.thread_time() - t

    for v in steps.values():
        run(**v)
    times: dict[str, list[float]] = {k: [] for k in steps}
    sampler: list[float] = []
    for _ in range(7):
        t = time.thread_time()
        unc.transform(sampler_uniforms("random", root, block=0, size=size, dim=unc.dim))
        sampler.append(time.thread_time() - t)
        for k, v in steps.items():
            times[k].append(run(**v))
    print(f"\n{backend}: one thread, ns per scenario (median of 7 blocks of {size:,})")
    print(f"  {'draws (sampler, copula, marginals)':50s} "
          f"{statistics.median(sampler) / size * 1e9:7.0f}")
    prev = 0.0
    for k, v in times.items():
        m = statistics.median(v) / size * 1e9
        print(f"  {k:50s} {m:7.0f}  ({m - prev:+.0f})" if prev else f"  {k:50s} {m:7.0f}")
        prev = m


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--stages", action="store_true")
    ap.add_argument("--no-rss", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--backend", default="auto", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(a.n, a.child, a.backend)
        return
    cfg = configs()
    threads = _engine.default_workers()
    a_, b_ = np.ones(UNIT_SHAPE), np.ones(UNIT_SHAPE)
    for backend in ("auto", "numpy"):
        used = dealsim.simulate(cfg[next(iter(cfg))], 100, seed=1, backend=backend).backend
        for deal in cfg.values():
            dealsim.simulate(deal, 20_000, seed=1, backend=backend)  # compile, warm caches
        times: dict[str, list[float]] = {k: [] for k in cfg}
        unit: list[float] = []
        floor: list[float] = []
        for _ in range(a.repeat):
            t = time.perf_counter()
            np.add(a_, b_, out=a_)
            unit.append(time.perf_counter() - t)
            for label, deal in cfg.items():
                t = time.perf_counter()
                dealsim.simulate(deal, a.n, seed=1, backend=backend)
                times[label].append(time.perf_counter() - t)
            floor.append(rng_floor(cfg[list(cfg)[-1]], a.n, used, threads))
        u = statistics.median(unit)
        print(f"\nbackend={backend!r} ({used}), n={a.n:,}, {threads} threads, unit "
              f"{u * 1e3:.1f} ms, medians of {a.repeat}")
        for label, v in times.items():
            m = statistics.median(v)
            rss = "" if a.no_rss else (
                f", peak RSS {child_rss(a.n, label, backend)['peak_rss_mib']:,.0f} MiB")
            print(f"  {label:52s} {m:6.3f} s = {m / u:6.1f} units{rss}")
        f = statistics.median(floor)
        label = "floor: path innovations alone (yen config)"
        print(f"  {label:52s} {f:6.3f} s = {f / u:6.1f} units")
    if a.stages:
        for backend in ("numba", "numpy"):
            stages(backend)


if __name__ == "__main__":
    main()
