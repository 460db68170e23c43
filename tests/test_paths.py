"""Annual market paths (dealsim.model.paths): defining properties of the generators.

Statistical checks use fixed seeds and state their tolerance in standard errors (SE).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from dealsim.errors import InvalidParameterError
from dealsim.model.paths import (
    GAS_MARGINAL_RANK_CORRELATION,
    PRICE_TAG,
    SOFR_TAG,
    MeanReverting,
    PricePaths,
    SofrPaths,
    UsdJpyPaths,
    gaussian_from_spearman,
    ou_paths,
    path_generator,
    spearman_from_gaussian,
)
from dealsim.montecarlo.sampling import sampler_uniforms

N = 40_000  # scenarios in the statistical checks
T = 25


@pytest.fixture(scope="module")
def prices() -> tuple[np.ndarray, np.ndarray]:
    return PricePaths().sample(seed=11, size=N, horizon=T)


def _ou_plain(phi: float, mu: float, vol: float, x0: float, eps: list[float]) -> list[float]:
    out = [x0]
    for e in eps:
        out.append(mu + phi * (out[-1] - mu) + vol * e)
    return out


# --- the process ---------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(st.floats(0.2, 50.0), st.floats(0.0, 2.0), st.floats(-3.0, 3.0),
       st.lists(st.floats(-4.0, 4.0), min_size=1, max_size=12), st.floats(-5.0, 5.0))
def test_ou_paths_equal_a_plain_loop(half_life, vol, mean, eps, x0):
    p = MeanReverting(half_life=half_life, volatility=vol, mean=mean)
    got = ou_paths(p, [x0], [eps])[0]
    want = _ou_plain(2.0 ** (-1.0 / half_life), mean, vol, x0, eps)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_half_life_halves_a_deviation():
    # with no innovation, a deviation from the mean halves in half_life years
    p = MeanReverting(half_life=4.0, volatility=0.0, mean=1.0)
    x = ou_paths(p, [3.0], np.zeros((1, 8)))[0]
    assert x[4] - 1.0 == pytest.approx(1.0, rel=1e-12)
    assert x[8] - 1.0 == pytest.approx(0.5, rel=1e-12)


def test_stationary_moments_and_autocorrelation(prices):
    """Log power factor: mean -sd**2/2 = -0.02 (centred: E[factor] = 1), sd 0.2 in every
    year; corr(x_t, x_t+k) = phi**k.

    Tolerances: 5 SE. SE(mean) = sd / sqrt(N); SE(variance) = sd**2 sqrt(2 / N);
    SE(corr) = (1 - rho**2) / sqrt(N).
    """
    p = PricePaths().power
    x = np.log(prices[0])
    sd = p.stationary_sd
    assert sd == pytest.approx(0.2, rel=1e-12)
    for t in (0, 1, 10, T - 1):
        assert abs(x[:, t].mean() + sd**2 / 2) < 5 * sd / math.sqrt(N)
        assert abs(x[:, t].var() - sd**2) < 5 * sd**2 * math.sqrt(2.0 / N)
    for k in (1, 3, 6):
        rho = p.autocorrelation(k)
        got = np.corrcoef(x[:, 5], x[:, 5 + k])[0, 1]
        assert abs(got - rho) < 5 * (1 - rho**2) / math.sqrt(N)


def test_power_gas_rank_correlation_is_achieved(prices):
    """Spearman of power and gas in a year equals rank_correlation (default 0.7 >= 0.5).

    Tolerance: 0.01, about 3.5 SE of a Spearman coefficient near 0.7 at N = 40,000
    (SE ~ 0.0028); using the rank correlation as the normal correlation would give 0.683.
    """
    assert GAS_MARGINAL_RANK_CORRELATION >= 0.5
    for t in (0, 7, T - 1):
        rs = stats.spearmanr(prices[0][:, t], prices[1][:, t]).statistic
        assert abs(rs - GAS_MARGINAL_RANK_CORRELATION) < 0.01


def test_unequal_half_lives_lower_the_correlation_as_stated():
    power = MeanReverting.with_stationary_sd(half_life=1.0, sd=0.2)
    fuel = MeanReverting.with_stationary_sd(half_life=6.0, sd=0.3)
    pp = PricePaths(power=power, fuel=fuel, rank_correlation=0.7)
    p, f = pp.sample(seed=5, size=N, horizon=40)
    a, b = power.phi, fuel.phi
    rho = pp.gaussian_correlation * math.sqrt((1 - a * a) * (1 - b * b)) / (1 - a * b)
    got = np.corrcoef(np.log(p[:, -1]), np.log(f[:, -1]))[0, 1]
    assert abs(got - rho) < 5 * (1 - rho**2) / math.sqrt(N)


def test_spearman_gaussian_conversion_round_trips():
    for rs in (-1.0, -0.3, 0.0, 0.5, 0.9, 1.0):
        assert spearman_from_gaussian(gaussian_from_spearman(rs)) == pytest.approx(rs, abs=1e-12)
    assert gaussian_from_spearman(1.0) == pytest.approx(1.0, abs=1e-15)


def test_full_persistence_is_the_level_model():
    levels_p = np.array([0.7, 1.0, 1.6])
    levels_f = np.array([1.3, 0.5, 1.0])
    p, f = PricePaths.full_persistence().sample(seed=3, size=3, horizon=9,
                                                power_start=levels_p, fuel_start=levels_f)
    assert (p == levels_p[:, None]).all() and (f == levels_f[:, None]).all()


def test_start_mean_begins_at_the_median_and_given_levels_are_read_on_the_median_scale():
    # centred: the log-mean is -sd**2/2, so a start at the mean is the factor
    # exp(-sd**2/2) (0.9802 power, 0.9560 gas) and a given level L (the draws' median
    # scale, median 1) is L exp(-sd**2/2); uncentred, the old behaviour: 1 and L
    p, f = PricePaths(start="mean").sample(seed=3, size=5, horizon=4)
    np.testing.assert_allclose(p[:, 0], math.exp(-0.02), rtol=1e-15)
    np.testing.assert_allclose(f[:, 0], math.exp(-0.045), rtol=1e-15)
    p, f = PricePaths(start="mean", centre=False).sample(seed=3, size=5, horizon=4)
    assert (p[:, 0] == 1.0).all() and (f[:, 0] == 1.0).all()
    lv = np.array([0.9, 1.1])
    p, _ = PricePaths().sample(seed=3, size=2, horizon=4, power_start=lv)
    np.testing.assert_allclose(p[:, 0], lv * math.exp(-0.02), rtol=1e-15)
    p, _ = PricePaths(centre=False).sample(seed=3, size=2, horizon=4, power_start=lv)
    np.testing.assert_allclose(p[:, 0], lv, rtol=1e-15)


def test_factors_revert_to_their_base_in_expectation_from_correlated_stationary_starts():
    """From independent median-1 draws with the stationary log-sds (the simulation's
    ``price`` and ``fuel`` levels), E[factor] = 1 and the rank correlation is 0.7 in
    every year, year 0 included (it used to be independent in year 0: 0.52 three years
    on, 0.7 only after a decade).

    Tolerances: E[factor] within 5 SE, SE = sqrt(exp(sd**2) - 1) / sqrt(N) (the
    lognormal's sd with mean 1); Spearman within 0.01 (~3.5 SE near 0.7 at N = 40,000).
    """
    rng = np.random.default_rng(8)
    p, f = PricePaths().sample(seed=12, size=N, horizon=12,
                               power_start=np.exp(0.2 * rng.standard_normal(N)),
                               fuel_start=np.exp(0.3 * rng.standard_normal(N)))
    for x, sd in ((p, 0.2), (f, 0.3)):
        se = math.sqrt(math.expm1(sd * sd) / N)
        for t in (0, 1, 3, 11):
            assert abs(x[:, t].mean() - 1.0) < 5 * se
    for t in (0, 1, 3, 11):
        assert abs(stats.spearmanr(p[:, t], f[:, t]).statistic - 0.7) < 0.01
    # the uncentred model's mean is exp(sd**2 / 2): 1.020 (power), 1.046 (gas)
    p0, f0 = PricePaths(centre=False).sample(seed=12, size=N, horizon=3)
    assert abs(p0[:, 2].mean() - math.exp(0.02)) < 5 * math.sqrt(math.expm1(0.04) / N) * 1.02
    assert abs(f0[:, 2].mean() - math.exp(0.045)) < 5 * math.sqrt(math.expm1(0.09) / N) * 1.05


# --- reproducibility -------------------------------------------------------------------


def test_rows_depend_only_on_seed_block_and_row():
    a = PricePaths().sample(seed=9, size=50, horizon=T, block=2)[0]
    b = PricePaths().sample(seed=9, size=7, horizon=T, block=2)[0]
    assert (a[:7] == b).all()
    c = PricePaths().sample(seed=9, size=7, horizon=T, block=3)[0]
    assert not np.isclose(b, c).any()


def test_path_streams_leave_the_scalar_draws_alone():
    # the scalar draws of block b come from key (b,), the paths from (b, tag): distinct
    root = np.random.SeedSequence(4)
    u = sampler_uniforms("random", root, block=1, size=3, dim=2)
    assert (u == sampler_uniforms("random", root, block=1, size=3, dim=2)).all()
    draws = {tag: path_generator(root, 1, tag).random(6) for tag in (PRICE_TAG, SOFR_TAG)}
    assert not np.isin(u.ravel(), draws[PRICE_TAG]).any()
    assert not np.isin(draws[SOFR_TAG], draws[PRICE_TAG]).any()


# --- term SOFR and the deemed rate -------------------------------------------------------


def test_sofr_stationary_mean_and_deemed_rate():
    """Mean 4.5% (OhmyNews anchor) within 5 SE; deemed = max(sofr, 0) + 1%."""
    sp = SofrPaths()
    sofr, deemed = sp.sample(seed=21, size=N, horizon=10)
    se = sp.process.stationary_sd / math.sqrt(N)
    assert abs(sofr[:, 9].mean() - 0.045) < 5 * se
    np.testing.assert_array_equal(deemed, np.maximum(sofr, 0.0) + 0.01)


def test_constant_deemed_rate_is_the_special_case():
    _, deemed = SofrPaths.constant(0.055).sample(seed=1, size=4, horizon=6)
    np.testing.assert_allclose(deemed, 0.055, rtol=1e-15)


def test_sofr_starts_at_the_drawn_deemed_rate():
    sofr, deemed = SofrPaths().sample(seed=1, size=2, horizon=3, deemed_start=[0.05, 0.07])
    np.testing.assert_allclose(deemed[:, 0], [0.05, 0.07], rtol=1e-15)


# --- USD/JPY ----------------------------------------------------------------------------


def test_usdjpy_drifts_at_the_forward_and_the_yen_is_worth_its_forward_in_dollars():
    """Forward drift (default): E[1 / usdjpy_t] = 1 / forward_t with forward_t = 155
    ((1 + 1%) / (1 + 4.5%))**t (covered interest parity, closed form), the yen fee's
    expected dollar value hedged at the forward; without drift the median stays at 155.

    Tolerance: 5 SE of the sample mean of 1 / usdjpy_t (SE from the sample's sd).
    """
    start = np.full(N, 155.0)
    fx = UsdJpyPaths().sample(seed=9, size=N, horizon=11, usdjpy_start=start)
    for t in (1, 5, 10):
        forward = 155.0 * (1.01 / 1.045) ** t
        inv = 1.0 / fx[:, t]
        assert abs(inv.mean() - 1.0 / forward) < 5 * inv.std() / math.sqrt(N)
    flat = UsdJpyPaths(drift="none").sample(seed=9, size=N, horizon=11, usdjpy_start=start)
    assert abs(np.log(flat[:, 10] / 155.0).mean()) < 5 * 0.1 * math.sqrt(10) / math.sqrt(N)
    # the same innovations: the forward path is the driftless one times exp(drift t)
    np.testing.assert_allclose(
        fx / flat, np.broadcast_to(np.exp(UsdJpyPaths().log_drift * np.arange(11)), fx.shape),
        rtol=1e-12)


def test_usdjpy_rates_are_checked():
    with pytest.raises(InvalidParameterError, match="usd_rate"):
        UsdJpyPaths(usd_rate=-1.0)
    with pytest.raises(InvalidParameterError, match="drift must be 'forward' or 'none'"):
        UsdJpyPaths(drift="spot")


def test_usdjpy_random_walk_variance_grows_linearly():
    """Var(log rate_t - log rate_0) = t vol**2 (vol 0.10); 5 SE of a variance. The
    mean is the drift: 10 years of the forward's (log(1.01 / 1.045) + 0.1**2 / 2)."""
    fx = UsdJpyPaths().sample(seed=8, size=N, horizon=11, usdjpy_start=np.full(N, 155.0))
    d = np.log(fx[:, 10] / 155.0)
    want = 10 * 0.10**2
    assert abs(d.var() - want) < 5 * want * math.sqrt(2.0 / N)
    drift = math.log(1.01 / 1.045) + 0.005
    assert abs(d.mean() - 10 * drift) < 5 * math.sqrt(want / N)


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, match", [
    (dict(half_life=-1.0, volatility=0.1), "half_life must be > 0"),
    (dict(half_life=True, volatility=0.1), "half_life must be > 0"),
    (dict(half_life="3", volatility=0.1), "half_life must be > 0"),
    (dict(half_life=3.0, volatility=-0.1), "volatility"),
])
def test_process_refuses_bad_parameters(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        MeanReverting(**kwargs)


def test_refusals():
    with pytest.raises(InvalidParameterError, match="rank_correlation must be in"):
        PricePaths(rank_correlation=1.5)
    with pytest.raises(InvalidParameterError, match="start must be"):
        PricePaths(start="one")
    with pytest.raises(InvalidParameterError, match="random walk has no stationary law"):
        UsdJpyPaths(start="stationary").sample(seed=1, size=2, horizon=3)
    with pytest.raises(InvalidParameterError, match="power_start must have shape"):
        PricePaths().sample(seed=1, size=2, horizon=3, power_start=[1.0])
    with pytest.raises(InvalidParameterError, match="power_start"):
        PricePaths().sample(seed=1, size=2, horizon=3, power_start=[1.0, -1.0])
    with pytest.raises(InvalidParameterError, match="seed"):
        PricePaths().sample(seed="x", size=2, horizon=3)


def test_start_levels_and_spreads_that_cannot_be_rates_are_refused():
    # review of 2026-11-28: a zero yen rate would divide a yen fee by zero; a spread
    # below -100% - floor makes the deemed rate impossible (the run used to abort late)
    with pytest.raises(InvalidParameterError, match=r"usdjpy_start must be > 0; got 0.0"):
        UsdJpyPaths().sample(seed=1, size=2, horizon=3, usdjpy_start=[0.0, 150.0])
    with pytest.raises(InvalidParameterError, match=r"spread must keep the deemed rate"):
        SofrPaths(spread=-5.0)
    power, _ = PricePaths().sample(seed=1, size=2, horizon=3, power_start=[0.0, 1.0],
                                   fuel_start=[1.0, 1.0])
    assert (power[0] == 0.0).all() and (power[1] > 0).all()  # a price of 0 stays 0


# --- a fixed deemed rate in the terms and a term-SOFR path: one rule ----------------------


def test_a_terms_rate_a_sofr_path_would_ignore_is_refused_with_how_to_set_the_path():
    import dataclasses

    import dealsim
    from dealsim.presets import ohio_gas_power

    deal = ohio_gas_power()
    moved = dataclasses.replace(deal, terms=dataclasses.replace(deal.terms, deemed_rate=0.03))
    with pytest.raises(InvalidParameterError, match=r"deal\.terms\.deemed_rate=0\.03 would "
                       r"be ignored.*SofrPaths\.constant\(0\.03\)"):
        dealsim.simulate(moved, 100, seed=1)
    with pytest.raises(InvalidParameterError, match="deemed_rate=0.03"):
        dealsim.simulate_portfolio([moved], 100, seed=1)


def test_a_fixed_rate_set_through_the_path_is_the_rate_simulate_and_evaluate_use():
    # the reviewer's case: 0.03 and 0.08 used to give identical simulated NPVs. Set as the
    # message says (constant path, fixed draw) the rate is used, and each scenario's NPV
    # equals evaluate at that fixed rate with the scenario's own draws
    import dataclasses

    import dealsim
    from dealsim.model.deal import DRAW_FACTORS
    from dealsim.model.market import Market
    from dealsim.montecarlo.uncertainty import Fixed, default_uncertainties
    from dealsim.presets import ohio_gas_power

    base = ohio_gas_power()
    npvs = {}
    for r in (0.03, 0.08):
        deal = dataclasses.replace(base, terms=dataclasses.replace(base.terms, deemed_rate=r),
                                   market=Market(sofr=SofrPaths.constant(r)))
        unc = default_uncertainties("fossil_thermal").with_(deemed_rate=Fixed(r))
        sim = dealsim.simulate(deal, 50, seed=3, uncertainties=unc)
        draws = {k: x for k, x in sim.inputs.items() if k in DRAW_FACTORS or k == "usdjpy"}
        ev = dealsim.evaluate_draws(dataclasses.replace(deal, market=Market()), draws)
        np.testing.assert_allclose(sim.investor_npv, ev.investor_npv, rtol=1e-9)
        npvs[r] = sim.investor_npv
    assert np.abs(npvs[0.03] - npvs[0.08]).min() > 1e6  # the rate moves every scenario
