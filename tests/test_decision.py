"""Fund or decline: the threat, the per-scenario comparison, break-evens and policies."""

from __future__ import annotations

import dataclasses
import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dealsim
from dealsim import TariffThreat, decide_portfolio, fund_or_decline
from dealsim.analysis.decision import _threat_uniforms
from dealsim.analysis.threat import DEFAULT_NOTES, EXPORTS_2025, SOURCES
from dealsim.errors import InvalidParameterError
from dealsim.montecarlo.run import BLOCK_SIZE
from dealsim.montecarlo.uncertainty import Fixed, Normal, Triangular, Uniform, sampler_uniforms
from dealsim.presets import georgia_diamond, ohio_gas_power, texas_gulflink

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ohio():
    # Ohio: P(funding better) is intermediate under the default threat, so masks move
    return fund_or_decline(ohio_gas_power(), None, 3000, seed=11)


# -- known answers -------------------------------------------------------------------


def _year0_rate(drawn):
    # the deemed-rate path's first year: max(SOFR, 0) + 1%, SOFR = draw - 1% (OhmyNews)
    return max(drawn - 0.01, 0.0) + 0.01


def test_funding_side_equals_simulate_exactly():
    for sampler in ("random", "lhs", "sobol"):
        r = fund_or_decline(ohio_gas_power(), TariffThreat(), 512, seed=3, sampler=sampler,
                            valuation_date="2026-12-31")
        s = dealsim.simulate(ohio_gas_power(), 512, seed=3, sampler=sampler)
        assert np.array_equal(r.simulation.investor_npv, s.investor_npv)
        # at 31 Dec of the first year, where investor_npv is dated, nothing moves
        assert np.array_equal(r.fund_value, s.investor_npv)
        assert np.array_equal(r.simulation.investor_irr, s.investor_irr, equal_nan=True)
    r = fund_or_decline(ohio_gas_power(), None, 300, seed=3, backend="numpy")
    s = dealsim.simulate(ohio_gas_power(), 300, seed=3, backend="numpy")
    assert r.simulation.backend == "numpy"
    assert np.array_equal(r.simulation.investor_npv, s.investor_npv)


def test_both_sides_valued_at_the_notice_of_selection_by_hand(ohio):
    # Ohio starts in 2026: notice of selection 17 Feb 2026 (tranche 1), 317 days before
    # 31 Dec 2026 where investor_npv is dated; the tariff starts at the notice
    assert str(ohio.valuation_date) == str(ohio.decision_date) == "2026-02-17"
    for i in (0, 5, 2999):
        r0 = _year0_rate(float(ohio.simulation.inputs["deemed_rate"][i]))
        npv = float(ohio.simulation.investor_npv[i])
        assert ohio.fund_value[i] == pytest.approx(npv / (1 + r0) ** (317 / 365), rel=1e-12)
        fx = float(ohio.simulation.inputs["usdjpy"][i])
        d, sb = float(ohio.duration[i]), float(ohio.share_borne[i])
        annual = 20.414e12 * 0.10 * (sb * (1 - 0.95 * 0.10) + 0.95 * 0.5)  # yen a year
        y = 0.01  # the yen rate
        pv = (1 - (1 + y) ** -d) / math.log(1 + y)
        assert ohio.decline_cost[i] == pytest.approx(0.5 * annual / fx * pv, rel=1e-12)


def test_a_stated_valuation_date_moves_both_sides_by_hand(ohio):
    # 30 Jun 2026: the NPV comes back 184 days from 31 Dec at its year-0 rate, the
    # tariff (valued at the 17 Feb notice) goes forward 133 days at the yen rate
    later = fund_or_decline(ohio_gas_power(), None, 3000, seed=11,
                            valuation_date=np.datetime64("2026-06-30"))
    assert np.array_equal(later.simulation.investor_npv, ohio.simulation.investor_npv)
    for i in (0, 1, 1234):
        r0 = _year0_rate(float(ohio.simulation.inputs["deemed_rate"][i]))
        npv = float(ohio.simulation.investor_npv[i])
        assert later.fund_value[i] == pytest.approx(npv / (1 + r0) ** (184 / 365), rel=1e-12)
        assert later.decline_cost[i] == pytest.approx(
            ohio.decline_cost[i] * 1.01 ** (133 / 365), rel=1e-12)
    again = later.with_threat(later.threat)
    assert np.array_equal(again.advantage, later.advantage)
    with pytest.raises(InvalidParameterError, match="valuation_date"):
        fund_or_decline(ohio_gas_power(), None, 10, seed=1, valuation_date="soon")
    with pytest.raises(InvalidParameterError, match="valuation_date"):
        fund_or_decline(ohio_gas_power(), None, 10, seed=1, valuation_date=2026)


