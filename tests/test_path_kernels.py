"""Paths generated inside a block's pass: the same innovations and the same arithmetic on
both backends, and the dated accrual computed only where a call is paid."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealsim.kernels import block as _kernels
from dealsim.kernels import steps as _steps
from dealsim.model.market import Market, block_generators, block_paths, path_params
from dealsim.model.paths import PRICE_TAG, PricePaths, SofrPaths, UsdJpyPaths, path_generator

DRAWS = {"price": np.array([0.8, 1.0, 1.3, 0.0]), "fuel": np.array([1.1, 0.9, 1.0, 1.2]),
         "deemed_rate": np.array([0.05, 0.055, 0.07, -0.01]),
         "usdjpy": np.array([150.0, 155.0, 160.0, 140.0])}


def test_numba_draws_row_by_row_the_normals_numpy_draws_by_block():
    """The compiled kernel draws a scenario's innovations one at a time from the block's
    generator; numba's Generator must give numpy's bits (its ziggurat), including the
    rare tail draws (about 1 in 4,000 beyond the ziggurat's last layer)."""
    numba = pytest.importorskip("numba")

    @numba.njit
    def rows(gen, out):
        for i in range(out.shape[0]):
            for t in range(out.shape[1]):
                for k in range(out.shape[2]):
                    out[i, t, k] = gen.standard_normal()

    for seed, block in ((1, 0), (2**40 + 3, 7), (12345, 61)):
        root = np.random.SeedSequence(seed)
        want = path_generator(root, block, PRICE_TAG).standard_normal((12_000, 43, 2))
        got = np.empty_like(want)
        rows(path_generator(root, block, PRICE_TAG), got)
        assert (np.abs(want) > 3.7).sum() > 100  # the tail branch was exercised
        np.testing.assert_array_equal(got, want)


def test_the_numpy_block_reads_the_paths_block_paths_documents():
    root = np.random.SeedSequence(5)
    market = Market.paths()
    want = block_paths(market, root, 3, DRAWS, 9)
    rows = _kernels._numpy_paths(
        path_params(market), block_generators(market, root, 3), DRAWS["price"],
        DRAWS["fuel"], DRAWS["usdjpy"], DRAWS["deemed_rate"], 4, 9)
    for name, got in zip(("price", "fuel", "usdjpy", "deemed_rate"), rows, strict=True):
        np.testing.assert_array_equal(got.T, want[name])
    assert (want["price"][3] == 0.0).all()  # a factor of 0 stays 0 on its path


def test_a_family_without_a_model_keeps_its_level_and_draws_nothing():
    root = np.random.SeedSequence(5)
    market = Market(prices=PricePaths())
    gp, gr, gx = block_generators(market, root, 0)
    assert gp is not None and gr is None and gx is None
    assert block_generators(Market.paths(), root, 0, usdjpy=False)[2] is None
    rows = _kernels._numpy_paths(path_params(market), (None, None, None), DRAWS["price"],
                                 DRAWS["fuel"], DRAWS["usdjpy"], DRAWS["deemed_rate"], 4, 6)
    for got, level in zip(rows, ("price", "fuel", "usdjpy", "deemed_rate"), strict=True):
        assert got.shape == (6, 4) and (got == DRAWS[level]).all()


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 30), st.integers(0, 29), st.integers(0, 30),
       st.floats(-1.0, 1.0))
