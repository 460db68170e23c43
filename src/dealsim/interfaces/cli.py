"""The ``dealsim`` command line (also ``python -m dealsim``).

::

    dealsim run SCENARIO.toml [--n 1e6] [--seed 1] [--out results.parquet|.npz] [--force]
                [--plot report.png] [--workers K | --cluster K | --scheduler ADDRESS]
                [--stream] [--quiet]
    dealsim decide SCENARIO.toml [--rate-increase 0.1] [--probability 0.5] [--goods all]
                [--calibration trade|nri|daiwa] [--reallocation 0] [--n] [--seed]
    dealsim presets [NAME]            # list presets, or show one with its sources
    dealsim example ohio [--n 20000]  # the Ohio Monte Carlo with default uncertainties
    dealsim schema                    # the JSON Schema of scenario files and requests

Scenario files (TOML or JSON) are described in :mod:`dealsim.interfaces.scenario`. Runs above
:data:`dealsim.montecarlo.streaming.STREAM_ABOVE` scenarios (or with ``--stream``) keep
statistics only.

Exit codes: 0 success; 2 bad input (a scenario file, a flag, an output path that exists
without ``--force``, or a deal that cannot be evaluated; the message names the file and
key or the flag, and comes before any work); 1 an error during the run (one line, no
traceback); 130 interrupted (Ctrl-C), 143 terminated (SIGTERM), each one line, a save in
progress leaving the earlier file intact and no temporary file.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import signal
import sys
import threading
import time
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from dealsim.errors import DealsimError, InvalidParameterError

__all__ = ["main"]


#: The default number of scenarios of each command, and why (shown in ``--help``).
#: ``dealsim run`` and ``dealsim decide`` take a scenario file's ``[simulation] n`` first.
DEFAULT_N: dict[str, tuple[int, str]] = {
    "run": (100_000, "a full run: probabilities to about ±0.003 (one standard error "
                     "0.0016) and IRR quantiles to a few hundredths of a point"),
    "decide": (100_000, "as run: P(funding beats declining) to about ±0.003"),
    "example": (20_000, "a first look in a few seconds; rerun with --n 100000 for the "
                        "README's figures"),
}


class _Help(argparse.ArgumentDefaultsHelpFormatter):
    """Shows ``(default: X)`` after every option that has a default worth showing."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False) or action.help is None:
            return action.help
        return super()._get_help_string(action)


def _n_help(command: str) -> str:
    n, why = DEFAULT_N[command]
    first = "the scenario's [simulation] n, else " if command != "example" else ""
    return f"scenarios, a whole number (1e6 is fine); default: {first}{n:,} -- {why}"