def test_a_fresh_seed_is_reproducible_from_the_printed_seed():
    r = fund_or_decline(georgia_diamond(), None, 200, seed=None)
    again = fund_or_decline(georgia_diamond(), None, 200, seed=int(r.simulation.seed))
    assert np.array_equal(r.decline_cost, again.decline_cost)
    assert np.array_equal(r.fund_value, again.fund_value)


def test_decline_cost_matches_a_plain_loop(ohio):
    # reference = a plain loop over small slices of the tariff's duration (not the
    # closed form the code uses): exporters absorb the share on the volume they keep,
    # the lost volume costs lost_value_share; yen discounted at the yen rate (1%)
    t = ohio.threat
    exports, x = 20.414e12, 0.10  # MoF via Jiji, 22 Jan 2026; +10 points
    for i in (0, 1, 17, 2999):
        fx = float(ohio.simulation.inputs["usdjpy"][i])
        d, s = float(ohio.duration[i]), float(ohio.share_borne[i])
        kept = exports * (1 - 0.95 * x)  # CEPR: 9.5% of exports lost at +10 points
        lost = exports * 0.95 * x
        yen_a_year = kept * x * s + lost * 0.5
        steps = 20000
        h = d / steps
        pv_yen = sum(yen_a_year * h * 1.01 ** -((k + 0.5) * h) for k in range(steps))
        assert ohio.decline_cost[i] == pytest.approx(0.5 * pv_yen / fx, rel=1e-8)
    assert t.exports == EXPORTS_2025["all"] == 20.414e12
    # the share borne applies to the volume kept: 3.9% less than on all exports at the
    # mean share (0.32) -- the overstatement of the former formula
    assert t.annual_cost_yen(0.32) / (exports * x * (0.32 + 0.475)) == pytest.approx(
        1 - 0.32 * 0.095 / 0.795, rel=1e-12)
    # yen_rate=None: the dollar rate of the deal's NPV, the model before (formula aside)
    dollar = ohio.with_threat(dataclasses.replace(t, yen_rate=None))
    assert np.array_equal(dollar.rate, ohio.npv_rate)


def test_gdp_routes_reproduce_the_published_estimates():
    # NRI: -0.55% at 15% vs -0.85% at 25% -> 0.30% of ¥600tn = ¥1.8tn a year (deal-facts §7)
    assert TariffThreat(calibration="nri").annual_cost_yen() == pytest.approx(1.8e12)
    # Daiwa: -1.1% vs -1.3% -> 0.2% of ¥600tn = ¥1.2tn
    assert TariffThreat(calibration="daiwa").annual_cost_yen() == pytest.approx(1.2e12)
    assert TariffThreat(calibration="nri", rate_increase=0.05).annual_cost_yen() == \
        pytest.approx(0.9e12)
    # autos only: ¥5.341tn (MoF 2025)
    assert TariffThreat(goods="autos").exports == 5.341e12


def test_zero_rate_pv_is_the_duration():
    r = fund_or_decline(georgia_diamond(), TariffThreat(yen_rate=0.0, usdjpy=150.0,
                                                        share_borne=0.2), 200, seed=1)
    want = 0.5 * 20.414e12 * 0.10 * (0.2 * (1 - 0.095) + 0.475) / 150.0 * r.duration
    np.testing.assert_allclose(r.decline_cost, want, rtol=1e-12)


# -- properties ----------------------------------------------------------------------


@pytest.mark.parametrize("kw", [dict(probability=0.0), dict(rate_increase=0.0)])
def test_without_a_threat_funding_is_better_exactly_where_npv_is_positive(ohio, kw):
    none = ohio.with_threat(TariffThreat(**kw))
    assert np.array_equal(none.fund_better, ohio.fund_value > 0)
    assert np.all(none.decline_cost == 0)


def test_without_a_threat_on_a_positive_npv_deal():
    # a cheap plant with a high price has positive NPV in some scenarios: the mask moves
    # ($200/MWh: after Japan's own tax, P(NPV > 0) is about 0.2; at $140 it is 0.01)
    deal = dealsim.presets.ohio_gas_power(power_price=200.0)
    r = fund_or_decline(deal, TariffThreat(probability=0.0), 2000, seed=2)
    assert 0.05 < r.p_fund_better.p < 0.95
    assert np.array_equal(r.fund_better, r.fund_value > 0)


def _tri(low, mode, high):
    return Triangular(low, mode, high)


