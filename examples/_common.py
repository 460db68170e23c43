"""Shared command line and plotting for the question examples (not part of dealsim)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any


def parser(doc: str, png: str | None, *, n_portfolio: float | None = None
           ) -> argparse.ArgumentParser:
    """The examples' common options: ``--n`` scenarios, ``--seed``, ``--png`` path ('' for
    none; left out when ``png`` is None) and, with ``n_portfolio``, ``--n-portfolio``
    (scenarios of the portfolio runs, slower per scenario)."""
    out = argparse.ArgumentParser(description=doc.splitlines()[0])
    out.add_argument("--n", type=float, default=100_000, help="number of scenarios")
    out.add_argument("--seed", type=int, default=2025, help="seed of the Monte Carlo")
    if png is not None:
        out.add_argument("--png", default=png, help="figure to write if matplotlib is "
                         "installed; '' for none")
    if n_portfolio is not None:
        out.add_argument("--n-portfolio", type=float, default=n_portfolio,
                         help="scenarios of the portfolio runs (many deals: slower)")
    return out


def parse(doc: str, argv: list[str] | None, png: str,
          deals: list[str] | None = None) -> argparse.Namespace:
    """:func:`parser`'s options, and ``--deal`` names (preset names, defaults ``deals``)
    when ``deals`` is given; ``n`` as an int."""
    options = parser(doc, png)
    if deals is not None:
        options.add_argument("--deal", nargs="+", default=deals, help="deal preset names")
    args = options.parse_args(argv)
    args.n = int(args.n)
    return args


def save_png(path: str, draw: Callable[[Any], None]) -> None:
    """Call ``draw(ax)`` on a new figure and save it, if matplotlib is importable."""
    if not path:
        return
    try:
        import matplotlib
    except ImportError:
        print("(matplotlib not installed: no figure)")
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    draw(ax)
    fig.tight_layout()
    fig.savefig(Path(path), dpi=110)
    plt.close(fig)
    print(f"figure: {path}")


def p_line(label: str, p: float, n: int) -> str:
    """A probability with its binomial standard error."""
    se = (p * (1.0 - p) / n) ** 0.5
    return f"{label:<58}{p:8.4f}  ± {se:.4f}"


def recovery_curves(results: dict[str, Any]) -> Callable[[Any], None]:
    """A ``draw(ax)`` plotting P(deemed allocation recovered by year) for each labelled run."""

    def draw(ax: Any) -> None:
        for label, result in results.items():
            years, share = result.recovered_by_year()
            ax.step(years, share, where="post", label=label)
        ax.set_xlabel("year")
        ax.set_ylabel("P(deemed allocation recovered by then)")
        ax.legend()

    return draw


def irr_percentiles(result: Any, percents: Any) -> Any:
    """Percentiles of the investor IRR as the summaries count it: a total loss (Japan
    pays in and receives nothing, MOIC 0) is -100%; other undefined IRRs are left out."""
    import numpy as np

    x = result.statistic_values("investor_irr")
    return np.percentile(x[~np.isnan(x)], percents)
