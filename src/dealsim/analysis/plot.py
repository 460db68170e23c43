"""Charts of a Monte Carlo run (needs the ``plot`` extra: matplotlib).

Every function returns a :class:`matplotlib.figure.Figure` built without pyplot, so
nothing depends on a display or a global figure state; ``fig.savefig("x.png")`` writes
it. Pass ``ax=`` to draw into an existing axes instead (the axes' figure is returned).
Functions that need only statistics also accept a
:class:`dealsim.montecarlo.streaming.StreamingSummary`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dealsim.errors import InvalidParameterError
from dealsim.results.summary import OUTPUTS

__all__ = ["FAN_QUANTILES", "MARKED", "MARKET_PANELS", "plot_distribution", "plot_fan",
           "plot_fund_or_decline", "plot_market_fan", "plot_recovery", "plot_report",
           "plot_tornado"]

#: Quantiles marked on distributions and drawn as fan bands.
MARKED = (0.05, 0.50, 0.95)


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    return Figure(figsize=(7, 4.5), layout="constrained").add_subplot()


def _label(output: str) -> tuple[str, float]:
    unit, scale = OUTPUTS.get(output, ("", 1.0))
    return (f"{output} ({unit})" if unit else output), scale


def plot_distribution(result: Any, output: str = "investor_irr", *, bins: int = 60,
                      ax: Any = None) -> Any:
    """Histogram of one output with its P5, P50 and P95 marked as vertical lines.

    Parameters
    ----------
    result : SimulationResult or StreamingSummary
    output : str
        E.g. ``"investor_irr"`` or ``"investor_npv"``.
    bins : int
        Display bins (a streaming summary's histogram is regrouped to about this many).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.presets import ohio_gas_power
    >>> fig = plot_distribution(dealsim.simulate(ohio_gas_power(), 500, seed=1))
    >>> len(fig.axes[0].lines)  # P5, P50, P95
    3
    """
    ax = _axes(ax)
    label, scale = _label(output)
    if hasattr(result, "counts"):  # StreamingSummary: regroup its fixed bins
        if output not in result.counts:
            raise InvalidParameterError(f"output must be one of {sorted(result.counts)}; "
                                        f"got {output!r}")
        edges, counts = result.edges[output], result.counts[output][1:-1]
        starts = np.arange(0, counts.size, max(1, counts.size // bins))
        grouped_edges = np.append(edges[starts], edges[-1])
        ax.stairs(np.add.reduceat(counts, starts), grouped_edges * scale, fill=True, alpha=0.6)
        marks = [result.quantile(output, q)[0] for q in MARKED]
    else:
        x = np.asarray(result.output(output), dtype=np.float64)
        x = x[~np.isnan(x)]
        ax.hist(x * scale, bins=bins, alpha=0.6)
        marks = [float(np.quantile(x, q)) for q in MARKED]
    for q, m in zip(MARKED, marks, strict=True):
        ax.axvline(m * scale, color="k", linestyle="--" if q != 0.5 else "-", linewidth=1)
        ax.annotate(f"P{100 * q:g} {m * scale:.3g}", (m * scale, 1.0),
                    xycoords=("data", "axes fraction"), rotation=90, va="top", ha="right",
                    fontsize=8)
    ax.set_xlabel(label)
    ax.set_ylabel("scenarios")
    ax.set_title(f"{result.title}: {output}, n = {result.n:,}")
    return ax.figure


def _bands(ax: Any, years: Any, q: Any, color: str, what: str = "") -> None:
    """P5-P95 and P25-P75 bands and the median line from quantile rows ``q`` (5, T)."""
    ax.fill_between(years, q[0], q[4], alpha=0.25, color=color, label=f"{what}P5-P95")
    ax.fill_between(years, q[1], q[3], alpha=0.45, color=color, label=f"{what}P25-P75")
    ax.plot(years, q[2], color=color, label=f"{what}median")


def plot_fan(result: Any, *, ax: Any = None) -> Any:
    """Fan chart of the investor's cumulative receipts against its Deemed Allocation Amount.

    Bands: P5-P95 and P25-P75 of cumulative receipts (positive investor flows) by year,
    with the median as a line, over the first ``k`` scenarios kept in
    ``result.paths`` (:func:`dealsim.simulate`'s ``paths``). The Deemed Allocation
    Amount line is the median of receipts plus unrecovered balance (capital plus deemed
    interest still owed), held at its value once recovered.

    Parameters
    ----------
    result : SimulationResult
        Run with ``paths > 0``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InvalidParameterError
        If the result kept no paths.

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.presets import ohio_gas_power
    >>> fig = plot_fan(dealsim.simulate(ohio_gas_power(), 300, seed=1))
    >>> len(fig.axes[0].collections)  # two bands
    2
    """
    paths = getattr(result, "paths", {})
    if "investor" not in paths or "balance" not in paths or not len(paths["investor"]):
        raise InvalidParameterError(
            "result must keep year-by-year paths (simulate(..., paths=1000)); got none")
    ax = _axes(ax)
    received = np.cumsum(np.maximum(paths["investor"], 0.0), axis=1) / 1e9
    daa = np.maximum.accumulate(received + paths["balance"] / 1e9, axis=1)
    years = result.first_year + np.arange(received.shape[1])
    q = np.quantile(received, FAN_QUANTILES, axis=0)
    _bands(ax, years, q, "C0", "receipts, ")
    ax.plot(years, np.median(daa, axis=0), color="C3", linestyle="--",
            label="Deemed Allocation Amount, median")
    ax.set_xlabel("year")
    ax.set_ylabel("cumulative, bn USD")
    ax.set_title(f"{result.title}: investor receipts ({received.shape[0]:,} scenarios)")
    ax.legend(fontsize=8, loc="upper left")
    return ax.figure


def plot_tornado(result: Any, output: str = "investor_npv", *, top: int = 10,
                 method: str | None = None, ax: Any = None) -> Any:
    """Tornado chart of ``output``: each uncertainty's low and high end, largest first.

    Parameters
    ----------
    result : SimulationResult or StreamingSummary
    output : str
        ``"investor_npv"``, ``"investor_irr"`` or ``"host_npv"`` (a conditional tornado
        of a SimulationResult takes any summarised output).
    top : int
        Largest swings shown.
    method : {None, "deterministic", "conditional"}
        As :meth:`dealsim.SimulationResult.tornado`: P10/P90 one at a time through the
        deterministic model, or the output's mean over the scenarios whose input lies
        in its lowest or highest decile (bars with their standard errors). ``None``:
        conditional for a deal with market paths (where a deterministic bar of a path
        factor is a persistent shift the paths never draw), else deterministic. The
        title says which.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.presets import ohio_gas_power
    >>> r = dealsim.simulate(ohio_gas_power(), 1000, seed=1)
    >>> fig = plot_tornado(r, top=3)
    >>> len(fig.axes[0].patches)  # a P10 and a P90 bar per uncertainty
    6
    >>> plot_tornado(r, top=3, method="conditional").axes[0].get_title()[-14:]
    '(decile means)'
    """
    bars = (result.tornado(output) if method is None
            else result.tornado(output, method=method))[:top][::-1]
    if not bars or output not in bars[0].low:
        raise InvalidParameterError(f"output must have tornado bars "
                                    f"(investor_npv, investor_irr, host_npv); got {output!r}")
    ax = _axes(ax)
    label, scale = _label(output)
    ends = np.array([[b.low[output], b.high[output]] for b in bars]) * scale
    mid = np.nanmedian(ends)
    y = np.arange(len(bars))
    conditional = bars[0].method == "conditional"
    if conditional:
        err = np.array([[b.low_se.get(output, np.nan), b.high_se.get(output, np.nan)]
                        for b in bars]) * scale
        names = ["lowest decile", "highest decile"]
    else:
        err = np.full_like(ends, np.nan)
        names = ["P10", "P90"]
    for k, color in enumerate(("C0", "C1")):
        ax.barh(y, ends[:, k] - mid, left=mid, color=color, label=f"input at {names[k]}",
                xerr=None if not conditional else err[:, k], ecolor="k", capsize=2)
    ax.set_yticks(y, [b.name if b.measure == "level" else f"{b.name} (path mean)"
                      for b in bars])
    ax.set_xlabel(label)
    how = "decile means" if conditional else "P10/P90, others at median"
    ax.set_title(f"{result.title}: tornado of {output} ({how})")
    ax.legend(fontsize=8)
    return ax.figure


#: Market paths drawn by :func:`plot_market_fan`: key of ``result.paths``, panel title,
#: scale and unit.
MARKET_PANELS: dict[str, tuple[str, float, str]] = {
    "price": ("power price factor", 1.0, "x escalated base"),
    "fuel": ("fuel price factor", 1.0, "x escalated base"),
    "deemed_rate": ("deemed rate (SOFR + spread)", 100.0, "%"),
    "usdjpy": ("USD/JPY", 1.0, "yen per dollar"),
}

#: Quantiles of a market fan: P5-P95 and P25-P75 bands around the median.
FAN_QUANTILES = (0.05, 0.25, 0.50, 0.75, 0.95)


def plot_market_fan(result: Any, *, axes: Any = None) -> Any:
    """Fan charts of the market paths the kept scenarios ran on, one panel per factor.

    Each panel shows, by year, the P5-P95 and P25-P75 bands and the median of a market
    path over the first ``k`` scenarios (``simulate(..., paths=k)``): the power and
    fuel factors (on the escalated base prices), the deemed rate (term SOFR + spread)
    and USD/JPY, for each factor ``deal.market`` models. :func:`dealsim.simulate`
    regenerates those paths after the run from the seed, the scenarios' draws and the
    deal (:meth:`dealsim.SimulationResult.path_quantiles` gives the numbers). USD/JPY
    is drawn whenever ``deal.market`` models it: a deal without a yen fee does not
    read it.

    Parameters
    ----------
    result : SimulationResult
        A run of a deal with market paths (``deal.market``), with ``paths > 0``.
    axes : sequence of matplotlib Axes, optional
        One per factor drawn, in the order of :data:`MARKET_PANELS`; default a new
        figure with a row of panels.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InvalidParameterError
        If the result kept no market paths, or ``axes`` are too few.

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.presets import ohio_gas_power
    >>> deal = ohio_gas_power()  # market paths: the default
    >>> fig = plot_market_fan(dealsim.simulate(deal, 300, seed=1))
    >>> [ax.get_title() for ax in fig.axes][:2]
    ['power price factor', 'fuel price factor']
    >>> len(fig.axes[0].collections)  # two bands
    2
    """
    names = [k for k in MARKET_PANELS if k in getattr(result, "paths", {})
             and len(result.paths[k])]
    if not names:
        raise InvalidParameterError(
            "result must keep market paths (a deal with market=Market.paths(), "
            "simulate(..., paths=1000)); got none")
    if axes is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(3.6 * len(names), 3.4), layout="constrained")
        axes = np.atleast_1d(fig.subplots(1, len(names))).tolist()
    try:
        axes = list(axes)
    except TypeError:
        raise InvalidParameterError(
            f"axes must be a sequence of matplotlib Axes; got {axes!r}") from None
    if len(axes) < len(names):
        raise InvalidParameterError(
            f"axes must hold one Axes per market path ({len(names)}: {names}); "
            f"got {len(axes)}")
    for name, ax in zip(names, axes, strict=False):
        title, scale, unit = MARKET_PANELS[name]
        years, q = result.path_quantiles(name, FAN_QUANTILES)
        q = q * scale
        _bands(ax, years, q, "C2")
        ax.set_title(title)
        ax.set_xlabel("year")
        ax.set_ylabel(unit)
    axes[0].legend(fontsize=7, loc="upper left")
    k = len(result.paths[names[0]])
    axes[0].figure.suptitle(f"{result.title}: market paths ({k:,} scenarios)")
    return axes[0].figure


def plot_recovery(result: Any, *, ax: Any = None) -> Any:
    """P(Deemed Allocation Amount recovered by the end of each year).

    Parameters
    ----------
    result : SimulationResult or StreamingSummary
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.presets import ohio_gas_power
    >>> fig = plot_recovery(dealsim.simulate(ohio_gas_power(), 100, seed=1))
    >>> float(fig.axes[0].lines[0].get_ydata().max()) <= 1.0
    True
    """
    ax = _axes(ax)
    years, share = result.recovered_by_year()
    ax.step(years, share, where="post")
    ax.set_ylim(0.0, max(0.05, float(share.max()) * 1.1) if share.size else 1.0)
    ax.set_xlabel("year")
    ax.set_ylabel("P(recovered by year end)")
    ax.set_title(f"{result.title}: deemed allocation recovered")
    return ax.figure


def plot_report(result: Any) -> Any:
    """All charts on one figure: IRR and NPV distributions, fan, tornado, recovery.

    The fan chart is left out when the result kept no paths (streaming runs). For a
    deal with market paths, a row of market fans (:func:`plot_market_fan`) follows,
    and the tornado is the conditional one (:func:`plot_tornado`'s default).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.presets import ohio_gas_power
    >>> deal = ohio_gas_power()  # market paths: the default
    >>> len(plot_report(dealsim.simulate(deal, 300, seed=1)).axes)  # 6 panels + 4 fans
    10
    """
    from matplotlib.figure import Figure

    paths = getattr(result, "paths", None) or {}
    market = [k for k in MARKET_PANELS if k in paths and len(paths[k])]
    fig = Figure(figsize=(15, 12 if market else 9), layout="constrained")
    parts: Any = fig.subfigures(2, 1, height_ratios=[2, 1]) if market else [fig, None]
    top, bottom = parts[0], parts[1]
    axes = top.subplots(2, 3).ravel()
    plot_distribution(result, "investor_irr", ax=axes[0])
    plot_distribution(result, "investor_npv", ax=axes[1])
    plot_tornado(result, "investor_npv", ax=axes[2])
    plot_recovery(result, ax=axes[3])
    if paths.get("investor") is not None and len(paths["investor"]):
        plot_fan(result, ax=axes[4])
    else:
        axes[4].set_axis_off()
    axes[5].set_axis_off()
    prefix = f"{result.title}: "
    if bottom is not None:
        plot_market_fan(result, axes=np.atleast_1d(bottom.subplots(1, len(market))).tolist())
        bottom.suptitle(f"market paths ({len(paths[market[0]]):,} scenarios)")
    for ax in fig.axes:  # one figure title instead of the deal's name on every panel
        title = ax.get_title()
        ax.set_title(title[len(prefix):] if title.startswith(prefix) else title)
    fig.suptitle(f"{result.title} (n = {result.n:,}, seed {result.seed})")
    return fig


def plot_fund_or_decline(results: Any, *, rate_increases: Any = None, durations: Any = None,
                         ax: Any = None) -> Any:
    """P(funding beats declining) over tariff increase x duration, projects marked.

    The first result's probability is drawn as a filled map; every result (e.g. each
    announced project) gets its P = 0.5 line -- where funding and declining are even --
    and a dot at its break-even increase for the threat's median duration.

    Parameters
    ----------
    results : FundOrDecline, or mapping of label to FundOrDecline
        From :func:`dealsim.fund_or_decline`.
    rate_increases : sequence of float, optional
        Tariff increases (decimals); default 0 to 0.30 in steps of 0.01.
    durations : sequence of float, optional
        Durations (years, held fixed); default 0 to 10 in steps of 0.5.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.presets import ohio_gas_power
    >>> r = dealsim.fund_or_decline(ohio_gas_power(), None, 300, seed=1)
    >>> fig = plot_fund_or_decline({"Ohio": r})
    >>> len(fig.axes)  # the map and its colour bar
    2
    """
    items = dict(results) if isinstance(results, dict) else {results.title: results}
    if not items:
        raise InvalidParameterError("results must hold at least one FundOrDecline; got none")
    xs = np.arange(0.0, 0.3001, 0.01) if rate_increases is None else np.asarray(rate_increases)
    ds = np.arange(0.0, 10.001, 0.5) if durations is None else np.asarray(durations)
    ax = _axes(ax)
    first = next(iter(items.values()))
    grid = first.p_grid(xs, ds)
    filled = ax.contourf(xs * 100, ds, grid, levels=np.linspace(0, 1, 11), cmap="RdYlGn")
    ax.figure.colorbar(filled, ax=ax, label="P(funding beats declining)")
    for k, (label, res) in enumerate(items.items()):
        color = f"C{k % 10}"
        p = res.p_grid(xs, ds) if res is not first else grid
        if p.min() < 0.5 < p.max():
            ax.contour(xs * 100, ds, p, levels=[0.5], colors=[color], linewidths=1.5)
        med = float(res.threat.duration.median)
        at = res.with_threat(_fixed_duration(res.threat, med))
        x = float(np.median(at.breakeven_rate_increase))
        if 0 <= x <= xs.max():
            ax.plot([x * 100], [med], "o", color=color, label=f"{label}: P = 0.5 at +{x * 100:.1f}")
        else:
            ax.plot([], [], "o", color=color, label=f"{label}: P = 0.5 off the chart")
    ax.set_xlabel("tariff increase after a decline (percentage points)")
    ax.set_ylabel("duration of the tariff (years)")
    ax.set_title(f"Fund or decline: map for {next(iter(items))} (probability imposed "
                 f"{first.threat.probability:g})")
    ax.legend(fontsize=7, loc="upper right")
    return ax.figure


def _fixed_duration(threat: Any, years: float) -> Any:
    import dataclasses

    from dealsim.montecarlo.uncertainty import Fixed

    return dataclasses.replace(threat, duration=Fixed(years))