def test_one_scenario_at_a_time_is_the_block_and_the_window_only_skips_reading(
        seed, horizon, first, span, rank):
    """The steps on scalars (the compiled path's shape) give the block's values in the
    years of the window and 1.0 outside it."""
    pp = path_params(Market(prices=PricePaths(rank_correlation=rank), sofr=SofrPaths(),
                            usdjpy=UsdJpyPaths()))
    rng = np.random.default_rng(seed)
    n = 5
    z2, z1 = rng.standard_normal((horizon, 2, n)), rng.standard_normal((horizon, n))
    x0, y0, s0 = rng.normal(0, 0.3, n), rng.normal(0, 0.3, n), rng.normal(0.04, 0.01, n)
    power, fuel = np.empty((horizon, n)), np.empty((horizon, n))
    deemed, fx = np.empty((horizon, n)), np.empty((horizon, n))
    _steps.price_paths(pp, x0, y0, z2, power, fuel, 0, horizon)
    _steps.deemed_path(pp, s0, z1, deemed)
    _steps.fx_path(pp, x0 + 5.0, z1, fx, 0, horizon)
    last = min(first + span, horizon)
    inside = (np.arange(horizon) >= first) & (np.arange(horizon) < last)
    for i in range(n):
        p, f, d, x = (np.empty(horizon) for _ in range(4))
        _steps.price_paths(pp, float(x0[i]), float(y0[i]), z2[:, :, i], p, f, first, last)
        _steps.deemed_path(pp, float(s0[i]), z1[:, i], d)
        _steps.fx_path(pp, float(x0[i]) + 5.0, z1[:, i], x, first, last)
        np.testing.assert_allclose(p[inside], power[inside, i], rtol=1e-15)
        np.testing.assert_allclose(f[inside], fuel[inside, i], rtol=1e-15)
        np.testing.assert_allclose(x[inside], fx[inside, i], rtol=1e-15)
        assert (p[~inside] == 1.0).all() and (f[~inside] == 1.0).all()
        assert (x[~inside] == 1.0).all()
        np.testing.assert_array_equal(d, deemed[:, i])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-100.0, 50.0), min_size=6, max_size=6),
       st.floats(-0.5, 0.5), st.floats(-0.5, 0.5), st.integers(0, 3),
       st.sampled_from([-1, 0, 2]), st.booleans())
def test_dated_credit_is_the_plain_formula_where_a_call_is_paid(
        net, rate, disc, t, upfront_period, apart):
    """Skipping the accrual where no call is paid changes nothing: every element of the
    credit (and of the value at the discount rate) is ``call * mean_q (1 + r) **
    tau[t, q]``, plus the prefund grown from its funding date in the upfront period."""
    tau = np.random.default_rng(t).uniform(0.0, 1.0, (4, 4))
    up = upfront_period >= 0
    sp = _steps.SplitParams(0.5, 0.1, False, 1, dated=True, call_tau=tau,
                            upfront_period=upfront_period, upfront_tau=0.7, upfront=up,
                            discount_apart=apart)
    net_v = np.array(net)
    operating = np.array([False, True, False, True, False, True])
    paid, credit, valued, now = _steps.funding_flows(sp, t, net_v, 1.0 + rate, disc,
                                                     operating, -40.0)
    call = np.minimum(net_v, 0.0) * ((operating | (net_v > 0.0)) if up else 1.0)
    here = up and t == upfront_period

    def plain(r: float) -> np.ndarray:
        acc = np.mean([(1.0 + r) ** tq for tq in tau[t]])
        return call * acc + (-40.0 * (1.0 + r) ** 0.7 if here else 0.0)

    np.testing.assert_allclose(credit, plain(rate), rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(valued, plain(disc) if apart else credit, rtol=1e-13,
                               atol=1e-12)
    np.testing.assert_array_equal(paid, call + (-40.0 if here else 0.0))
    np.testing.assert_array_equal(now, operating | (net_v > 0.0))


def test_the_default_funding_calendar_is_built_once_and_read_only():
    from dealsim.finance.capital_calls import funding_calendar
    from dealsim.finance.funding import federal_busdaycalendar

    a = funding_calendar(2026, 40)
    assert funding_calendar(2026, 40, selection="2026-02-17") is a
    with pytest.raises(ValueError, match="read-only"):
        a.tau[0, 0] = 0.0
    b = funding_calendar(2026, 40, busdaycal=federal_busdaycalendar(2020, 2070))
    assert b is not a and b.tau.flags.writeable
    np.testing.assert_array_equal(b.tau, a.tau)
    np.testing.assert_array_equal(b.funded, a.funded)