threats = st.builds(
    dict,
    rate_increase=st.floats(0.0, 0.3),
    probability=st.floats(0.0, 1.0),
    low=st.floats(0.0, 3.0), width=st.floats(0.1, 6.0), mode=st.floats(0.0, 1.0),
)


@settings(max_examples=40, deadline=None)
@given(base=threats, more=st.floats(0.0, 0.2), longer=st.floats(0.0, 3.0),
       likelier=st.floats(0.0, 0.5))
def test_a_larger_threat_never_makes_funding_look_worse(ohio, base, more, longer, likelier):
    def make(b, extra_rate, extra_years, extra_p):
        lo = b["low"] + extra_years
        return TariffThreat(rate_increase=b["rate_increase"] + extra_rate,
                            probability=min(1.0, b["probability"] + extra_p),
                            duration=_tri(lo, lo + b["mode"] * b["width"], lo + b["width"]))

    small = ohio.with_threat(make(base, 0.0, 0.0, 0.0))
    for big in (make(base, more, 0, 0), make(base, 0, longer, 0), make(base, 0, 0, likelier),
                make(base, more, longer, likelier)):
        big_r = ohio.with_threat(big)
        # Monotone up to float rounding: a triangular duration shifted by a tiny `longer`
        # can come out an ulp *shorter* (2.2e-16 years was found), so the advantages are
        # compared with a rounding tolerance of 1e-12 of the amounts involved (USD; the
        # amounts are ~1e8-1e10, so the tolerance is ~0.01 USD, far below any real effect)
        tol = 1e-12 * (np.abs(small.fund_value) + np.abs(small.decline_cost)
                       + np.abs(big_r.decline_cost))
        assert np.all(big_r.advantage >= small.advantage - tol)
        # small better => big better, except where small wins by less than the rounding
        clear = small.fund_better & (small.advantage > tol)
        assert np.all(big_r.fund_better | ~clear)
        assert np.count_nonzero(big_r.fund_better) >= np.count_nonzero(clear)


def test_identical_across_executors():
    n = BLOCK_SIZE + 300  # two blocks
    serial = fund_or_decline(georgia_diamond(), None, n, seed=5)
    with ThreadPoolExecutor(2) as pool:
        threaded = fund_or_decline(georgia_diamond(), None, n, seed=5, executor=pool)
    for name in ("fund_value", "decline_cost", "duration", "share_borne"):
        assert np.array_equal(getattr(serial, name), getattr(threaded, name)), name
    # scenario i depends only on (seed, i): the first rows do not depend on n
    head = fund_or_decline(georgia_diamond(), None, 300, seed=5)
    assert np.array_equal(head.decline_cost, serial.decline_cost[:300])
    # the second block's threat draws come from block 1's own stream
    assert not np.array_equal(serial.duration[:300], serial.duration[BLOCK_SIZE:])


def test_threat_stream_is_independent_of_the_deal_stream():
    root = np.random.SeedSequence(9)
    u = _threat_uniforms(root, "random", 5000)
    deal_u = sampler_uniforms("random", root, block=0, size=BLOCK_SIZE, dim=8)[:5000]
    corr = np.corrcoef(np.hstack([u, deal_u]).T)[:2, 2:]
    assert np.max(np.abs(corr)) < 4 / math.sqrt(5000)  # ~4 standard errors of zero
    r = fund_or_decline(georgia_diamond(), None, 5000, seed=9)
    # the duration's column is a function of the threat stream, not of the deal's
    assert np.array_equal(r.uniforms, u)


# -- break-evens ---------------------------------------------------------------------


def _away_from(x, edge, tol=1e-9):
    return np.abs(x - edge) > tol * np.maximum(1.0, np.abs(edge))


def test_breakeven_rate_increase_separates_the_scenarios(ohio):
    be = ohio.breakeven_rate_increase
    for x in (0.05, 0.10, 0.15, 0.30):
        r = ohio.with_threat(dataclasses.replace(ohio.threat, rate_increase=x))
        ok = _away_from(be, x)
        assert np.array_equal(r.fund_better[ok], (x > be)[ok])
    x, lo, hi = ohio.mean_breakeven_rate_increase()
    assert lo < x < hi
    even = ohio.with_threat(dataclasses.replace(ohio.threat, rate_increase=x))
    assert abs(even.advantage.mean()) < 1e-9 * np.abs(ohio.fund_value).mean()


