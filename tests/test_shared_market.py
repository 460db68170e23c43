"""A portfolio's market in calendar time: deals read one deemed-rate, USD/JPY and gas path
and one power path per region, by calendar year (dealsim.montecarlo.calendar)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import stats

import dealsim
from dealsim import SharedMarket
from dealsim.errors import InvalidParameterError
from dealsim.model.market import Market
from dealsim.model.paths import (
    FUEL_PROCESS,
    POWER_PROCESS,
    PRICE_TAG,
    SOFR_PROCESS,
    USDJPY_TAG,
    PricePaths,
    SofrPaths,
    path_generator,
)
from dealsim.montecarlo.uncertainty import Fixed, as_seed_sequence, default_uncertainties
from dealsim.presets import gas_tranche2, ohio_gas_power, smr_tranche2
from dealsim.presets.deals import REGIONS

OHIO = ohio_gas_power()
N = 400


@pytest.fixture(scope="module")
def staggered():
    # Ohio from 2026 and a copy from 2028: they overlap from 2028 on
    return dealsim.simulate_portfolio({"a": OHIO, "b": OHIO}, N, seed=9, common=None,
                                      start_years={"b": 2028}, paths=N, keep_inputs=None)


def test_deals_in_different_years_read_the_same_calendar_year_values(staggered):
    r = staggered
    assert r.market_links["a"] == r.market_links["b"] == {
        "deemed_rate": "deemed_rate", "usdjpy": "usdjpy", "price": "power:PJM",
        "fuel": "gas"}
    for draw in ("deemed_rate", "usdjpy", "price", "fuel"):
        years_a, path_a = r.market_path("a", draw)
        years_b, path_b = r.market_path("b", draw)
        assert int(years_a[0]) == 2026 and int(years_b[0]) == 2028
        # calendar year by calendar year: the same value in both deals
        for j, year in enumerate(years_b):
            i = int(np.flatnonzero(years_a == year)[0])
            np.testing.assert_array_equal(path_a[:, i], path_b[:, j])
        # what each deal reads in its own first year is kept as its input
        np.testing.assert_array_equal(r.inputs["a"][draw], path_a[:, 0])
        np.testing.assert_array_equal(r.inputs["b"][draw], path_b[:, 0])
    # b's first-year values are a's third-year values, not a copy of a's start
    assert not np.array_equal(r.inputs["a"]["deemed_rate"], r.inputs["b"]["deemed_rate"])


def test_calendar_paths_match_a_plain_loop(staggered):
    # reference: the AR(1) of each path written out year by year on the calendar grid
    # from the run's innovation streams (model.paths' layout), not the library's steps
    r, root = staggered, as_seed_sequence(9)
    G = r.years.size
    z_sofr = path_generator(root, 0, 0x50F7).standard_normal((N, G))
    z_fx = path_generator(root, 0, USDJPY_TAG).standard_normal((N, G))
    z_pr = path_generator(root, 0, PRICE_TAG).standard_normal((N, G, 2))
    rho = 2 * math.sin(math.pi * 0.7 / 6)  # Spearman 0.7 -> Gaussian
    sofr_phi, fx_vol = SOFR_PROCESS.phi, 0.10
    # the price factors are centred (log-mean -sd^2/2: E[factor] = 1) and USD/JPY drifts
    # so that E[1/usdjpy_t] is the forward's 1/F_t: closed forms from the defaults
    c_pow = -0.5 * POWER_PROCESS.stationary_sd ** 2
    c_gas = -0.5 * FUEL_PROCESS.stationary_sd ** 2
    fx_drift = math.log(1.01 / 1.045) + 0.5 * fx_vol ** 2  # JPY 1%, USD 4.5%
    for i in (0, 1, N - 1):
        rate0 = r.market_paths["deemed_rate"][i, 0]
        s = rate0 - 0.01
        x = math.log(r.market_paths["power:PJM"][i, 0]) - c_pow
        y = math.log(r.market_paths["gas"][i, 0]) - c_gas
        fx0 = math.log(r.market_paths["usdjpy"][i, 0])
        d = 0.0
        for t in range(1, G):
            s = 0.045 + sofr_phi * (s - 0.045) + SOFR_PROCESS.volatility * z_sofr[i, t]
            assert r.market_paths["deemed_rate"][i, t] == pytest.approx(max(s, 0.0) + 0.01,
                                                                       abs=1e-15)
            d = d + fx_vol * z_fx[i, t]
            assert r.market_paths["usdjpy"][i, t] == pytest.approx(
                math.exp(fx0 + fx_drift * t + d), rel=1e-13)
            a, b = z_pr[i, t]
            x = POWER_PROCESS.phi * x + POWER_PROCESS.volatility * a
            y = FUEL_PROCESS.phi * y + FUEL_PROCESS.volatility * (rho * a + math.sqrt(
                1 - rho * rho) * b)
            assert r.market_paths["power:PJM"][i, t] == pytest.approx(math.exp(c_pow + x),
                                                                      rel=1e-13)
            assert r.market_paths["gas"][i, t] == pytest.approx(math.exp(c_gas + y), rel=1e-13)


def test_npv_correlation_of_two_ohio_deals_is_the_shared_market():
    # Two Ohio deals, overruns drawn independently, no common factor. Statistical check,
    # 4,000 scenarios (s.e. of a rank correlation ~ 1/sqrt(n) = 0.016):
    n = 4000
    shared = dealsim.simulate_portfolio({"a": OHIO, "b": OHIO}, n, seed=7, common=None,
                                        paths=0)
    apart = dealsim.simulate_portfolio({"a": OHIO, "b": OHIO}, n, seed=7, common=None,
                                       paths=0, market=None)
    rho_shared = stats.spearmanr(shared.projects["a"]["npv"], shared.projects["b"]["npv"])[0]
    rho_apart = stats.spearmanr(apart.projects["a"]["npv"], apart.projects["b"]["npv"])[0]
    # independent markets: no correlation (within 3 s.e.)
    assert abs(rho_apart) < 3 / math.sqrt(n)
    # a shared market: positive and small, because an Ohio NPV is mostly its own
    # overrun (rank correlation -0.95 with it); measured 0.074 at seed 7
    assert 0.03 < rho_shared < 0.15
    # and it is all the market: with the own risks fixed the two NPVs are one
    fixed = default_uncertainties("fossil_thermal", overrun=Fixed(1.16), delay=Fixed(0),
                                  capacity=Fixed(1.0), utilisation=Fixed(1.0))
    same = dealsim.simulate_portfolio({"a": OHIO, "b": OHIO}, 300, seed=7, common=None,
                                      paths=0, uncertainties=fixed)
    np.testing.assert_array_equal(same.projects["a"]["npv"], same.projects["b"]["npv"])


def test_regions_correlate_at_the_labelled_assumption():
    # PJM (Pennsylvania) and ERCOT (Texas): power innovations (log x_t - phi log x_{t-1})
    # correlate rho^2 + (1 - rho^2) k with gas correlation rho = Gaussian(0.7) and residual
    # correlation k = Gaussian(0.5) (SharedMarket notes; closed form, 4 s.e. tolerance)
    n = 2000
    r = dealsim.simulate_portfolio(
        {"pa": gas_tranche2(site="pennsylvania"), "tx": gas_tranche2(site="texas"),
         "smr": smr_tranche2()}, n, seed=3, common=None, paths=n)
    assert REGIONS["gas_tranche2:texas"] == "ERCOT"
    assert set(r.market_paths) == {"deemed_rate", "usdjpy", "gas", "power:PJM",
                                   "power:ERCOT", "power:SERC"}
    def innov(key, process=POWER_PROCESS):
        lx = np.log(r.market_paths[key])
        return (lx[:, 1:] - process.phi * lx[:, :-1]).ravel() / process.volatility

    rho = 2 * math.sin(math.pi * 0.7 / 6)
    k = 2 * math.sin(math.pi * 0.5 / 6)
    pjm, ercot, serc, gas = (innov("power:PJM"), innov("power:ERCOT"), innov("power:SERC"),
                             innov("gas", FUEL_PROCESS))
    tol = 4 / math.sqrt(pjm.size)  # innovations are independent across years and rows
    assert np.corrcoef(pjm, ercot)[0, 1] == pytest.approx(rho**2 + (1 - rho**2) * k, abs=tol)
    assert np.corrcoef(ercot, gas)[0, 1] == pytest.approx(rho, abs=tol)
    # the SMRs' power is not gas-correlated (the preset's rank correlation 0)
    assert np.corrcoef(serc, gas)[0, 1] == pytest.approx(0.0, abs=tol)
    assert np.corrcoef(serc, pjm)[0, 1] == pytest.approx(math.sqrt(1 - rho**2) * k, abs=tol)


def test_one_market_per_path_is_enforced_and_options_are_checked():
    other = dataclasses.replace(OHIO, market=Market(prices=PricePaths(rank_correlation=0.2),
                                                    sofr=SofrPaths(), region="PJM"))
    with pytest.raises(InvalidParameterError, match="power:PJM"):
        dealsim.simulate_portfolio({"a": OHIO, "b": other}, 10, seed=1)
    # another region is another path: allowed
    moved = dataclasses.replace(other, market=dataclasses.replace(other.market,
                                                                  region="MISO"))
    r = dealsim.simulate_portfolio({"a": OHIO, "b": moved}, 10, seed=1, paths=10)
    assert "power:MISO" in r.market_paths
    with pytest.raises(InvalidParameterError, match="market"):
        dealsim.simulate_portfolio({"a": OHIO}, 10, seed=1, market="shared")
    with pytest.raises(InvalidParameterError, match="regional_correlation"):
        SharedMarket(regional_correlation=1.5)
    with pytest.raises(InvalidParameterError, match="region"):
        Market(region="")
    with pytest.raises(InvalidParameterError, match="reads no shared path"):
        r.market_path("a", "capacity")
