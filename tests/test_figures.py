"""Every public ``plot_*`` figure is legible: no text outside the figure, no two texts
overlapping, no empty panel; labels in plain words, break-even lines, robust axes.

The checks are made on the drawn figure (Agg, dpi 100): the texts are those that
``Text.draw`` actually draws (ticks outside the view are not drawn, so not counted),
measured by their window extents. ``test_the_checker_catches_bad_figures`` shows each
check failing on a figure made bad on purpose.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

import dealsim
from dealsim.model.market import Market
from dealsim.montecarlo.streaming import simulate_stream
from dealsim.presets import ohio_gas_power, smr_tranche2

pytest.importorskip("matplotlib")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from dealsim.analysis import plot  # noqa: E402

N = 2000
TOLERANCE = 1.0  # pixels two boxes may share before they count as overlapping


def drawn_texts(fig, monkeypatch):
    """Draw ``fig`` on an Agg canvas; return (the drawn non-empty texts, renderer)."""
    canvas = FigureCanvasAgg(fig)
    seen = []
    draw = Text.draw

    def spy(self, renderer):
        if self.get_visible() and self.get_text().strip():
            seen.append(self)
        return draw(self, renderer)

    with monkeypatch.context() as m:
        m.setattr(Text, "draw", spy)
        canvas.draw()
    return seen, canvas.get_renderer()


def problems(fig, monkeypatch):
    """What is wrong with ``fig``: texts outside it, overlapping texts, empty panels."""
    texts, renderer = drawn_texts(fig, monkeypatch)
    box = fig.bbox
    found = []
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    for text, e in boxes:
        if (e.x0 < box.x0 - TOLERANCE or e.y0 < box.y0 - TOLERANCE
                or e.x1 > box.x1 + TOLERANCE or e.y1 > box.y1 + TOLERANCE):
            found.append(f"outside the figure: {text!r}")
    for (a, ea), (b, eb) in itertools.combinations(boxes, 2):
        dx = min(ea.x1, eb.x1) - max(ea.x0, eb.x0)
        dy = min(ea.y1, eb.y1) - max(ea.y0, eb.y0)
        if dx > TOLERANCE and dy > TOLERANCE:
            found.append(f"overlapping: {a!r} and {b!r}")
    for ax in fig.axes:
        if not ax.has_data():
            found.append(f"empty panel: {ax.get_title()!r}")
    return found


@pytest.fixture(scope="module")
def run():
    return dealsim.simulate(ohio_gas_power(), N, seed=11, paths=200)


@pytest.fixture(scope="module")
def stream():
    return simulate_stream(ohio_gas_power(), N, seed=11)


@pytest.fixture(scope="module")
def decisions():
    threat = dealsim.TariffThreat()
    return {"Ohio gas": dealsim.fund_or_decline(ohio_gas_power(), threat, N, seed=11),
            "SMRs": dealsim.fund_or_decline(smr_tranche2(), threat, N, seed=11)}


def overlay(run):
    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.add_subplot()
    plot.plot_distribution(run, "investor_irr", ax=ax)
    cheaper = dealsim.simulate(ohio_gas_power(power_price=95.0), N, seed=11)
    return plot.plot_distribution(cheaper, "investor_irr", ax=ax, label="$95/MWh")


def level_market():
    deal = dataclasses.replace(ohio_gas_power(), market=Market())  # no market paths
    return dealsim.simulate(deal, N, seed=11, paths=200)


FIGURES = {
    "distribution irr": lambda r, s, d: plot.plot_distribution(r, "investor_irr"),
    "distribution npv": lambda r, s, d: plot.plot_distribution(r, "investor_npv"),
    "distribution moic": lambda r, s, d: plot.plot_distribution(r, "investor_moic"),
    "distribution streaming": lambda r, s, d: plot.plot_distribution(s, "investor_npv"),
    "overlay": lambda r, s, d: overlay(r),
    "fan": lambda r, s, d: plot.plot_fan(r),
    "tornado": lambda r, s, d: plot.plot_tornado(r),
    "tornado deterministic": lambda r, s, d: plot.plot_tornado(r, method="deterministic"),
    "recovery": lambda r, s, d: plot.plot_recovery(r),
    "recovery streaming": lambda r, s, d: plot.plot_recovery(s),
    "market fan": lambda r, s, d: plot.plot_market_fan(r),
    "report": lambda r, s, d: plot.plot_report(r),
    "report streaming": lambda r, s, d: plot.plot_report(s),
    "report, level market": lambda r, s, d: plot.plot_report(level_market()),
    "fund or decline": lambda r, s, d: plot.plot_fund_or_decline(d),
}


def test_every_public_plot_function_is_covered():
    public = {name for name in plot.__all__ if name.startswith("plot_")}
    called = {name for f in FIGURES.values() for name in public
              if name in f.__code__.co_names}
    called |= {"plot_distribution"}  # through overlay()
    assert called == public


@pytest.mark.parametrize("name", list(FIGURES))
def test_figure_is_legible(name, run, stream, decisions, monkeypatch):
    fig = FIGURES[name](run, stream, decisions)
    assert problems(fig, monkeypatch) == []


def test_the_checker_catches_bad_figures(monkeypatch):
    fig = Figure(figsize=(4, 3))
    ax, empty = fig.subplots(1, 2)
    ax.plot([0, 1], [0, 1])
    ax.set_title("a title far too long for a figure four inches wide, running off its edge")
    ax.text(0.5, 0.5, "here", transform=ax.transAxes)
    ax.text(0.5, 0.5, "there", transform=ax.transAxes)
    found = problems(fig, monkeypatch)
    assert any(p.startswith("outside the figure: 'a title far") for p in found)
    assert "overlapping: 'here' and 'there'" in found
    assert "empty panel: ''" in found
    # the old distribution labels, rotated P5/P50/P95 texts at nearby quantiles, overlap
    fig = Figure(figsize=(7, 4.5))
    ax = fig.add_subplot()
    ax.hist(np.random.default_rng(0).normal(size=500))
    for x in (-0.05, 0.0, 0.05):
        ax.annotate(f"P50 {x}", (x, 1.0), xycoords=("data", "axes fraction"), rotation=90,
                    va="top", ha="right", fontsize=8)
    assert any(p.startswith("overlapping: 'P50") for p in problems(fig, monkeypatch))


def test_distribution_axis_is_robust_and_marks_break_even(run):
    ax = plot.plot_distribution(run, "investor_npv").axes[0]
    x = run.investor_npv[~np.isnan(run.investor_npv)] * 1e-9
    lo, hi = np.quantile(x, plot.AXIS_QUANTILES)
    left, right = ax.get_xlim()
    assert left <= lo and right >= max(hi, 0.0)  # P0.5..P99.5 and the break-even
    shares, edges, _ = ax.patches[0].get_data()
    width = float(np.diff(edges)[0])
    assert left >= min(lo, 0.0) - 2 * width and right <= max(hi, 0.0) + 2 * width
    assert left > x.min()  # the tail beyond P0.5 is cut, and the note says so
    assert "0.5% of scenarios below" in ax.texts[0].get_text()
    even = [line for line in ax.lines if line.get_gid() == "break-even"]
    assert len(even) == 1 and even[0].get_xdata()[0] == 0.0
    assert ax.get_xlabel() == "Japan's NPV (US$ bn, at the deemed rate)"
    # shares of scenarios, not counts: the bars inside the axis sum to 1 - the tails
    inside = np.mean((x >= edges[0]) & (x < edges[-1]))
    assert shares.sum() == pytest.approx(inside, abs=1e-12)
    assert ax.yaxis.get_major_formatter()(0.025, 0) == "2.5%"


def test_total_losses_are_noted_not_stretching_the_axis():
    r = level_market()
    lost = np.mean(r.statistic_values("investor_irr") == -1.0)
    assert lost > 0.005  # a point mass at -100% (1.4% here), beyond P0.5
    ax = plot.plot_distribution(r, "investor_irr").axes[0]
    rest = r.statistic_values("investor_irr")
    rest = rest[(rest > -1.0) & ~np.isnan(rest)] * 100
    assert ax.get_xlim()[0] > -100 and ax.get_xlim()[0] <= np.quantile(rest, 0.005)
    assert f"{lost:.1%} total losses" in ax.texts[0].get_text()
    p5 = np.nanquantile(r.statistic_values("investor_irr"), 0.05) * 100
    assert ax.get_xlim()[0] < p5  # the P5 mark stays on the axis here


def test_break_even_lines(run, decisions):
    moic = plot.plot_distribution(run, "investor_moic").axes[0]
    assert [line.get_xdata()[0] for line in moic.lines if line.get_gid() == "break-even"] \
        == [1.0]
    tornado = plot.plot_tornado(run).axes[0]
    assert [line.get_xdata()[0] for line in tornado.lines
            if line.get_gid() == "break-even"] == [0.0]
    labels = [t.get_text() for t in tornado.get_yticklabels()]
    assert not any("_" in label for label in labels)  # no code names
    fod = plot.plot_fund_or_decline(decisions).axes[0]
    legend = [t.get_text() for t in fod.get_legend().get_texts()]
    assert all("points" in t and "off the axis" not in t for t in legend), legend


def test_overlay_has_a_legend_for_each_run(run):
    ax = overlay(run).axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert run.title in labels and "$95/MWh" in labels


def test_recovery_axis_fits_the_curves(run):
    ax = plot.plot_recovery(run).axes[0]
    top = max(float(line.get_ydata().max()) for line in ax.lines)
    assert top <= ax.get_ylim()[1] <= max(1.2 * top, 0.001)


def test_maps_use_cividis(decisions):
    fig = plot.plot_fund_or_decline(decisions)
    assert fig.axes[0].collections[0].get_cmap().name == "cividis"


def test_figures_show_inline_without_pyplot(run):
    import pickle
    import subprocess
    import sys

    fig = plot.plot_recovery(run)
    png = fig._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    back = pickle.loads(pickle.dumps(fig))  # the figure class has an importable name
    assert type(back) is plot.InlineFigure and back.axes[0].get_title() == \
        fig.axes[0].get_title()
    ipython = pytest.importorskip("IPython.core.formatters")
    data, _ = ipython.DisplayFormatter().format(fig)
    assert data["image/png"][:4] == b"\x89PNG"[:4]  # what Jupyter shows
    code = ("import sys, dealsim; from dealsim.analysis import plot; "
            "from dealsim.presets import ohio_gas_power; "
            "r = dealsim.simulate(ohio_gas_power(), 200, seed=1); "
            "assert plot.plot_recovery(r)._repr_png_()[:4] == b'\\x89PNG'; "
            "print('matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"  # drawn and shown without pyplot
