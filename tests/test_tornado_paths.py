"""Tornado and fan charts of a deal whose market follows paths (issue #11, point 1).

What is tested: the market paths a result keeps are the paths the run used (the
investor flows of the kept scenarios recomputed from them through the kernel), the
market fan draws their quantiles, the path summaries equal a plain loop, and the
conditional tornado has the properties its definition implies.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

import dealsim
from dealsim.errors import InvalidParameterError
from dealsim.finance.cashflows import FACTOR_DEFAULTS, FACTOR_DOMAINS, _check_factors, _line_params
from dealsim.finance.evaluation import _deal_split_params, _draw_kwargs
from dealsim.kernels import block as _kernels
from dealsim.model.market import Market, block_paths
from dealsim.model.paths import UsdJpyPaths
from dealsim.montecarlo.engine import BLOCK_SIZE
from dealsim.montecarlo.streaming import simulate_stream
from dealsim.montecarlo.uncertainty import LogNormal, Uncertainties
from dealsim.presets import ohio_gas_power

SEED = 11


def paths_deal(yen: bool = False) -> dealsim.Deal:
    """Ohio with every market path; its fee in yen (the run reads the USD/JPY path) or
    in dollars (converted at the presets' 159 yen/$: nothing reads USD/JPY)."""
    deal, rate = ohio_gas_power(), FACTOR_DEFAULTS["usdjpy"]
    fees = tuple(f if (f.currency == "JPY") == yen else dataclasses.replace(
        f, currency="JPY" if yen else "USD", total=f.total * rate if yen else f.total / rate)
        for f in deal.fees)
    assert all(f.currency == ("JPY" if yen else "USD") for f in fees)
    return dataclasses.replace(deal, fees=fees, market=Market.paths())


@pytest.fixture(scope="module")
def yen_run():
    return dealsim.simulate(paths_deal(yen=True), 3000, seed=SEED, paths=3000,
                            backend="numpy")


def _kernel_flows(deal, result, market, k):
    """Investor flows of the first ``k`` scenarios recomputed through the kernel from
    given market paths (the run's own kernel, fed the regenerated paths)."""
    horizon = result.paths["investor"].shape[1]
    draws = {name: x[:k] for name, x in result.inputs.items()}
    kw = _draw_kwargs(draws)
    kw.pop("deemed_rate", None)
    factors = {name: np.ascontiguousarray(np.broadcast_to(arr, (k,))) for name, arr in
               _check_factors({name: kw.get(name, FACTOR_DEFAULTS.get(name, 1.0))
                               for name in FACTOR_DOMAINS}).items()}
    factors["price_factor"], factors["fuel_factor"] = market["price"], market["fuel"]
    factors["usdjpy"] = market["usdjpy"]
    rate = np.ascontiguousarray(market["deemed_rate"])
    ops = deal.operations
    lp = _line_params(deal.project, deal.fees, horizon, horizon - deal.project.base_horizon,
                      ops, ops.tax_share(deal.terms.share_before))
    out = _kernels.block_outputs(lp, _deal_split_params(deal, horizon), factors, rate, rate,
                                 paths=k, backend="numpy")
    return out["path:investor"], out["investor_npv"]


def test_kept_market_paths_are_the_paths_the_run_used(yen_run):
    deal, r = paths_deal(yen=True), yen_run
    _check_recomputed(deal, r)
    # negative control: another seed's paths give other flows, so the check can fail
    k = r.paths["investor"].shape[0]
    other = dealsim.simulate(deal, k, seed=SEED + 1, paths=k, backend="numpy")
    wrong = {name: other.paths[name] for name in ("price", "fuel", "deemed_rate", "usdjpy")}
    flows, _ = _kernel_flows(deal, r, wrong, k)
    assert not np.allclose(flows, r.paths["investor"], rtol=1e-6)


def test_undrawn_factors_start_where_the_run_starts_them():
    # no deemed-rate, fuel or USD/JPY draw: their paths start at the terms' rate, a
    # factor of 1 and the presets' 159 yen/$, as in the run (the fuel's 1 read on the
    # median scale of the centred price law, exp(-0.3**2 / 2), and its start mixed with
    # the power draw's log deviation at the stationary correlation rho = 2 sin(0.7 pi / 6)
    # scaled by the log-sds 0.3 / 0.2)
    deal = paths_deal(yen=True)
    unc = Uncertainties({"overrun": LogNormal(1.1, 0.2), "price": LogNormal(1.0, 0.2)})
    r = dealsim.simulate(deal, 400, seed=SEED, paths=400, uncertainties=unc,
                         backend="numpy")
    assert set(r.inputs) == {"overrun", "price"}
    assert np.all(r.paths["deemed_rate"][:, 0] == deal.terms.deemed_rate)
    assert np.all(r.paths["usdjpy"][:, 0] == 159.0)
    rho = 2 * np.sin(0.7 * np.pi / 6)
    want = np.exp(-0.3**2 / 2 + rho * 0.3 / 0.2 * np.log(r.inputs["price"][:400]))
    np.testing.assert_allclose(r.paths["fuel"][:, 0], want, rtol=1e-12)
    _check_recomputed(deal, r)


def _check_recomputed(deal, r):
    k = r.paths["investor"].shape[0]
    kept = {name: r.paths[name] for name in ("price", "fuel", "deemed_rate", "usdjpy")}
    flows, npv = _kernel_flows(deal, r, kept, k)
    np.testing.assert_allclose(flows, r.paths["investor"], rtol=1e-12, atol=1e-3)
    np.testing.assert_allclose(npv, r.investor_npv[:k], rtol=1e-12, atol=1e-3)


def test_kept_paths_span_blocks_by_block_stream():
    # rows of block 1 come from the (seed, 1, tag) streams, started at their own draws
    deal = paths_deal()
    n = BLOCK_SIZE + 40
    r = dealsim.simulate(deal, n, seed=SEED, paths=n, backend="numpy")
    rows = slice(BLOCK_SIZE, n)
    draws = {name: r.inputs[name][rows] for name in ("price", "fuel", "deemed_rate",
                                                     "usdjpy")}
    horizon = r.paths["price"].shape[1]
    want = block_paths(deal.market, np.random.SeedSequence(SEED), 1, draws, horizon)
    for name, x in want.items():
        np.testing.assert_array_equal(r.paths[name][rows], x)
    assert r.path_inputs["price"].shape == (n,)


def test_path_summaries_equal_a_plain_loop(yen_run):
    r, proj = yen_run, paths_deal().project
    for i in range(0, 3000, 97):
        cod = proj.construction_years + int(r.inputs["delay"][i])
        end = cod + proj.operating_life
        assert r.path_inputs["price"][i] == pytest.approx(
            sum(r.paths["price"][i, cod:end]) / proj.operating_life, rel=1e-12)
        assert r.path_inputs["usdjpy"][i] == pytest.approx(
            sum(r.paths["usdjpy"][i, cod:end]) / proj.operating_life, rel=1e-12)
        assert r.path_inputs["deemed_rate"][i] == pytest.approx(
            sum(r.paths["deemed_rate"][i, :end]) / end, rel=1e-12)


def test_market_fan_draws_the_quantiles_of_the_kept_paths(yen_run):
    pytest.importorskip("matplotlib")
    from dealsim.analysis import plot

    r = yen_run
    fig = plot.plot_market_fan(r)
    assert [ax.get_title() for ax in fig.axes] == [
        "power price factor", "fuel price factor", "deemed rate (SOFR + spread)", "USD/JPY"]
    for ax, (name, (_, scale, _)) in zip(fig.axes, plot.MARKET_PANELS.items(), strict=True):
        x = r.paths[name]
        q = np.quantile(x, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0) * scale
        np.testing.assert_allclose(ax.lines[0].get_ydata(), q[2], rtol=1e-12)
        outer, inner = (c.get_paths()[0].vertices for c in ax.collections)
        for verts, lo, hi in ((outer, q[0], q[4]), (inner, q[1], q[3])):
            years = r.first_year + np.arange(x.shape[1])
            for j in (0, x.shape[1] // 2, x.shape[1] - 1):
                ys = verts[verts[:, 0] == years[j], 1]
                assert ys.min() == pytest.approx(lo[j]) and ys.max() == pytest.approx(hi[j])


def test_stationary_market_medians():
    # stationary log-OU with mean 0: each year's median power factor is 1. At k=2000 the
    # sample median of a log-sd 0.2 variable has s.e. 1.2533 * 0.2 / sqrt(2000) = 0.0056
    # in logs; tolerance 0.03 (> 5 s.e.) in every year. Deemed rate: SOFR mean 4.5% +
    # 1% spread, stationary sd 1 pp: s.e. of the median 0.00028, tolerance 0.0015.
    r = dealsim.simulate(paths_deal(), 2000, seed=SEED, paths=2000)
    _, q = r.path_quantiles("price", [0.5])
    assert np.abs(np.log(q[0])).max() < 0.03
    _, q = r.path_quantiles("deemed_rate", [0.5])
    assert np.abs(q[0] - 0.055).max() < 0.0015
    # the random-walk yen spreads out: P5-P95 width grows with the years
    _, q = r.path_quantiles("usdjpy", [0.05, 0.95])
    width = np.log(q[1] / q[0])
    assert width[-1] > 2 * width[1]


def test_conditional_tornado_of_levels_has_the_deterministic_signs():
    # with one level per scenario, both tornados must agree on the direction of every
    # input whose deterministic swing is clearly beyond the conditional bar's noise
    levels = dataclasses.replace(ohio_gas_power(), market=Market())
    r = dealsim.simulate(levels, 6000, seed=SEED)
    assert r.tornado()[0].method == "deterministic"  # levels: the default is unchanged
    det = {b.name: b for b in r.tornado(method="deterministic")}
    cond = {b.name: b for b in r.tornado(method="conditional")}
    checked = 0
    for name, b in cond.items():
        se = math.hypot(b.low_se["investor_npv"], b.high_se["investor_npv"])
        d = det[name].high["investor_npv"] - det[name].low["investor_npv"]
        if abs(d) > 8 * se:
            c = b.high["investor_npv"] - b.low["investor_npv"]
            assert np.sign(c) == np.sign(d), name
            checked += 1
    assert {"price", "overrun"} <= set(cond) and checked >= 3


def test_paths_tornado_is_conditional_ordered_and_narrower_for_price():
    pytest.importorskip("matplotlib")
    from dealsim.analysis import plot

    deal = paths_deal()
    r = dealsim.simulate(deal, 8000, seed=SEED, paths=8000)
    bars = r.tornado()
    assert {b.method for b in bars} == {"conditional"}
    swings = [b.swing("investor_npv") for b in bars]
    assert swings == sorted(swings, reverse=True)
    measures = {b.name: b.measure for b in bars}
    assert measures["price"] == "mean over the operating years"
    assert measures["deemed_rate"] == "mean over construction and operation"
    assert measures["overrun"] == "level"
    # the deterministic bar holds the whole path at a level quantile (a persistent
    # shift); mean reversion (half-life 3 y) halves the spread of the life-average, so
    # the conditional price bar is clearly narrower (8 s.e. margin)
    price = next(b for b in bars if b.name == "price")
    det = next(b for b in r.tornado(method="deterministic") if b.name == "price")
    se = math.hypot(price.low_se["investor_npv"], price.high_se["investor_npv"])
    assert price.swing("investor_npv") + 8 * se < det.swing("investor_npv")
    assert price.high["investor_npv"] > price.low["investor_npv"]
    # the price summary's quantiles bracket 1 and are tighter than the level's
    assert det.low_input < price.low_input < 1.0 < price.high_input < det.high_input
    # the fee is in dollars here, so nothing reads USD/JPY: without drift its path is
    # independent of every other input and its conditional swing is noise, within 4
    # s.e. of 0. (At the forward, the default, the path's mean over the operating years
    # falls with the delay, later years having fewer yen per dollar, so the bar would
    # carry the delay's effect.)
    flat = dataclasses.replace(deal, market=dataclasses.replace(
        deal.market, usdjpy=UsdJpyPaths(drift="none")))
    r_flat = dealsim.simulate(flat, 8000, seed=SEED, paths=8000)
    fx = next(b for b in r_flat.tornado() if b.name == "usdjpy")
    se = math.hypot(fx.low_se["investor_npv"], fx.high_se["investor_npv"])
    assert fx.swing("investor_npv") < 4 * se
    fig = plot.plot_tornado(r, top=4)
    assert fig.axes[0].get_title().endswith("(decile means)")
    assert any(t.get_text().startswith("power price, yearly mean:")
               for t in fig.axes[0].get_yticklabels())


def test_streaming_conditional_bars_are_the_first_blocks():
    deal = paths_deal()
    s = simulate_stream(deal, 3000, seed=SEED)
    r = dealsim.simulate(deal, 3000, seed=SEED, paths=3000)
    got = {b.name: b for b in s.tornado()}
    want = {b.name: b for b in r.tornado(method="conditional")}
    assert set(got) == set(want)
    for name, b in want.items():
        assert got[name].method == "conditional"
        assert got[name].low["investor_npv"] == pytest.approx(b.low["investor_npv"],
                                                              rel=1e-9)
        assert got[name].high["investor_npv"] == pytest.approx(b.high["investor_npv"],
                                                               rel=1e-9)


def test_head_keeps_the_path_summaries(yen_run):
    h = yen_run.head(500)
    assert h.path_inputs["price"].shape == (500,) and h.paths["price"].shape[0] == 500
    np.testing.assert_array_equal(h.path_inputs["fuel"], yen_run.path_inputs["fuel"][:500])


@pytest.mark.parametrize("suffix", [".npz", ".parquet"])
def test_a_loaded_result_keeps_its_conditional_tornado(yen_run, tmp_path, suffix):
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    from dealsim.interfaces.io import load, save

    back = load(save(yen_run, tmp_path / f"r{suffix}"))
    np.testing.assert_array_equal(back.paths["price"], yen_run.paths["price"])  # fans work
    assert back.path_inputs.keys() == yen_run.path_inputs.keys()
    for k, x in yen_run.path_inputs.items():
        np.testing.assert_array_equal(back.path_inputs[k], x)
    assert back.tornado(method="conditional") == yen_run.tornado(method="conditional")
    # without the summaries (a result built by hand) a path factor cannot be ranked
    bare = dataclasses.replace(back, path_inputs={})
    with pytest.raises(InvalidParameterError, match="not their summaries"):
        bare.tornado(method="conditional")


def test_refusals():
    levels = dealsim.simulate(dataclasses.replace(ohio_gas_power(), market=Market()), 300,
                              seed=SEED)
    with pytest.raises(InvalidParameterError, match="method must be"):
        levels.tornado(method="monte carlo")
    with pytest.raises(InvalidParameterError, match="output must be one of"):
        levels.tornado("irr", method="conditional")
    with pytest.raises(InvalidParameterError, match="name must be a kept path"):
        levels.path_quantiles("price")
    few = dealsim.simulate(paths_deal(), 300, seed=SEED, paths=50)
    assert few.tornado()[0].method == "deterministic"  # too few kept paths: documented
    with pytest.raises(InvalidParameterError, match="needs the paths of at least 100"):
        few.tornado(method="conditional")
    with pytest.raises(InvalidParameterError, match="quantiles must be in"):
        few.path_quantiles("price", [1.5])
    pytest.importorskip("matplotlib")
    from dealsim.analysis import plot

    with pytest.raises(InvalidParameterError, match="market paths"):
        plot.plot_market_fan(levels)
    with pytest.raises(InvalidParameterError, match="axes must be a sequence"):
        plot.plot_market_fan(few, axes=1)
