"""The ``dealsim`` command line (also ``python -m dealsim``).

::

    dealsim run SCENARIO.toml [--n 1e6] [--seed 1] [--out results.parquet|.npz]
                [--plot report.png] [--workers K | --cluster K | --scheduler ADDRESS]
                [--stream] [--quiet]
    dealsim presets [NAME]            # list presets, or show one with its sources
    dealsim example ohio [--n 20000]  # the Ohio Monte Carlo with default uncertainties

Scenario files are described in :mod:`dealsim.scenario`. Runs above
:data:`dealsim.streaming.STREAM_ABOVE` scenarios (or with ``--stream``) keep
statistics only. Exit codes: 0 success, 2 bad input, 1 anything else.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .errors import DealsimError, InvalidParameterError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dealsim", description="Sovereign deal Monte Carlo.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="simulate a TOML scenario")
    run.add_argument("scenario", help="scenario file (.toml; see dealsim.scenario)")
    example = sub.add_parser("example", help="run a preset with its default uncertainties")
    example.add_argument("name", help="a deal preset, or a unique prefix such as 'ohio'")
    for p in (run, example):
        p.add_argument("--n", type=float, help="scenarios (1e6 is fine)")
        p.add_argument("--seed", type=int, help="random seed (>= 0)")
        p.add_argument("--sampler", choices=("random", "lhs", "sobol"))
        p.add_argument("--out", help="save results: .npz or .parquet (needs pyarrow)")
        p.add_argument("--plot", help="save a PNG report of the charts (needs matplotlib)")
        p.add_argument("--stream", action="store_true",
                       help="keep statistics only (automatic above 1e7 scenarios)")
        where = p.add_mutually_exclusive_group()
        where.add_argument("--workers", type=int, help="threads on this machine")
        where.add_argument("--cluster", type=int, metavar="K",
                           help="a dask LocalCluster of K worker processes")
        where.add_argument("--scheduler", metavar="ADDRESS",
                           help="an existing dask scheduler, e.g. tcp://host:8786")
        p.add_argument("--quiet", action="store_true", help="no progress bar")
    presets = sub.add_parser("presets", help="list presets, or show one with its sources")
    presets.add_argument("name", nargs="?")
    return parser


def _executor(args: argparse.Namespace, stack: contextlib.ExitStack) -> Any:
    if args.workers is not None:
        if args.workers < 1:
            raise InvalidParameterError(f"--workers must be >= 1; got {args.workers}")
        return stack.enter_context(ThreadPoolExecutor(args.workers))
    if args.cluster is None and args.scheduler is None:
        return None
    flag = "--cluster" if args.cluster is not None else "--scheduler"
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InvalidParameterError(
            f"{flag} needs dask.distributed: pip install 'dealsim[dask]'") from None
    if args.scheduler is not None:
        return stack.enter_context(Client(args.scheduler))
    if args.cluster < 1:
        raise InvalidParameterError(f"--cluster must be >= 1; got {args.cluster}")
    cluster = stack.enter_context(LocalCluster(
        n_workers=args.cluster, threads_per_worker=1, processes=True, dashboard_address=":0"))
    return stack.enter_context(Client(cluster))


def _run(args: argparse.Namespace, deal: Any, unc: Any, settings: dict[str, Any]) -> int:
    from ._engine import progress_available
    from .io import check_path, save
    from .montecarlo import simulate
    from .streaming import STREAM_ABOVE, simulate_stream

    n = args.n if args.n is not None else settings.get("n", 100_000)
    seed = args.seed if args.seed is not None else settings.get("seed", 2025)
    sampler = args.sampler or settings.get("sampler", "random")
    within = settings.get("within_years", 20)
    streaming = args.stream or n > STREAM_ABOVE
    if args.out:
        check_path(args.out, streaming=streaming, name="--out")
    if args.plot and Path(args.plot).suffix != ".png":
        raise InvalidParameterError(f"--plot must end in .png; got {args.plot!r}")
    if args.plot and not Path(args.plot).parent.is_dir():
        raise InvalidParameterError(
            f"--plot: directory {str(Path(args.plot).parent)!r} does not exist")
    progress = not args.quiet and sys.stderr.isatty() and progress_available()  # tqdm bar
    with contextlib.ExitStack() as stack:
        executor = _executor(args, stack)
        run = simulate_stream if streaming else simulate
        start = time.perf_counter()
        result = run(deal, n, seed=seed, uncertainties=unc, sampler=sampler,
                     executor=executor, within_years=within, progress=progress)
        elapsed = time.perf_counter() - start
    print(result.summary())
    print(f"\n{result.n:,} scenarios in {elapsed:.1f} s"
          f"{' (streaming statistics)' if streaming else ''}; seed {result.seed}")
    if args.out:
        print(f"saved {save(result, args.out)}")
    if args.plot:
        from .plot import plot_report

        plot_report(result).savefig(args.plot, dpi=80)
        print(f"saved {args.plot}")
    return 0


def _presets(args: argparse.Namespace) -> int:
    from .scenario import deal_presets

    presets = deal_presets()
    if args.name is None:
        for name, p in sorted(presets.items()):
            print(f"{name:<18} {p.kind:<10} {p.description}")
        return 0
    if args.name not in presets:
        raise InvalidParameterError(f"preset must be one of {sorted(presets)}; "
                                    f"got {args.name!r}")
    print(presets[args.name].describe())
    return 0


def _example(args: argparse.Namespace) -> int:
    from .scenario import deal_presets
    from .uncertainty import default_uncertainties

    deals = {k: p for k, p in deal_presets().items() if p.kind == "deal"}
    hits = [k for k in deals if k == args.name] or [k for k in deals if k.startswith(args.name)]
    if len(hits) != 1:
        raise InvalidParameterError(f"name must be one deal preset or a unique prefix of "
                                    f"one of {sorted(deals)}; got {args.name!r}")
    deal = deals[hits[0]].build()
    unc = default_uncertainties(deal.project.reference_class or "all_electricity")
    return _run(args, deal, unc, {"n": 20_000})


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 2 bad input, 1 other errors).

    Examples
    --------
    >>> main(["presets"])  # doctest: +ELLIPSIS
    gas_tranche2       deal       Gas plants in Pennsylvania and Texas, ~$33bn together
    ...
    ohio_gas_power     deal       Portsmouth (Piketon), Ohio 9.2 GW gas power, $33.3bn, SoftBank fee
    ...
    0
    """
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    try:
        if args.command == "presets":
            return _presets(args)
        if args.command == "example":
            return _example(args)
        from .scenario import load_scenario

        scenario = load_scenario(args.scenario)
        return _run(args, scenario.deal, scenario.uncertainties, scenario.simulation)
    except DealsimError as exc:
        print(f"dealsim: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # reported, not a traceback: exit code 1
        print(f"dealsim: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
