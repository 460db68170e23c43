"""dealsim benchmark suite: every figure printed beside its loop or peer baseline.

Run from the repository root (the ``bench`` extra brings pyxirr and threadpoolctl)::

    python benchmarks/run.py            # full run (~10 minutes on 2 cores)
    python benchmarks/run.py --quick    # smoke run (~1 minute)
    python benchmarks/run.py --decision # only fund_or_decline vs simulate, n = 1e6

Figures are medians of repeated runs in this process. ``simulate`` rows run in a
child process each, so that every row reports its own peak RSS; each child also
measures the bandwidth unit (one in-place add over a 1e6 x 40 float64 array), and
times are given in those units too. Baseline loops slower than a few seconds are
timed on their first rows and scaled by rows (their cost per row is constant).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

import dealsim
from dealsim import DealTerms, irr, npv, simulate, waterfall
from dealsim.presets import ohio_gas_power

UNIT_SHAPE = (1_000_000, 40)
RATE = 0.055  # the MOU's deemed rate (DealTerms.japan_2025), used for every NPV row


def peak_rss_mib() -> float:
    """This process's peak resident set (VmHWM; unlike ru_maxrss it restarts at exec)."""
    with open("/proc/self/status") as fh:
        kib = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM"))
    return kib / 1024


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    """Median wall time of ``repeat`` calls (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bandwidth_unit(repeat: int = 7) -> float:
    """Seconds for one ``np.add(a, b, out=a)`` over a 1e6 x 40 float64 array."""
    a, b = np.ones(UNIT_SHAPE), np.ones(UNIT_SHAPE)
    return median_time(lambda: np.add(a, b, out=a), repeat)


def import_seconds(module: str, repeat: int = 5, *, bytecode: bool = True) -> float:
    """Median over ``repeat`` fresh interpreters of ``import module`` (``-X importtime``'s
    cumulative time of the top-level import), with this process's dealsim on the path.

    dealsim is imported from a fresh copy of the package. ``bytecode=True`` (how an
    installed package imports: pip compiles its ``.pyc``): the copy is compiled first.
    ``False``: every dealsim module is compiled from source at each import (a machine
    that sets ``PYTHONDONTWRITEBYTECODE=1`` on an uncompiled checkout, as this sandbox
    does). numpy's installed bytecode is used in both cases.
    """
    with tempfile.TemporaryDirectory() as tmp:
        # a copy of the package without any __pycache__, so that the two cases differ
        # only in dealsim's bytecode
        shutil.copytree(os.path.dirname(dealsim.__file__), os.path.join(tmp, "dealsim"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        env = dict(os.environ, PYTHONPATH=tmp)
        if bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            subprocess.run([sys.executable, "-m", "compileall", "-q", tmp], env=env,
                           check=True, capture_output=True)
        else:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        times = []
        for _ in range(repeat):
            err = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                                 capture_output=True, text=True, env=env, check=True).stderr
            last = err.strip().splitlines()[-1]  # "import time: self | cumulative | name"
            times.append(int(last.split("|")[1]) / 1e6)
    return statistics.median(times)


def project_flows(rows: int, periods: int, seed: int = 0) -> np.ndarray:
    """Investor-like flows: 3 years of calls, then noisy distributions (IRR ~ 2-15%)."""
    rng = np.random.default_rng(seed)
    cf = rng.uniform(0.05, 0.2, size=(rows, periods))
    cf[:, :3] = -rng.uniform(0.5, 1.5, size=(rows, 3))
    return cf


def mixed_flows(rows: int, periods: int, seed: int = 1) -> np.ndarray:
    """A random mix of rows: 60% project-like (as above), 20% with a closing cost in the
    last year (two sign changes), 10% loans (money in, then out), 10% random signs."""
    rng = np.random.default_rng(seed)
    cf = project_flows(rows, periods, seed)
    kind = rng.choice(4, size=rows, p=[0.6, 0.2, 0.1, 0.1])
    cf[kind == 1, -1] = -rng.uniform(0.5, 3.0, size=int(np.sum(kind == 1)))
    cf[kind == 2] *= -1.0
    cf[kind == 3] = rng.normal(size=(int(np.sum(kind == 3)), periods))
    return cf


def one_sign_change(cf: np.ndarray) -> np.ndarray:
    """Rows whose flows change sign exactly once (exactly one IRR, by Descartes)."""
    s = np.sign(cf)
    changes = np.zeros(cf.shape[0], dtype=int)
    last = s[:, 0].copy()
    for t in range(1, cf.shape[1]):
        changes += (s[:, t] != 0) & (last != 0) & (s[:, t] != last)
        last = np.where(s[:, t] != 0, s[:, t], last)
    return changes == 1


def timed_loop(fn: Callable[[np.ndarray], Any], cf: np.ndarray, budget_rows: int,
               repeat: int = 1) -> tuple[float, np.ndarray]:
    """Time a per-row loop on at most ``budget_rows`` rows (median of ``repeat`` runs);
    return (s for all rows, out)."""
    k = min(budget_rows, cf.shape[0])
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = np.array([fn(row) for row in cf[:k]], dtype=np.float64)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * cf.shape[0] / k, out


# --- metrics ------------------------------------------------------------------------


def bench_irr(sizes: list[int], repeat: int, npf_rows: int,
              only: str | None = None) -> list[dict[str, Any]]:
    """irr on both backends against a numpy-financial loop and a pyxirr loop, on
    project-like rows and on a random mix; agreement measured on single-root rows.

    The loops and dealsim are timed side by side in each of ``repeat`` rounds (a busy
    machine slows them alike); the figures are medians over rounds, and each ratio is
    the median of the rounds' ratios. ``only``: time that backend alone (the loops
    still run beside it).
    """
    import numpy_financial as npf
    import pyxirr

    backends = ["numpy"] + (["numba"] if dealsim.kernels.irr._numba_irr() is not None else [])
    if only is not None:
        backends = [only]
    rows_out = []
    for label, make in (("project rows", project_flows), ("random mix", mixed_flows)):
        for rows in sizes:
            cf = make(rows, 40)
            single = one_sign_change(cf)
            for be in backends:
                irr(cf[:300], backend=be)  # warm-up (numba loads its cache)
            t_npf, t_px = [], []
            t_ds: dict[str, list[float]] = {be: [] for be in backends}
            for _ in range(repeat):
                with np.errstate(all="ignore"):  # np.roots on the random-sign rows
                    t, r_npf = timed_loop(npf.irr, cf, npf_rows)
                t_npf.append(t)
                t, r_px = timed_loop(lambda row: pyxirr.irr(row, silent=True), cf,
                                     10 * npf_rows)
                t_px.append(t)
                for be in backends:
                    t_ds[be].append(median_time(lambda cf=cf, be=be: irr(cf, backend=be), 3))
            r_px = np.array([np.nan if x is None else x for x in r_px], dtype=float)
            k, kp = r_npf.size, r_px.size
            for be in backends:
                ds = irr(cf, backend=be)
                rows_out.append(dict(
                    what=f"irr ({be}), {label}", rows=rows,
                    dealsim_s=statistics.median(t_ds[be]), npf_s=statistics.median(t_npf),
                    pyxirr_s=statistics.median(t_px),
                    x_npf=statistics.median(np.divide(t_npf, t_ds[be])),
                    x_pyxirr=statistics.median(np.divide(t_px, t_ds[be])),
                    agree_npf=float(np.nanmax(np.abs(ds[:k] - r_npf)[single[:k]])),
                    agree_pyxirr=float(np.nanmax(np.abs(ds[:kp] - r_px)[single[:kp]])),
                ))
    return rows_out


def bench_metrics(sizes: list[int], repeat: int, npf_rows: int) -> list[dict[str, Any]]:
    import numpy_financial as npf
    import pyxirr

    rows_out = bench_irr(sizes, repeat, npf_rows)
    for rows in sizes:
        cf = project_flows(rows, 40)
        t_ds = median_time(lambda cf=cf: npv(RATE, cf), repeat)
        ds = npv(RATE, cf)
        t_npf, r_npf = timed_loop(lambda row: npf.npv(RATE, row), cf, 10 * npf_rows)
        t_px, r_px = timed_loop(lambda row: pyxirr.npv(RATE, row, start_from_zero=True), cf,
                                10 * npf_rows)
        scale = np.abs(cf).sum(axis=1)
        rows_out.append(dict(
            what="npv", rows=rows, dealsim_s=t_ds, npf_s=t_npf, pyxirr_s=t_px,
            agree_npf=float(np.max(np.abs(ds[: r_npf.size] - r_npf) / scale[: r_npf.size])),
            agree_pyxirr=float(np.max(np.abs(ds[: r_px.size] - r_px) / scale[: r_px.size])),
        ))
    return rows_out


def waterfall_loop(net: np.ndarray, r: float, a: float, b: float) -> float:
    """The aggregate reading for one scenario in plain Python floats (the baseline)."""
    bal, total = 0.0, 0.0
    for c in net.tolist():
        bal = bal * (1.0 + r) + max(-c, 0.0)
        x = max(c, 0.0)
        first = min(a * x, bal)  # share a until the balance is recovered, then share b
        total += first + b * (x - first / a) + min(c, 0.0)
        bal -= first
    return total


def bench_waterfall(sizes: list[int], repeat: int, loop_rows: int) -> list[dict[str, Any]]:
    terms = DealTerms.japan_2025()
    out = []
    for rows in sizes:
        net = project_flows(rows, 40) * 1e9
        t_ds = median_time(lambda net=net: waterfall(net, terms, keep_balance=False), repeat)
        total = waterfall(net, terms).investor.sum(axis=1)
        t_loop, ref = timed_loop(
            lambda row: waterfall_loop(row, terms.deemed_rate, terms.share_before,
                                       terms.share_after), net, loop_rows)
        agree = float(np.max(np.abs(total[: ref.size] - ref) / np.abs(net[: ref.size]).sum(1)))
        out.append(dict(what="waterfall", rows=rows, dealsim_s=t_ds, loop_s=t_loop, agree=agree))
    return out


# --- simulate (one child process per row) -------------------------------------------


def stage_breakdown(backend: str, deal: dealsim.Deal, n: int) -> dict[str, float]:
    """Seconds per stage for ``n`` scenarios, from one block timed stage by stage.

    The draws, the whole block (``dealsim.finance.evaluation._simulation_outputs``: paths, cash
    flows, split, NPVs, MOIC and IRR) and the IRR of the block's flows alone (one
    thread) are timed; the rest of the block is the model's pass. The cost of each
    feature of the owner's economics (dated calls, dispatch, each path) is broken down
    by ``python benchmarks/paths_cost.py --stages``.
    """
    from dealsim.finance.evaluation import _simulation_outputs
    from dealsim.kernels.irr import _irr_2d
    from dealsim.montecarlo.run import simulate as montecarlo
    from dealsim.montecarlo.uncertainty import default_uncertainties, sampler_uniforms

    unc = default_uncertainties(deal.project.reference_class)
    horizon = montecarlo._horizon(deal, unc)
    size = montecarlo.BLOCK_SIZE
    root = np.random.SeedSequence(1)
    scale = n / size
    st: dict[str, float] = {}
    st["draws"] = median_time(lambda: unc.transform(
        sampler_uniforms("random", root, block=0, size=size, dim=unc.dim)), 3)
    draws = unc.transform(sampler_uniforms("random", root, block=0, size=size, dim=unc.dim))

    def block(paths: int) -> dict[str, Any]:
        return _simulation_outputs(deal, draws, horizon=horizon, paths=paths, backend=backend,
                                   root=root, block=0)

    st["block"] = median_time(lambda: block(0), 3)
    flows = block(size)["path:investor"]
    if backend == "numba":
        from dealsim.kernels.irr_core import grid_matrix
        from dealsim.kernels.irr_numba import irr_rows

        rate, status = np.empty(size), np.empty(size, dtype=np.int8)
        mat = grid_matrix(horizon)
        st["  IRR (compiled, one thread)"] = median_time(
            lambda: irr_rows(flows, mat, rate, status, False), 3)
    else:
        st["  IRR (numpy)"] = median_time(lambda: _irr_2d(flows, False), 3)
    irr_key = [k for k in st if "IRR" in k][0]
    st["  model pass: paths, cash flows, split, NPVs, MOIC"] = st["block"] - st[irr_key]
    return {k: v * scale for k, v in st.items()}


def child_simulate(n: int, periods: int | None, threads: int, stages: bool,
                   backend: str) -> dict[str, Any]:
    deal = ohio_gas_power()
    if periods is not None:  # construction 3 + life + delays up to 10 = periods
        deal = ohio_gas_power(fee="none")
        deal = replace(deal, project=replace(deal.project, operating_life=periods - 13))
    simulate(deal, 2000, seed=1, backend=backend)  # warm-up (numba loads its cache)
    base_rss = peak_rss_mib()
    kw = {"workers": threads} if threads else {}  # 0: default arguments (every CPU)
    t = time.perf_counter()
    res = simulate(deal, n, seed=1, backend=backend, **kw)
    t_sim = time.perf_counter() - t
    t = time.perf_counter()
    res.summary()
    t_sum = time.perf_counter() - t
    peak = peak_rss_mib()
    result_mib = sum(np.asarray(getattr(res, k)).nbytes for k in (
        "investor_irr", "irr_status", "investor_npv", "host_npv", "investor_moic",
        "recovered_at", "fee_paid", "fee_pv")) / 2**20
    result_mib += sum(x.nbytes for x in res.inputs.values()) / 2**20
    horizon = int(res.paths["investor"].shape[1]) if res.paths else 0
    res_backend = res.backend
    del res
    out = dict(n=n, threads=threads, periods=horizon, simulate_s=t_sim, summary_s=t_sum,
               peak_rss_mib=peak, base_rss_mib=base_rss, result_mib=result_mib,
               backend=res_backend)
    if stages:
        out["stages"] = stage_breakdown(res_backend, deal, n)
        out["stages"]["summary"] = t_sum
    out["unit_s"] = bandwidth_unit()
    return out


def run_child(n: int, *, periods: int | None = None, threads: int = 0, stages: bool = False,
              backend: str = "auto") -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", str(n), "--threads", str(threads)]
    if periods:
        args += ["--periods", str(periods)]
    if stages:
        args.append("--stages")
    args += ["--backend", backend]
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- fund or decline ----------------------------------------------------------------


def bench_decision(n: int, repeat: int) -> dict[str, Any]:
    """``fund_or_decline`` against ``simulate`` of the same deal, alternating in this process."""
    deal = ohio_gas_power()
    threat = dealsim.TariffThreat()
    simulate(deal, 2000, seed=1)  # warm-up (numba loads its cache)
    dealsim.fund_or_decline(deal, threat, 2000, seed=1)
    t_sim, t_dec = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        simulate(deal, n, seed=1)
        t_sim.append(time.perf_counter() - t)
        t = time.perf_counter()
        dealsim.fund_or_decline(deal, threat, n, seed=1)
        t_dec.append(time.perf_counter() - t)
    sim_s, dec_s = statistics.median(t_sim), statistics.median(t_dec)
    return dict(n=n, simulate_s=sim_s, decide_s=dec_s, ratio=dec_s / sim_s,
                ratios=[d / s for d, s in zip(t_dec, t_sim, strict=True)])


def print_decision(n: int, repeat: int) -> None:
    r = bench_decision(n, repeat)
    print(f"\n## fund_or_decline(ohio_gas_power(), TariffThreat(), n) vs simulate (n = {n:,}, "
          f"medians of {repeat}, alternating in one process)\n")
    print("| n | simulate | fund_or_decline | ratio of medians | per-repeat ratios |")
    print("|---|---|---|---|---|")
    print(f"| {n:,} | {fmt_s(r['simulate_s'])} | {fmt_s(r['decide_s'])} | "
          f"{r['ratio']:.3f} | {', '.join(f'{x:.3f}' for x in r['ratios'])} |")


# --- report -------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if "model name" in line)
    except (OSError, StopIteration):
        pass
    blas = "?"
    try:
        from threadpoolctl import threadpool_info

        info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if info:
            blas = f"{info[0]['internal_api']} {info[0]['version']} ({info[0]['architecture']})"
    except ImportError:
        pass
    import scipy

    numba_v = "not installed"
    if dealsim.kernels.block.available():
        import numba

        numba_v = numba.__version__
    return (f"{os.cpu_count()} cores, {cpu}; Python {platform.python_version()}, numpy "
            f"{np.__version__}, scipy {scipy.__version__}, BLAS {blas}, numba {numba_v}; "
            f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")


def fmt_s(x: float) -> str:
    return f"{x * 1e3:.1f} ms" if x < 1 else f"{x:.2f} s"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smoke run, about a minute")
    ap.add_argument("--irr", action="store_true",
                    help="only the irr rows at 1e5 x 40 (a few minutes)")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--threads", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--periods", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--stages", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--backend", default="auto",
                    help="with --irr: time only this irr backend ('numpy' or 'numba')")
    ap.add_argument("--decision", action="store_true",
                    help="only the fund_or_decline vs simulate row")
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child_simulate(a.child, a.periods, a.threads, a.stages, a.backend)))
        return

    quick = a.quick
    repeat = 3 if quick else 7
    if a.decision:
        print_decision(100_000 if quick else 1_000_000, repeat)
        return
    print(f"# dealsim benchmarks ({'quick' if quick else 'full'})\n\nmachine: {machine()}\n")
    unit = bandwidth_unit()
    print(f"bandwidth unit (np.add in place, 1e6 x 40 float64): {unit * 1e3:.1f} ms\n")

    print("## import time (median of 5 fresh interpreters, python -X importtime)\n")
    print("| dealsim's bytecode | import numpy | import dealsim | ratio | budget |\n"
          "|---|---|---|---|---|")
    for cached in (True, False):
        t_np = import_seconds("numpy", bytecode=cached)
        t_ds = import_seconds("dealsim", bytecode=cached)
        label = "compiled (as installed)" if cached else "compiled at each import"
        print(f"| {label} | {fmt_s(t_np)} | {fmt_s(t_ds)} | {t_ds / t_np:.2f}x | 2.5x "
              f"({'within' if t_ds <= 2.5 * t_np else 'OVER'}) |")
    print()

    sizes = [1000, 10_000] if quick else [1000, 10_000, 100_000]
    bench = bench_metrics
    if a.irr:
        sizes = [100_000]
        bench = functools.partial(bench_irr, only=None if a.backend == "auto" else a.backend)
    print("## irr and npv, 40 periods (loops timed on their first rows, scaled; irr: "
          "medians of rounds timed side by side, x = median of the rounds' ratios)\n")
    print("| what | rows | dealsim | rows/s | numpy-financial loop | x | pyxirr loop | x "
          "| max diff npf | max diff pyxirr |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in bench(sizes, repeat, 500 if quick else 5000):
        print(f"| {r['what']} | {r['rows']:,} | {fmt_s(r['dealsim_s'])} | "
              f"{r['rows'] / r['dealsim_s']:,.0f} | {fmt_s(r['npf_s'])} | "
              f"{r.get('x_npf', r['npf_s'] / r['dealsim_s']):,.0f} | {fmt_s(r['pyxirr_s'])} | "
              f"{r.get('x_pyxirr', r['pyxirr_s'] / r['dealsim_s']):,.1f} | "
              f"{r['agree_npf']:.1e} | "
              f"{r['agree_pyxirr']:.1e} |")
    print("\n(irr: absolute difference of rates on the rows whose flows change sign once; "
          "npv: relative to sum |flows|)\n")
    if a.irr:
        return

    print("## waterfall (aggregate reading), 40 periods\n")
    print("| rows | dealsim | plain per-scenario loop | x | max diff |")
    print("|---|---|---|---|---|")
    for r in bench_waterfall(sizes, repeat, 2000 if quick else 20_000):
        print(f"| {r['rows']:,} | {fmt_s(r['dealsim_s'])} | {fmt_s(r['loop_s'])} | "
              f"{r['loop_s'] / r['dealsim_s']:,.0f} | {r['agree']:.1e} |")

    backends = ["numpy"] + (["numba"] if dealsim.kernels.block.available() else [])
    ns = [10_000, 100_000] if quick else [10_000, 100_000, 1_000_000, 10_000_000]
    print("\n## simulate(ohio_gas_power(), n), default arguments (blocks on one thread per "
          "CPU), one child process per row\n")
    print("| backend | n | time | scenarios/s | bandwidth units (unit) | peak RSS "
          "| RSS before run | result arrays | per 1e6 |")
    print("|---|---|---|---|---|---|---|---|")
    per_n: dict[str, list[tuple[int, float]]] = {}
    stage_rows = []
    for be in backends:
        for n in ns:
            if be == "numpy" and n > (100_000 if quick else 1_000_000):
                continue
            r = run_child(n, backend=be, stages=n == ns[-1] or n == 1_000_000)
            per_n.setdefault(be, []).append((n, r["simulate_s"]))
            if "stages" in r:
                stage_rows.append((be, r))
            print(f"| {be} | {n:,} | {fmt_s(r['simulate_s'])} | {n / r['simulate_s']:,.0f} | "
                  f"{r['simulate_s'] / r['unit_s']:,.1f} ({r['unit_s'] * 1e3:.1f} ms) | "
                  f"{r['peak_rss_mib']:,.0f} MiB | "
                  f"{r['base_rss_mib']:,.0f} MiB | {r['result_mib']:,.0f} MiB | "
                  f"{fmt_s(r['simulate_s'] * 1e6 / n)} |")
    print("\nlinearity (time per scenario relative to the n = 1e5 row):")
    for be, pts in per_n.items():
        ref = dict(pts).get(100_000)
        if ref:
            print(f"  {be}: " + ", ".join(f"n={n:.0e}: {t / n / (ref / 1e5):.2f}" for n, t in pts))

    print("\n## per-stage breakdown (one 16384-scenario block timed per stage, scaled to n)\n")
    for be, r in stage_rows:
        parts = ", ".join(f"{k} {fmt_s(v)}" for k, v in r["stages"].items())
        print(f"- {be}, n={r['n']:,}: {parts}; simulate total {fmt_s(r['simulate_s'])}")

    n_sc = 100_000 if quick else 1_000_000
    print(f"\n## scaling with periods and threads (n = {n_sc:,}, fee 'none', "
          "simulate(..., workers=threads))\n")
    print("| backend | periods | threads | time | scenarios/s | bandwidth units |")
    print("|---|---|---|---|---|---|")
    for be in backends:
        for periods, threads in ((20, 1), (40, 1), (80, 1), (40, 2)):
            r = run_child(n_sc, periods=periods, threads=threads, backend=be)
            print(f"| {be} | {r['periods']} | {threads} | {fmt_s(r['simulate_s'])} | "
                  f"{n_sc / r['simulate_s']:,.0f} | {r['simulate_s'] / r['unit_s']:,.1f} |")
    print_decision(n_sc, 3 if quick else 5)


if __name__ == "__main__":
    main()