def _parser() -> argparse.ArgumentParser:
    from dealsim._version import __version__

    parser = argparse.ArgumentParser(prog="dealsim", description="Sovereign deal Monte Carlo.",
                                     formatter_class=_Help)
    parser.add_argument("--version", action="version", version=f"dealsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="simulate a TOML scenario", formatter_class=_Help)
    run.add_argument("scenario", help="scenario file (.toml; see dealsim.scenario)")
    example = sub.add_parser("example", help="run a preset with its default uncertainties",
                             formatter_class=_Help)
    example.add_argument("name", help="a deal preset, or a unique prefix such as 'ohio'")
    for p, command in ((run, "run"), (example, "example")):
        p.add_argument("--n", type=float, help=_n_help(command))
        p.add_argument("--seed", type=int, help="random seed (>= 0); default: the "
                       "scenario's seed, else 2025")
        p.add_argument("--sampler", choices=("random", "lhs", "sobol"),
                       help="default: the scenario's sampler, else random")
        p.add_argument("--out", help="save results: .npz or .parquet (needs pyarrow)")
        p.add_argument("--force", action="store_true",
                       help="replace an existing --out or --plot file (default: refuse)")
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
    decide = sub.add_parser("decide", help="fund or decline: Japan's NPV against the "
                            "expected cost of a tariff (dealsim.analysis.decision)",
                            formatter_class=_Help)
    decide.add_argument("scenario", help="scenario file (.toml; see dealsim.scenario)")
    decide.add_argument("--n", type=float, help=_n_help("decide"))
    decide.add_argument("--seed", type=int, help="random seed (>= 0); default: the "
                        "scenario's seed, else 2025")
    decide.add_argument("--rate-increase", type=float, metavar="DECIMAL",
                        help="tariff increase as a decimal, not points: 0.10 is +10 "
                             "points (15%% -> 25%%); default: TariffThreat's 0.10")
    decide.add_argument("--probability", type=float, metavar="DECIMAL",
                        help="probability the tariff is imposed, a decimal in [0, 1]; "
                             "default: TariffThreat's 0.5 (an assumption)")
    decide.add_argument("--reallocation", type=float, metavar="DECIMAL",
                        help="share of the project's capex Japan pays anyway on a "
                             "decline, a decimal; default: TariffThreat's 0")
    decide.add_argument("--goods", choices=("all", "autos"),
                        help="goods the tariff hits; default: TariffThreat's all")
    decide.add_argument("--calibration", choices=("trade", "nri", "daiwa"),
                        help="how the tariff's cost is estimated; default: TariffThreat's "
                             "trade")
    presets = sub.add_parser("presets", help="list presets, or show one with its sources",
                             formatter_class=_Help)
    presets.add_argument("name", nargs="?", help="a preset, or a unique prefix such as 'ohio'")
    sub.add_parser("schema", help="print the JSON Schema of scenarios (TOML, JSON, requests)",
                   formatter_class=_Help)
    return parser


def _decimal_flags(args: argparse.Namespace) -> None:
    """Refuse a decimal flag given in points or percent (``--rate-increase 25``)."""
    for flag, top in (("rate_increase", 1.0), ("probability", 1.0), ("reallocation", 1.0)):
        x = getattr(args, flag, None)
        if x is not None and x > top:
            raise InvalidParameterError(
                f"--{flag.replace('_', '-')} takes a decimal, not points or percent: "
                f"{x / 100:g} means {x:g} points; got {x:g}")


def _pick(name: str, names: Sequence[str], what: str) -> str:
    """The name itself, or the one name it is a prefix of (every command's rule)."""
    hits = [k for k in names if k == name] or [k for k in names if k.startswith(name)]
    if len(hits) != 1:
        raise InvalidParameterError(f"name must be one {what} or a unique prefix of one of "
                                    f"{sorted(names)}; got {name!r}")
    return hits[0]


def _check_address(address: str) -> str:
    """A dask scheduler address, ``scheme://host:port`` or ``host:port``, checked before
    connecting: a typo is a usage error, not a 30-second connection timeout."""
    m = re.fullmatch(r"(?:(tcp|tls|ucx|ws|wss|inproc)://)?([A-Za-z0-9._\-]+|\[[0-9A-Fa-f:.]+\])"
                     r"(?::(\d{1,5}))?", address)
    if m is None or (m.group(3) is not None and not 0 < int(m.group(3)) < 65536):
        raise InvalidParameterError(
            f"--scheduler must be an address such as tcp://host:8786; got {address!r}")
    return address


def _count(value: Any, where: str) -> int:
    """``--n``/``n``: a whole number >= 1 (``1e6`` is fine; ``1.5``, ``inf``, ``nan`` are not)."""
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise InvalidParameterError(f"{where} must be a whole number of scenarios; got {value!r}")
    if int(value) < 1:
        raise InvalidParameterError(f"{where} must be >= 1; got {value!r}")
    # beyond 2**53 a float is not an exact count: leave it as given, so that the engine's
    # limit echoes 1e+300, not its 301 digits
    return int(value) if value < 2**53 else value


def _executor(args: argparse.Namespace, stack: contextlib.ExitStack) -> Any:
    if args.workers is not None:
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
        return stack.enter_context(Client(args.scheduler, timeout="20s"))
    cluster = stack.enter_context(LocalCluster(
        n_workers=args.cluster, threads_per_worker=1, processes=True, dashboard_address=":0"))
    return stack.enter_context(Client(cluster))


def _run(args: argparse.Namespace, deal: Any, unc: Any, settings: dict[str, Any]) -> int:
    from dealsim.interfaces.io import check_path, describe_existing, save
    from dealsim.montecarlo.engine import progress_available
    from dealsim.montecarlo.run import simulate
    from dealsim.montecarlo.streaming import STREAM_ABOVE, simulate_stream

    n = _count(args.n, "--n") if args.n is not None else settings.get("n", DEFAULT_N["run"][0])
    seed = args.seed if args.seed is not None else settings.get("seed", 2025)
    sampler = args.sampler or settings.get("sampler", "random")
    within = settings.get("within_years", 20)
    streaming = args.stream or n > STREAM_ABOVE
    # every input is checked before the run: flags, output paths, optional packages
    if args.seed is not None and args.seed < 0:
        raise InvalidParameterError(f"--seed must be >= 0; got {args.seed}")
    if args.scheduler is not None:
        _check_address(args.scheduler)
    for flag in ("workers", "cluster"):
        if getattr(args, flag) is not None and getattr(args, flag) < 1:
            raise InvalidParameterError(f"--{flag} must be >= 1; got {getattr(args, flag)}")
    if args.out:
        check_path(args.out, streaming=streaming, name="--out", overwrite=args.force)
    if args.plot:
        check_path(args.plot, name="--plot", formats=(".png",), overwrite=args.force)
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise InvalidParameterError(
                "--plot needs matplotlib: pip install 'dealsim[plot]'") from None
    _preflight(deal, n, seed, sampler, within, streaming, args.workers)
    for flag in ("out", "plot"):
        if getattr(args, flag) and os.path.lexists(getattr(args, flag)):
            print(f"dealsim: --{flag} will replace {getattr(args, flag)} "
                  f"({describe_existing(getattr(args, flag))})", file=sys.stderr)
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
        print(f"saved {save(result, args.out, overwrite=args.force)}")
    if args.plot:
        from dealsim.analysis.plot import plot_report

        plot_report(result).savefig(args.plot, dpi=80)
        print(f"saved {args.plot}")
    return 0


def _preflight(deal: Any, n: int, seed: Any, sampler: str, within: Any,
               streaming: bool, workers: int | None) -> None:
    """Everything a run needs, checked before it starts: the run's arguments, the memory
    it will hold (rows, kept paths and block arrays over the deal's horizon), and one
    evaluation of the deal, so that a deal that cannot be evaluated (a calendar beyond
    year 9999, numbers that overflow) is bad input, not an error after the whole run."""
    from dealsim.common.outputs import OUTPUT_TABLE
    from dealsim.finance.evaluation import evaluate
    from dealsim.montecarlo.engine import check_n, default_workers, working_bytes

    row_bytes = 0 if streaming else sum(8 for _ in OUTPUT_TABLE) + 8 * 8  # outputs, inputs
    kept = 0 if streaming else min(1000, int(n))  # simulate's default paths
    check_n(n, row_bytes=row_bytes, fixed_bytes=working_bytes(
        horizon=deal.project.base_horizon, kept_paths=kept,
        workers=workers or default_workers()))
    if not (isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0):
        raise InvalidParameterError(f"seed must be an integer >= 0; got {seed!r}")
    if not (isinstance(within, int) and not isinstance(within, bool) and within >= 1):
        raise InvalidParameterError(f"within_years must be an integer >= 1; got {within!r}")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            ev = evaluate(deal)
        except DealsimError:
            raise
        except Exception as exc:  # the deal's own numbers fail: bad input
            raise InvalidParameterError(
                f"the deal cannot be evaluated ({type(exc).__name__}: {exc}); check its "
                "years and amounts") from None
    for name in ("investor_npv", "host_npv", "fee_pv"):
        value = float(getattr(ev, name))
        if not abs(value) <= MAX_AMOUNT:
            raise InvalidParameterError(
                f"the deal's {name} is {value:.3g} USD, beyond {MAX_AMOUNT:.0e} USD: check "
                f"its amounts and rates (discount_rate={deal.discount_rate!r}, capex="
                f"{deal.project.capex!r}, fixed_om={deal.project.fixed_om!r})")


#: Largest present value (USD) the command line runs a deal with: 1e15, ten times the
#: world's annual output. Beyond it the numbers are a typo or a rate in percent, and
#: the summaries' squares overflow float64.
MAX_AMOUNT = 1e15


def _presets(args: argparse.Namespace) -> int:
    from dealsim.interfaces.scenario import deal_presets

    presets = deal_presets()
    if args.name is None:
        for name, p in sorted(presets.items()):
            print(f"{name:<18} {p.kind:<10} {p.description}")
        return 0
    print(presets[_pick(args.name, list(presets), "preset")].describe())
    return 0


def _example(args: argparse.Namespace) -> int:
    from dealsim.interfaces.scenario import deal_presets
    from dealsim.montecarlo.uncertainty import default_uncertainties

    deals = {k: p for k, p in deal_presets().items() if p.kind == "deal"}
    deal = deals[_pick(args.name, list(deals), "deal preset")].build()
    unc = default_uncertainties(deal.project.reference_class or "all_electricity")
    return _run(args, deal, unc, {"n": DEFAULT_N["example"][0]})


def _schema() -> int:
    from dealsim.interfaces.scenario import schema

    print(json.dumps(schema(), indent=2, ensure_ascii=False))
    return 0


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
    with _terminate_as_exception():
        return _main(args)


class Terminated(BaseException):
    """SIGTERM arrived: unwinds like Ctrl-C, so a save in progress removes its
    temporary file (the earlier file stays intact) and the command exits 143."""


@contextlib.contextmanager
def _terminate_as_exception() -> Any:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _main(args: argparse.Namespace) -> int:
    try:
        code = _dispatch(args)
        sys.stdout.flush()  # a closed pipe shows here, not at the interpreter's exit
        return code
    except BrokenPipeError:  # the reader stopped early (dealsim schema | head): quiet, 0
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except DealsimError as exc:
        print(f"dealsim: error: {_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dealsim: interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print("dealsim: terminated", file=sys.stderr)
        return 143
    except Exception as exc:  # reported, not a traceback: exit code 1
        print(f"dealsim: {type(exc).__name__}: {_line(exc)}", file=sys.stderr)
        return 1


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "presets":
        return _presets(args)
    if args.command == "example":
        return _example(args)
    if args.command == "decide":
        from dealsim.analysis.threat import TariffThreat
        from dealsim.interfaces.decide import decide_scenario

        _decimal_flags(args)
        fields = ("rate_increase", "probability", "reallocation", "goods", "calibration")
        threat = TariffThreat(**{k: getattr(args, k) for k in fields
                                 if getattr(args, k) is not None})
        n = _count(args.n, "--n") if args.n is not None else None
        print(decide_scenario(args.scenario, n=n, seed=args.seed, threat=threat))
        return 0
    if args.command == "schema":
        return _schema()
    from dealsim.interfaces.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    return _run(args, scenario.deal, scenario.uncertainties, scenario.simulation)


def _line(exc: BaseException) -> str:
    """The message on one line (a multi-line message would read as a traceback)."""
    return " ".join(str(exc).split())


if __name__ == "__main__":  # ``python -m dealsim.interfaces.cli`` behaves as ``python -m dealsim``
    raise SystemExit(main())
