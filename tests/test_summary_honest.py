"""Summaries say what their numbers are: total losses count at -100% in the IRR
statistics, a fact reported twice is reported once, an input is labelled as one."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import dealsim
from dealsim.finance.metrics import irr
from dealsim.kernels.irr import IrrStatus
from dealsim.model.market import Market
from dealsim.model.operations import Operations
from dealsim.montecarlo.run import BLOCK_SIZE
from dealsim.montecarlo.streaming import simulate_stream
from dealsim.presets import ohio_gas_power
from dealsim.results.simulation import SimulationResult
from dealsim.results.summary import TOTAL_LOSS_IRR, irr_for_statistics


def _hand_result(irr_values, moic):
    """A SimulationResult built by hand from IRRs and MOICs (other outputs dummies)."""
    irr_values, moic = np.asarray(irr_values, float), np.asarray(moic, float)
    n = irr_values.size
    status = np.where(np.isnan(irr_values), IrrStatus.NO_SIGN_CHANGE, IrrStatus.CONVERGED)
    return SimulationResult(
        title="hand", seed="0", sampler="random", investor_irr=irr_values,
        irr_status=status.astype(np.int8), investor_npv=np.linspace(-1.0, 1.0, n),
        host_npv=np.zeros(n), investor_moic=moic, recovered_at=np.full(n, -1, np.int64),
        fee_paid=np.zeros(n, bool), fee_pv=np.zeros(n), inputs={}, first_year=2026)


def test_irr_itself_keeps_nan_for_a_total_loss():
    # numpy-financial's convention: paid in, nothing back -> no sign change, no IRR.
    rate, status = irr([-100.0, 0.0, 0.0], full_output=True)
    assert np.isnan(rate) and status == IrrStatus.NO_SIGN_CHANGE


def test_total_losses_move_the_lower_quantiles_and_are_counted():
    # 100 scenarios: IRRs 0.00..0.89 in 90 of them, 8 total losses (MOIC 0), 2 whose
    # IRR is undefined for another reason (MOIC NaN: nothing paid in).
    irrs = np.concatenate([np.arange(90) / 100, np.full(10, np.nan)])
    moic = np.concatenate([np.full(90, 1.5), np.zeros(8), np.full(2, np.nan)])
    res = _hand_result(irrs, moic)
    st = res.summary(quantiles=(0.05, 0.10, 0.5)).statistics["investor_irr"]
    ranked = np.concatenate([np.full(8, -1.0), np.arange(90) / 100])  # the 98 counted
    assert (st.n_valid, st.n_total_loss) == (98, 8)
    for q in (0.05, 0.10, 0.5):
        assert st.quantiles[q][0] == pytest.approx(np.quantile(ranked, q), abs=1e-15)
    # dropping the total losses would have put P5 at +0.04; counting them puts it at -1
    assert st.quantiles[0.05][0] == -1.0 and np.quantile(np.arange(90) / 100, 0.05) > 0
    assert st.mean == pytest.approx(ranked.mean()) and st.std == pytest.approx(
        ranked.std(ddof=1))
    probs = res.probabilities()
    assert probs["p_total_loss"].p == 0.08 and probs["p_irr_undefined"].p == 0.02
    assert probs["p_total_loss"].se == pytest.approx(np.sqrt(0.08 * 0.92 / 100))
    text = str(res.summary())
    assert "including 8 total losses counted as -100%" in text and "p_total_loss" in text


def test_irr_for_statistics_only_fills_total_losses():
    out = irr_for_statistics(np.array([0.1, np.nan, np.nan, -0.5]),
                             np.array([2.0, 0.0, np.nan, 0.2]))
    np.testing.assert_array_equal(out, [0.1, TOTAL_LOSS_IRR, np.nan, -0.5])


def test_until_quantile_targets_count_total_losses():
    irrs = np.concatenate([np.linspace(-0.05, 0.05, 180), np.full(20, np.nan)])
    res = _hand_result(irrs, np.concatenate([np.full(180, 1.0), np.zeros(20)]))
    # P5 falls among the 20 total losses: its interval is [-1, -1], half-width 0
    assert res.half_width("investor_irr:p5") == 0.0
    dropped = _hand_result(irrs[:180], np.full(180, 1.0))
    assert dropped.half_width("investor_irr:p5") > 0.0


# -- streaming: the same convention with bounded memory --------------------------------

# must-run at a level power price (the legacy model): about 12% of scenarios are total
# losses (with economic dispatch and paths, the default, a plant this poor idles instead)
LOSSY = dataclasses.replace(ohio_gas_power(power_price=60.0), operations=Operations.legacy(),
                            market=Market())
N = BLOCK_SIZE + 777


@pytest.fixture(scope="module")
def lossy_pair():
    return (simulate_stream(LOSSY, N, seed=5, bins=256),
            dealsim.simulate(LOSSY, N, seed=5, paths=0))


def test_streaming_counts_total_losses_like_the_gathered_summary(lossy_pair):
    stream, full = lossy_pair
    s, f = stream.summary().statistics["investor_irr"], full.summary().statistics[
        "investor_irr"]
    assert f.n_total_loss > 0.05 * N  # the case this test is about
    assert (s.n_valid, s.n_total_loss) == (f.n_valid, f.n_total_loss)
    assert stream.events["p_total_loss"] == f.n_total_loss
    np.testing.assert_allclose([s.mean, s.std], [f.mean, f.std], rtol=1e-9)
    ranked = full.statistic_values("investor_irr")
    ranked = ranked[~np.isnan(ranked)]
    edge = f.n_total_loss / f.n_valid  # where the point mass at -1 ends
    for q in (0.05, *np.linspace(edge - 0.002, edge + 0.002, 9), 0.5, 0.95):
        exact = np.quantile(ranked, q)
        value, low, high = stream.quantile("investor_irr", q)
        assert low <= exact <= high and low <= value <= high, q
    # inside the point mass the streaming quantile is exact, not binned
    assert stream.quantile("investor_irr", 0.05) == (-1.0, -1.0, -1.0)
    assert f.quantiles[0.05][0] == -1.0
    for q, (_, lo, hi) in f.quantiles.items():
        _, s_lo, s_hi = s.quantiles[q]
        assert s_lo <= lo and hi <= s_hi, q


# -- one fact once, inputs labelled -----------------------------------------------------

def test_npv_negative_is_reported_once_at_the_deemed_rate():
    # the identity behind the merged line holds for the flows the allocation counts:
    # with the tax paid inside the SPV (entity level) Japan's flows are the split's
    deal = ohio_gas_power()
    entity = dataclasses.replace(deal, operations=Operations(tax="spv_margin"))
    res = dealsim.simulate(entity, 3000, seed=2)
    ev = res.events()
    np.testing.assert_array_equal(ev["p_npv_negative"], ~ev["p_recover_daa"])
    text = str(res.summary())
    lines = [x for x in text.splitlines() if x.startswith(("p_npv_negative", "p_recover_daa "))]
    assert len(lines) == 1 and "p_npv_negative = 1 - this" in lines[0]
    assert "the same fact" in lines[0]


def test_after_japans_own_tax_recovery_is_necessary_for_a_positive_npv_not_sufficient():
    # pass-through (the default): the allocation counts what the SPV distributes, Japan's
    # NPV is after its own tax, so an unrecovered allocation still means NPV < 0 but a
    # recovered one may not mean NPV >= 0; the summary prints the two facts apart when
    # their counts differ (a price at which many scenarios recover)
    res = dealsim.simulate(ohio_gas_power(power_price=160.0), 3000, seed=2)
    ev = res.events()
    assert (ev["p_npv_negative"] | ev["p_recover_daa"]).all()
    differ = int((ev["p_npv_negative"] & ev["p_recover_daa"]).sum())
    text = str(res.summary())
    lines = [x for x in text.splitlines() if x.startswith(("p_npv_negative", "p_recover_daa "))]
    assert len(lines) == (2 if differ > 2 else 1)


def test_npv_negative_is_its_own_line_at_another_discount_rate():
    deal = dataclasses.replace(ohio_gas_power(), discount_rate=0.02)
    text = str(dealsim.simulate(deal, 3000, seed=2).summary())
    assert any(x.startswith("p_npv_negative") for x in text.splitlines())
    assert "the same fact" not in text


def test_fee_paid_is_labelled_an_input():
    res = dealsim.simulate(ohio_gas_power(), 500, seed=2)
    line = next(x for x in str(res.summary()).splitlines() if x.startswith("p_fee_paid"))
    assert "input, not a result" in line and "PointMass(1.0, p=0.8)" in line


# --- quantiles from one partition (no sort) ---------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from dealsim.results.summary import _statistic, _type7  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(-1e300, 1e300), min_size=1, max_size=60),
       st.floats(0.0, 1.0))
def test_type7_quantile_equals_numpy(values, q):
    # np.quantile (method "linear", Hyndman & Fan type 7) is the independent reference
    x = np.array(values)
    s = np.sort(x)
    lo = int(q * (x.size - 1))
    scale = max(abs(s[lo]), abs(s[min(lo + 1, x.size - 1)]), np.finfo(float).tiny)
    assert abs(_type7(s, q) - float(np.quantile(x, q))) <= 4 * np.spacing(scale)


def test_statistic_bounds_are_the_sorted_ranks():
    # the interval ends are order statistics: the same values a full sort gives
    rng = np.random.default_rng(5)
    x = rng.standard_normal(10_001)
    x[::97] = np.nan
    st_ = _statistic("x", x, (0.05, 0.5, 0.95), 0.95)
    srt = np.sort(x[~np.isnan(x)])
    for q, (point, lo, hi) in st_.quantiles.items():
        assert point == float(np.quantile(srt, q))
        assert lo in srt and hi in srt and lo <= point <= hi
        assert np.searchsorted(srt, lo) <= q * srt.size <= np.searchsorted(srt, hi) + 1
