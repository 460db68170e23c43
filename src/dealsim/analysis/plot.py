"""Charts of a Monte Carlo run (needs the ``plot`` extra: matplotlib).

Every function returns a :class:`matplotlib.figure.Figure` built without pyplot, so
nothing depends on a display or a global figure state; ``fig.savefig("x.png")`` writes
it, and in Jupyter the returned figure shows itself inline (it has a PNG ``repr``),
with or without ``import matplotlib.pyplot``. Pass ``ax=`` to draw into an existing
axes instead (the axes' figure is returned). Functions that need only statistics also
accept a :class:`dealsim.montecarlo.streaming.StreamingSummary`.

What the figures share: labels in plain words with units (Japan's IRR in %, NPVs in
US$ bn at the deemed rate), a dotted black line at each break-even value (IRR 0,
NPV 0, MOIC 1, P = 0.5), the Okabe--Ito colour-blind-safe palette (:data:`PALETTE`)
and cividis for maps, shares of scenarios rather than counts, and distribution axes
cut at the robust quantiles :data:`AXIS_QUANTILES` (P0.5--P99.5) with the tails noted.
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np

from dealsim.errors import InvalidParameterError
from dealsim.results.summary import TOTAL_LOSS_IRR

__all__ = ["AXIS_QUANTILES", "FAN_QUANTILES", "LABELS", "MARKED", "MARKET_PANELS", "PALETTE",
           "plot_distribution", "plot_fan", "plot_fund_or_decline", "plot_market_fan",
           "plot_recovery", "plot_report", "plot_tornado"]

#: Quantiles marked on distributions and drawn as fan bands.
MARKED = (0.05, 0.50, 0.95)

#: Quantiles that bound a distribution's x-axis; the scenarios beyond are noted.
AXIS_QUANTILES = (0.005, 0.995)

#: Okabe & Ito (2008), "Color Universal Design": distinguishable under the common
#: colour-vision deficiencies. Blue, orange, bluish green, vermillion, reddish purple,
#: sky blue, yellow, black.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000")

#: Output -> (axis label, scale from the stored unit, break-even value or None).
LABELS: dict[str, tuple[str, float, float | None]] = {
    "investor_irr": ("Japan's IRR (%)", 100.0, 0.0),
    "investor_npv": ("Japan's NPV (US$ bn, at the deemed rate)", 1e-9, 0.0),
    "investor_moic": ("Japan's multiple on capital (x)", 1.0, 1.0),
    "host_npv": ("the US's NPV (US$ bn, at the deemed rate)", 1e-9, 0.0),
    "fee_pv": ("developer fee, present value (US$ bn)", 1e-9, None),
}

#: Uncertain input -> (plain name, scale, unit) for tornado labels.
INPUT_LABELS: dict[str, tuple[str, float, str]] = {
    "overrun": ("cost overrun", 1.0, "x"),
    "delay": ("construction delay", 1.0, "\N{NO-BREAK SPACE}yr"),
    "capacity": ("capacity achieved", 100.0, "%"),
    "price": ("power price", 1.0, "x"),
    "fuel": ("fuel price", 1.0, "x"),
    "utilisation": ("utilisation", 1.0, "x"),
    "deemed_rate": ("deemed rate", 100.0, "%"),
    "usdjpy": ("USD/JPY", 1.0, "\N{NO-BREAK SPACE}yen"),
}

_BREAK_EVEN = {"color": "black", "linestyle": ":", "linewidth": 1.2}


class _InlinePNG:
    """Mixin giving a figure a PNG ``repr``, so Jupyter shows it without pyplot."""

    def _repr_png_(self) -> bytes:
        import io

        buf = io.BytesIO()
        self.savefig(buf, format="png", dpi=100)  # type: ignore[attr-defined]
        return buf.getvalue()


def __getattr__(name: str) -> Any:
    """``InlineFigure``: a :class:`matplotlib.figure.Figure` with a PNG ``repr``.

    Built on first use (matplotlib is imported lazily) and kept as a module attribute,
    so figures pickle and unpickle under the name ``dealsim.analysis.plot.InlineFigure``.
    """
    if name != "InlineFigure":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from matplotlib.figure import Figure

    cls = type("InlineFigure", (_InlinePNG, Figure), {"__module__": __name__})
    globals()["InlineFigure"] = cls
    return cls


def _figure(width: float, height: float) -> Any:
    """A new constrained-layout figure that displays itself inline in Jupyter."""
    cls = globals().get("InlineFigure") or __getattr__("InlineFigure")
    return cls(figsize=(width, height), layout="constrained")


def _panel(ax: Any, title: str, xlabel: str, ylabel: str, *, size: tuple[float, float] = (7, 4.5)
           ) -> Any:
    """The axes to draw in (``ax``, or a new figure's) with its title and labels set.

    A title wider than the axes (measured in its font) is wrapped to the axes' width,
    so it never runs past the figure's edge or into its neighbour's.
    """
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    if ax is None:
        ax = _figure(*size).add_subplot()
    points = 72 * ax.get_position().width * ax.get_figure(root=True).get_figwidth()
    wide = text_to_path.get_text_width_height_descent(title, FontProperties(size=10), False)[0]
    if wide > points:
        title = "\n".join(textwrap.wrap(title, max(16, int(len(title) * points / wide))))
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def _label(output: str) -> tuple[str, float, float | None]:
    if output in LABELS:
        return LABELS[output]
    raise InvalidParameterError(f"output must be one of {sorted(LABELS)}; got {output!r}")


def _break_even(ax: Any, value: float | None, label: str, *, vertical: bool = True) -> None:
    if value is not None:
        (ax.axvline if vertical else ax.axhline)(value, label=label, gid="break-even",
                                                 **_BREAK_EVEN)


def _share_axis(axis: Any) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(_percent))


def _percent(share: float, _position: Any = None) -> str:
    return f"{100 * share:.3g}%"


def _nice_width(span: float, bins: int) -> float:
    """A bin width of 1, 2, 2.5 or 5 times a power of ten, near ``span / bins``."""
    raw = span / max(bins, 1) if span > 0 else 1.0
    power = 10.0 ** np.floor(np.log10(raw))
    return float(power * min((1, 2, 2.5, 5, 10), key=lambda m: abs(m * power - raw)))


def _fmt(x: float) -> str:
    return f"{x:,.3g}".replace("-", "\N{MINUS SIGN}")


def _distribution_data(result: Any, output: str, scale: float) -> tuple[Any, ...]:
    """(bin edges, counts, n, marks, axis range, tail note) of ``output``, scaled."""
    lo_q, hi_q = AXIS_QUANTILES
    if hasattr(result, "counts"):  # StreamingSummary: its fixed bins
        if output not in result.counts:
            raise InvalidParameterError(f"output must be one of {sorted(result.counts)}; "
                                        f"got {output!r}")
        edges, counts = result.edges[output] * scale, result.counts[output][1:-1]
        n = int(result.counts[output].sum())
        marks = [result.quantile(output, q)[0] * scale for q in MARKED]
        lo, hi = (result.quantile(output, q)[0] * scale for q in AXIS_QUANTILES)
        return edges, counts, n, marks, (lo, hi), (
            f"axis: P{100 * lo_q:g} to P{100 * hi_q:g}; {100 * lo_q:g}% of scenarios lie "
            f"beyond each end")
    values = result.statistic_values(output) if hasattr(result, "statistic_values") \
        else result.output(output)
    x = np.asarray(values, dtype=np.float64)
    undefined = int(np.isnan(x).sum())
    x = x[~np.isnan(x)] * scale
    if not x.size:
        raise InvalidParameterError(f"output {output!r} has no defined value to plot")
    marks = [float(np.quantile(x, q)) for q in MARKED]
    # total losses (IRR counted as -100%) are a point mass: noted, not drawn
    lost = x == TOTAL_LOSS_IRR * scale if output == "investor_irr" else x != x
    body = x[~lost] if not lost.all() else x
    lo, hi = (float(v) for v in np.quantile(body, AXIS_QUANTILES))
    note = (f"axis: P{100 * lo_q:g} to P{100 * hi_q:g}; {np.mean(x < lo):.1%} of scenarios "
            f"below (min {_fmt(x.min())}), {np.mean(x > hi):.1%} above (max {_fmt(x.max())})")
    if lost.any() and not lost.all():
        note = (f"axis: P{100 * lo_q:g} to P{100 * hi_q:g} of the scenarios with a return; "
                f"{lost.mean():.1%} total losses (\N{MINUS SIGN}100%) and "
                f"{np.mean(body < lo) * (1 - lost.mean()):.1%} more below, "
                f"{np.mean(x > hi):.1%} above (max {_fmt(x.max())})")
    if undefined:
        note += f"; {undefined:,} undefined, left out"
    return None, x, x.size + undefined, marks, (lo, hi), note


def plot_distribution(result: Any, output: str = "investor_irr", *, bins: int = 60,
                      label: str | None = None, ax: Any = None) -> Any:
    """Share of scenarios by value of one output, with its P5, median and P95 marked.

    The x-axis runs from P0.5 to P99.5 (:data:`AXIS_QUANTILES`, widened to show the
    break-even value; for the IRR, of the scenarios that are not total losses, which
    sit at -100%); a note under the axis says what lies beyond. Drawing several
    runs into one ``ax`` overlays them on common bins, each with its entry in the legend.

    Parameters
    ----------
    result : SimulationResult or StreamingSummary
    output : str
        A key of :data:`LABELS`, e.g. ``"investor_irr"``, ``"investor_npv"`` or
        ``"investor_moic"``.
    bins : int
        About this many bins across the axis (widths of 1, 2, 2.5 or 5 x 10^k).
    label : str, optional
        The run's name in the legend; default its title.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        The histogram with its marks and legend.

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.presets import ohio_gas_power
    >>> fig = plot_distribution(dealsim.simulate(ohio_gas_power(), 500, seed=1))
    >>> [line.get_label().split()[0] for line in fig.axes[0].lines]
    ['P5', 'median', 'P95', 'break-even']
    """
    text, scale, even = _label(output)
    edges, data, n, marks, (lo, hi), note = _distribution_data(result, output, scale)
    runs = getattr(ax, "_dealsim_runs", None) if ax is not None else None
    if runs is None:
        ax = _panel(ax, f"{result.title}: {text}, n = {n:,}", text, "share of scenarios")
        ax._dealsim_runs = runs = []
    span = (min(lo, even if even is not None else lo), max(hi, even if even is not None else hi))
    if runs:  # an overlay: common bins, the union of the ranges
        width = runs[0]
        span = (min(span[0], ax.get_xlim()[0]), max(span[1], ax.get_xlim()[1]))
    else:
        width = _nice_width(span[1] - span[0], bins)
    color = PALETTE[len(runs) % len(PALETTE)]
    grid = np.arange(np.floor(span[0] / width), np.ceil(span[1] / width) + 1) * width
    if edges is None:
        counts = np.histogram(data, grid)[0]
    else:  # regroup a streaming summary's fixed bins onto the grid by their centres
        counts = np.histogram((edges[:-1] + edges[1:]) / 2, grid, weights=data)[0]
    name = label if label is not None else result.title
    if len(runs) == 1 and (ax.patches[0].get_label() or "_")[0] == "_":
        ax.patches[0].set_label(ax._dealsim_first)  # an overlay names the first run too
    ax._dealsim_first = name
    ax.stairs(counts / n, grid, fill=not runs, alpha=0.5 if not runs else 1.0, color=color,
              linewidth=1.5, label=name if runs or label else None)
    for q, m in zip(MARKED, marks, strict=True):
        word = "median" if q == 0.5 else f"P{100 * q:g}"
        ax.axvline(m, color=color, linestyle="-" if q == 0.5 else "--", linewidth=1,
                   label=f"{word} {_fmt(m)}")
    if not runs:
        _break_even(ax, even, f"break-even ({_fmt(even)})" if even is not None else "")
        ax._dealsim_note = ax.annotate(  # under the x-axis label
            note, (0.5, 0.0), xycoords="axes fraction", xytext=(0, -34),
            textcoords="offset points", ha="center", va="top", fontsize=7)
    else:  # one title and note for all the runs overlaid
        _panel(ax, f"{text}: {len(runs) + 1} runs", text, "")
        ax._dealsim_note.set_text(f"axis: P{100 * AXIS_QUANTILES[0]:g} to "
                                  f"P{100 * AXIS_QUANTILES[1]:g} of each run, widest")
    _share_axis(ax.yaxis)
    runs.append(width)
    ax.set_xlim(span[0] - width, span[1] + width)
    ax.set_ylabel(f"share of scenarios (per bin of {_fmt(width)})")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return ax.figure


#: Quantiles of a fan: P5-P95 and P25-P75 bands around the median.
FAN_QUANTILES = (0.05, 0.25, 0.50, 0.75, 0.95)


def _bands(ax: Any, years: Any, q: Any, color: str, what: str = "") -> None:
    """P5-P95 and P25-P75 bands and the median line from quantile rows ``q`` (5, T)."""
    ax.fill_between(years, q[0], q[4], alpha=0.25, color=color, label=f"{what}P5 to P95",
                    linewidth=0)
    ax.fill_between(years, q[1], q[3], alpha=0.45, color=color, label=f"{what}P25 to P75",
                    linewidth=0)
    ax.plot(years, q[2], color=color, label=f"{what}median")


def plot_fan(result: Any, *, ax: Any = None) -> Any:
    """Japan's cumulative receipts by year against its Deemed Allocation Amount.

    Nominal US dollars, not discounted; the dotted line (the break-even for getting
    the capital back) is the median capital paid in so far. Bands: P5-P95 and P25-P75 of cumulative
    receipts (Japan's positive flows), median as a line, over the first ``k`` scenarios
    kept in ``result.paths`` (:func:`dealsim.simulate`'s ``paths``). The Deemed
    Allocation Amount line is the median of receipts plus the unrecovered balance
    (capital plus deemed interest still owed), held at its value once recovered.

    Parameters
    ----------
    result : SimulationResult
        Run with ``paths > 0``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Bands of receipts, with the Deemed Allocation Amount and capital lines.

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
    received = np.cumsum(np.maximum(paths["investor"], 0.0), axis=1) / 1e9
    daa = np.maximum.accumulate(received + paths["balance"] / 1e9, axis=1)
    years = result.first_year + np.arange(received.shape[1])
    ax = _panel(ax, f"{result.title}: what Japan has received, {received.shape[0]:,} "
                f"scenarios", "year", "cumulative, nominal US$ bn (not discounted)")
    _bands(ax, years, np.quantile(received, FAN_QUANTILES, axis=0), PALETTE[0], "receipts, ")
    ax.plot(years, np.median(daa, axis=0), color=PALETTE[3], linestyle="--",
            label="Deemed Allocation Amount\n(capital + deemed interest), median")
    paid = np.cumsum(np.maximum(-paths["investor"], 0.0), axis=1) / 1e9
    ax.plot(years, np.median(paid, axis=0), label="capital paid in, median (break-even)",
            **_BREAK_EVEN)
    ax.set_ylim(bottom=0.0)
    ax.legend(fontsize=7, loc="upper left")
    return ax.figure


def _input_label(bar: Any) -> str:
    name, scale, unit = INPUT_LABELS.get(bar.name, (bar.name, 1.0, ""))
    ends = f"{_fmt(bar.low_input * scale)}{unit} to {_fmt(bar.high_input * scale)}{unit}"
    what = "" if bar.measure == "level" else ", yearly mean"
    return "\n".join(textwrap.wrap(f"{name}{what}: {ends}", 32))


def _centre(result: Any, output: str, mean: bool) -> tuple[float, str]:
    """The output's mean (decile means swing about it) or median over all scenarios."""
    if hasattr(result, "counts"):
        return (result.summary().statistics[output].mean if mean
                else result.quantile(output, 0.5)[0]), "mean" if mean else "median"
    x = result.statistic_values(output)
    return float(np.nanmean(x) if mean else np.nanmedian(x)), "mean" if mean else "median"


def plot_tornado(result: Any, output: str = "investor_npv", *, top: int = 10,
                 method: str | None = None, ax: Any = None) -> Any:
    """Tornado chart of ``output``: each uncertainty's low and high end, largest first.

    Decile-mean bars run from the output's mean over all scenarios to its mean over
    the scenarios with the input in its lowest or highest decile. A P10/P90 bar spans
    the output with the input at its P10 (circle) and at its P90 (diamond), the others
    at their medians. The grey line is the output's mean or median over all
    scenarios; the dotted line is the break-even.
    Each label gives the input's range (P10 to P90, or its deciles' bounds).

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
        Horizontal bars, largest swing on top.

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.presets import ohio_gas_power
    >>> r = dealsim.simulate(ohio_gas_power(), 1000, seed=1)
    >>> fig = plot_tornado(r, top=3)
    >>> len(fig.axes[0].patches)  # decile means: a bar each side per uncertainty
    6
    >>> len(plot_tornado(r, top=3, method="deterministic").axes[0].patches)  # end to end
    3
    >>> plot_tornado(r, top=3, method="conditional").axes[0].get_title()[-14:]
    '(decile means)'
    """
    bars = (result.tornado(output) if method is None
            else result.tornado(output, method=method))[:top][::-1]
    if not bars or output not in bars[0].low:
        raise InvalidParameterError(f"output must have tornado bars "
                                    f"(investor_npv, investor_irr, host_npv); got {output!r}")
    text, scale, even = _label(output)
    ends = np.array([[b.low[output], b.high[output]] for b in bars]) * scale
    conditional = bars[0].method == "conditional"
    centre, word = _centre(result, output, conditional)
    centre *= scale
    y = np.arange(len(bars))
    how = "decile means" if conditional else "P10/P90, others at median"
    ax = _panel(ax, f"{result.title}: what moves {text.split(' (')[0]} ({how})", text, "",
                size=(7.5, 1.5 + 0.45 * len(bars)))
    names = ["lowest decile", "highest decile"] if conditional else ["P10", "P90"]
    if conditional:  # decile means swing about the mean of all scenarios
        for k in range(2):
            err = np.array([(b.low_se, b.high_se)[k].get(output, np.nan) for b in bars])
            ax.barh(y, ends[:, k] - centre, left=centre, color=PALETTE[k], height=0.7,
                    label=f"input at its {names[k]}", xerr=err * scale, ecolor="black",
                    capsize=2)
    else:  # no base case is kept: a bar from one end to the other, each end marked
        low = ends.min(axis=1)
        ax.barh(y, ends.max(axis=1) - low, left=low, color="0.82", height=0.7,
                label="between the two ends")
        for k, marker in enumerate("oD"):
            ax.plot(ends[:, k], y, marker, color=PALETTE[k], linestyle="none", markersize=6,
                    label=f"input at its {names[k]}")
    ax.axvline(centre, color="0.4", linewidth=1, label=f"{word}, all scenarios ({_fmt(centre)})")
    _break_even(ax, even, f"break-even ({_fmt(even)})" if even is not None else "")
    ax.use_sticky_edges = False  # room for the end marks and error bars
    ax.margins(x=0.04)
    ax.set_yticks(y, [_input_label(b) for b in bars], fontsize=8)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return ax.figure


#: Market paths drawn by :func:`plot_market_fan`: key of ``result.paths``, panel title,
#: scale and unit.
MARKET_PANELS: dict[str, tuple[str, float, str]] = {
    "price": ("power price factor", 1.0, "multiple of the escalated base price"),
    "fuel": ("fuel price factor", 1.0, "multiple of the escalated base price"),
    "deemed_rate": ("deemed rate (SOFR + spread)", 100.0, "% a year"),
    "usdjpy": ("USD/JPY", 1.0, "yen per US$"),
}


def plot_market_fan(result: Any, *, axes: Any = None) -> Any:
    """Fan charts of the market paths the kept scenarios ran on, one panel per factor.

    Each panel shows, by year, the P5-P95 and P25-P75 bands and the median of a market
    path over the first ``k`` scenarios (``simulate(..., paths=k)``): the power and
    fuel factors (on the escalated base prices), the deemed rate (term SOFR + spread)
    and USD/JPY, for each factor ``deal.market`` models. :func:`dealsim.simulate`
    regenerates those paths after the run from the seed, the scenarios' draws and the
    deal (:meth:`dealsim.SimulationResult.path_quantiles` gives the numbers). USD/JPY
    is drawn whenever ``deal.market`` models it: a deal without a yen fee does not
    read it. The legend sits beside the last panel, clear of the bands.

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
        One panel per market factor under a common title.

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
        fig = _figure(2.9 * len(names) + 1.6, 3.2)
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
        _panel(ax, title, "year", unit)
        _bands(ax, years, q * scale, PALETTE[2])
    axes[len(names) - 1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                                borderaxespad=0)
    k = len(result.paths[names[0]])
    axes[0].figure.suptitle(f"{result.title}: market paths ({k:,} scenarios)", fontsize=11)
    return axes[0].figure


def plot_recovery(result: Any, *, ax: Any = None) -> Any:
    """Share of scenarios in which Japan has its money back, by year.

    Two steps: the Deemed Allocation Amount recovered (capital plus deemed interest;
    from then on the split is 90% US / 10% Japan), over every scenario; and, for a
    result that kept paths, Japan's capital returned (cumulative receipts at least all
    it pays in), over the kept scenarios. The y-axis fits the curves.

    Parameters
    ----------
    result : SimulationResult or StreamingSummary
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Step curves of the share recovered.

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.presets import ohio_gas_power
    >>> fig = plot_recovery(dealsim.simulate(ohio_gas_power(), 100, seed=1, paths=100))
    >>> [line.get_label()[:20] for line in fig.axes[0].lines]
    ['Deemed Allocation Am', 'capital returned, 10']
    """
    years, share = result.recovered_by_year()
    ax = _panel(ax, f"{result.title}: when Japan has its money back", "year",
                "share of scenarios")
    top = float(share.max()) if share.size else 0.0
    ax.step(years, share, where="post", color=PALETTE[3], label=(
        f"Deemed Allocation Amount recovered\n({share[-1]:.1%} by {years[-1]}, all "
        f"{result.n:,} scenarios)" if share.size else "Deemed Allocation Amount recovered"))
    paths = getattr(result, "paths", {}) or {}
    if len(paths.get("investor", ())):
        flows = paths["investor"]
        paid = np.sum(np.maximum(-flows, 0.0), axis=1, keepdims=True)
        back = np.mean(np.cumsum(np.maximum(flows, 0.0), axis=1) >= paid, axis=0)
        span = result.first_year + np.arange(back.size)
        ax.step(span, back, where="post", color=PALETTE[0], label=(
            f"capital returned, {len(flows):,} kept scenarios\n"
            f"({back[-1]:.1%} by {span[-1]})"))
        top = max(top, float(back.max()))
    ax.set_ylim(0.0, min(1.0, max(top * 1.15, 0.001)))
    _share_axis(ax.yaxis)
    ax.legend(fontsize=7, loc="upper left")
    return ax.figure


def plot_report(result: Any) -> Any:
    """All charts on one figure: Japan's IRR, NPV and MOIC, tornado, recovery, fan.

    The fan chart is left out when the result kept no paths (streaming runs; the
    tornado then takes two panels). For a deal with market paths, a row of market fans
    (:func:`plot_market_fan`) follows, and the tornado is the conditional one
    (:func:`plot_tornado`'s default).

    Returns
    -------
    matplotlib.figure.Figure
        Every chart of the run, under one title.

    Examples
    --------
    >>> import dealsim
    >>> from dealsim.presets import ohio_gas_power
    >>> deal = ohio_gas_power()  # market paths: the default
    >>> len(plot_report(dealsim.simulate(deal, 300, seed=1)).axes)  # 6 panels + 4 fans
    10
    """
    paths = getattr(result, "paths", None) or {}
    market = [k for k in MARKET_PANELS if k in paths and len(paths[k])]
    fan = paths.get("investor") is not None and len(paths["investor"]) > 0
    fig = _figure(17, 14.5 if market else 10.5)
    parts: Any = fig.subfigures(2, 1, height_ratios=[2.6, 1]) if market else [fig, None]
    layout = [["irr", "npv", "moic"], ["tornado", "recovery", "fan"] if fan
              else ["tornado", "tornado", "recovery"]]
    panels = parts[0].subplot_mosaic(layout)
    plot_distribution(result, "investor_irr", ax=panels["irr"])
    plot_distribution(result, "investor_npv", ax=panels["npv"])
    plot_distribution(result, "investor_moic", ax=panels["moic"])
    plot_tornado(result, "investor_npv", ax=panels["tornado"])
    plot_recovery(result, ax=panels["recovery"])
    if fan:
        plot_fan(result, ax=panels["fan"])
    if parts[1] is not None:
        plot_market_fan(result, axes=np.atleast_1d(parts[1].subplots(1, len(market))).tolist())
        parts[1].suptitle(f"market paths ({len(paths[market[0]]):,} scenarios)", fontsize=11)
    prefix = f"{result.title}: "
    for ax in fig.axes:  # one figure title instead of the deal's name on every panel
        title = ax.get_title().replace("\n", " ")
        _panel(ax, title[len(prefix):] if title.startswith(prefix) else title,
               ax.get_xlabel(), ax.get_ylabel())
    fig.suptitle(f"{result.title} (n = {result.n:,}, seed {result.seed})", fontsize=13)
    return fig


def plot_fund_or_decline(results: Any, *, rate_increases: Any = None, durations: Any = None,
                         ax: Any = None) -> Any:
    """P(funding beats declining) over tariff increase x duration, projects marked.

    The first result's probability is drawn as a filled map (cividis); every result
    (e.g. each announced project) gets its P = 0.5 line -- where funding and declining
    are even -- and a dot at its break-even increase for the threat's median duration.
    The default increases reach past every dot.

    Parameters
    ----------
    results : FundOrDecline, or mapping of label to FundOrDecline
        From :func:`dealsim.fund_or_decline`.
    rate_increases : sequence of float, optional
        Tariff increases (decimals); default 0 to 0.30 (or past the largest break-even)
        in steps of 0.01.
    durations : sequence of float, optional
        Durations (years, held fixed); default 0 to 10 in steps of 0.5.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        The map, its colour bar and each project's line and dot.

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
    evens = {}
    for label, res in items.items():
        med = float(res.threat.duration.median)
        at = res.with_threat(_fixed_duration(res.threat, med))
        evens[label] = (med, float(np.median(at.breakeven_rate_increase)))
    if rate_increases is None:
        finite = [x for _, x in evens.values() if np.isfinite(x)]
        top = max([0.30, *(np.ceil(x * 20) / 20 + 0.05 for x in finite)])
        xs = np.arange(0.0, top + 1e-9, 0.01)
    else:
        xs = np.asarray(rate_increases)
    ds = np.arange(0.0, 10.001, 0.5) if durations is None else np.asarray(durations)
    first = next(iter(items.values()))
    ax = _panel(ax, f"Fund or decline: P(funding beats declining) for {next(iter(items))}, "
                f"threat imposed with probability {first.threat.probability:g}",
                "tariff increase after a decline (percentage points)",
                "duration of the tariff (years)", size=(8, 5))
    grid = first.p_grid(xs, ds)
    filled = ax.contourf(xs * 100, ds, grid, levels=np.linspace(0, 1, 11), cmap="cividis")
    bar = ax.figure.colorbar(filled, ax=ax, label="P(funding beats declining)")
    _share_axis(bar.ax.yaxis)
    for k, (label, res) in enumerate(items.items()):
        color = PALETTE[(3, 2, 4, 5, 7, 0)[k % 6]]  # clear of cividis's blue and yellow
        p = res.p_grid(xs, ds) if res is not first else grid
        if p.min() < 0.5 < p.max():
            ax.contour(xs * 100, ds, p, levels=[0.5], colors=[color], linewidths=2)
        med, x = evens[label]
        where = (f"+{x * 100:.1f} points" if 0 <= x <= xs.max()
                 else f"beyond +{xs.max() * 100:.0f} points (off the axis)")
        ax.plot([x * 100] if 0 <= x <= xs.max() else [], [med] if 0 <= x <= xs.max() else [],
                "o", color=color, markeredgecolor="white", markersize=8,
                linestyle="none", label=f"{label}: even at {where}, {med:.3g} years")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2,
              title="P = 0.5 line and break-even at the median duration", title_fontsize=7)
    return ax.figure


def _fixed_duration(threat: Any, years: float) -> Any:
    import dataclasses

    from dealsim.montecarlo.uncertainty import Fixed

    return dataclasses.replace(threat, duration=Fixed(years))