def test_breakeven_duration_separates_the_scenarios(ohio):
    bd = ohio.breakeven_duration
    for d in (0.5, 2.0, 5.0, 20.0):
        r = ohio.with_threat(dataclasses.replace(ohio.threat, duration=Fixed(d)))
        ok = _away_from(bd, d)
        assert np.array_equal(r.fund_better[ok], (d > bd)[ok])
    dm = ohio.mean_breakeven_duration()
    even = ohio.with_threat(dataclasses.replace(ohio.threat, duration=Fixed(dm)))
    assert abs(even.advantage.mean()) < 1e-6 * np.abs(ohio.fund_value).mean()


def test_p_grid_matches_runs_with_the_threat(ohio):
    xs, ds = [0.0, 0.1, 0.2], [1.0, 4.0]
    grid = ohio.p_grid(xs, ds)
    for i, d in enumerate(ds):
        for j, x in enumerate(xs):
            r = ohio.with_threat(dataclasses.replace(ohio.threat, rate_increase=x,
                                                     duration=Fixed(d)))
            assert grid[i, j] == r.p_fund_better.p
    assert np.all(np.diff(grid, axis=0) >= 0) and np.all(np.diff(grid, axis=1) >= 0)


# -- views ---------------------------------------------------------------------------


def test_summary_tornado_and_pandas(ohio):
    text = ohio.summary()
    assert "P(funding beats declining)" in text and "break-even tariff increase" in text
    lo, hi = ohio.p_fund_better_ci()
    assert lo < ohio.p_fund_better.p < hi
    bars = ohio.tornado()
    names = {b.name for b in bars}
    assert {"rate_increase", "probability", "duration", "share_borne"} <= names
    for b in bars:
        if b.name in ("rate_increase", "probability", "duration", "reallocation"):
            assert b.high["p_fund_better"] >= b.low["p_fund_better"]
    gdp = ohio.with_threat(TariffThreat(calibration="nri")).tornado()
    assert "share_borne" not in {b.name for b in gdp}  # unused by the GDP route
    pytest.importorskip("pandas")
    df = ohio.to_pandas()
    assert len(df) == ohio.n and {"advantage", "fund_better", "investor_npv"} <= set(df)


def test_describe_labels_every_default():
    text = TariffThreat().describe()
    for name in DEFAULT_NOTES:
        assert name in text
    assert "assumption" in text and "Ministry of Finance" in text
    assert "user value" in TariffThreat(probability=0.3).describe()
    assert "unused by the 'nri' route" in TariffThreat(calibration="nri").describe()


def test_sources_are_in_the_sources_file():
    text = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    for title, records in SOURCES.items():
        assert f"## {title}" in text
        for s in records:  # one table row per record: citation, date, grade
            assert f"| {s.citation.replace('|', chr(92) + '|')} | {s.date} | {s.confidence} |" \
                in text, s.citation


# -- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize("field, value, match", [
    ("rate_increase", -0.1, "rate_increase must be finite and >= 0; got -0.1"),
    ("rate_increase", "0.1", "rate_increase must be a real number"),
    ("rate_increase", True, "rate_increase must be a real number"),
    ("goods", "cars", "goods must be one of"),
    ("exports_yen", 0.0, "exports_yen must be finite and > 0"),
    ("probability", 1.5, r"probability must be in \[0, 1\]; got 1.5"),
    ("probability", False, "probability must be a real number"),
    ("duration", 3.0, "duration must be a dealsim distribution"),
    ("duration", Normal(1.0, 2.0), "duration must take values in"),
    ("share_borne", 1.2, r"share_borne must be in \[0, 1\]; got 1.2"),
    ("share_borne", Uniform(0.5, 1.5), "share_borne must take values in"),
    ("share_borne", "half", "share_borne must be a real number"),
    ("volume_response", -1.0, "volume_response must be finite and >= 0"),
    ("lost_value_share", 2.0, "lost_value_share must be in"),
    ("calibration", "imf", "calibration must be one of"),
    ("nominal_gdp_yen", 0.0, "nominal_gdp_yen must be finite and > 0"),
    ("discount_rate", -1.0, "discount_rate must be a decimal rate > -1"),
    ("usdjpy", 0.0, "usdjpy must be finite and > 0"),
    ("reallocation", 1.1, "reallocation must be in"),
    ("yen_rate", -1.0, "yen_rate must be a decimal rate > -1"),
    ("yen_rate", "1%", "yen_rate must be a real number"),
    ("volume_response", 12.0, "volume_response x rate_increase must be <= 1"),
])
def test_bad_threat_parameters_name_the_field(field, value, match):
    with pytest.raises(InvalidParameterError, match=match):
        TariffThreat(**{field: value})


def test_bad_arguments_raise_before_work():
    with pytest.raises(InvalidParameterError, match="threat must be a TariffThreat"):
        fund_or_decline(georgia_diamond(), "high", 10, seed=1)
    with pytest.raises(InvalidParameterError, match="n must be an integer >= 1"):
        fund_or_decline(georgia_diamond(), None, 0, seed=1)
    with pytest.raises(InvalidParameterError, match="deal must be a Deal"):
        fund_or_decline("ohio", None, 10, seed=1)
    with pytest.raises(TypeError):
        TariffThreat(rate=0.1)  # misspelt field
    with pytest.raises(InvalidParameterError, match="readings must hold"):
        decide_portfolio({"a": georgia_diamond()}, None, 10, seed=1, readings=("all",))


# -- portfolio -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def pair():
    deals = {"ohio": ohio_gas_power(), "texas": texas_gulflink(), "georgia": georgia_diamond()}
    return decide_portfolio(deals, None, 1500, seed=4)


def test_portfolio_policies(pair):
    each, once = pair.values["each"], pair.values["once"]
    assert list(each) == ["fund all", "decline 1 worst", "decline 2 worst", "decline all"]
    # all start in 2026: each NPV (dated 31 Dec 2026) comes back 317 days to the
    # notice of selection (17 Feb 2026) at the capex-weighted year-0 deemed rate
    capex = {k: pair.portfolio.projects[k]["npv"] * 0 + d for k, d in
             (("ohio", 33.3e9), ("texas", 2.1e9), ("georgia", 0.6e9))}
    rate = sum(capex[k] * np.maximum(pair.portfolio.inputs[k]["deemed_rate"] - 0.01, 0)
               + capex[k] * 0.01 for k in pair.names) / (36.0e9)
    total = sum(pair.portfolio.projects[k]["npv"] for k in pair.names) / (1 + rate) ** (
        317 / 365)
    np.testing.assert_allclose(each["fund all"], total, rtol=1e-12)
    for label in each:
        assert np.all(once[label] >= each[label] - 1e-6 * np.abs(total).max())
    # under 'once' the tariff is paid once: declining one more project only drops its NPV
    back = 1 / (1 + rate) ** (317 / 365)
    npv = {k: pair.portfolio.projects[k]["npv"] * back for k in pair.names}
    one = once["decline 1 worst"] - (total - npv[pair.order[0]])
    two = once["decline 2 worst"] - (total - npv[pair.order[0]] - npv[pair.order[1]])
    np.testing.assert_allclose(one, two, rtol=1e-9)
    assert pair.order[0] == "ohio"  # the largest negative NPV
    assert pair.best("once") in once and "best:" in pair.summary()


def test_portfolio_without_a_threat_declines_the_projects_that_lose():
    deals = {"ohio": ohio_gas_power(), "georgia": georgia_diamond(),
             "rich": ohio_gas_power(power_price=160.0)}
    d = decide_portfolio(deals, TariffThreat(probability=0.0), 1000, seed=2, readings="each")
    losing = [k for k in deals if d.portfolio.projects[k]["npv"].mean() < 0]
    assert d.declined[d.best("each")] == tuple(sorted(
        losing, key=lambda k: d.portfolio.projects[k]["npv"].mean()))


# -- chart ---------------------------------------------------------------------------


def test_chart_renders_headless_with_projects_marked(ohio, tmp_path):
    pytest.importorskip("matplotlib")
    from dealsim.analysis import plot

    geo = fund_or_decline(georgia_diamond(), None, 500, seed=11)
    fig = plot.plot_fund_or_decline({"Ohio": ohio, "Georgia": geo})
    path = tmp_path / "fod.png"
    fig.savefig(path, dpi=50)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    ax = fig.axes[0]
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    assert len(dots) == 2  # one mark per project
    med = ohio.threat.duration.median
    at = ohio.with_threat(dataclasses.replace(ohio.threat, duration=Fixed(med)))
    assert dots[0].get_xdata()[0] == pytest.approx(100 * np.median(at.breakeven_rate_increase))
    assert dots[0].get_ydata()[0] == pytest.approx(med)


# -- command line --------------------------------------------------------------------


def test_cli_decide_prints_the_decision(capsys):
    from dealsim.interfaces.cli import main

    toml = str(ROOT / "examples" / "georgia_diamond.toml")
    assert main(["decide", toml, "--n", "300", "--seed", "3", "--probability", "0.2"]) == 0
    out = capsys.readouterr().out
    assert "P(funding beats declining)        1.0000" in out
    assert "probability       0.2  [user value]" in out and "tornado of P" in out
    assert main(["decide", toml, "--n", "300", "--rate-increase", "-1"]) == 2
    assert "rate_increase must be finite and >= 0" in capsys.readouterr().err
