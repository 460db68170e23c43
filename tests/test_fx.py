"""The yen view: conversion rules, invariances and the path effect."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import dealsim
from dealsim.analysis.fx import to_yen, usdjpy_paths, yen_metrics, yen_view
from dealsim.presets import ohio_gas_power

flows = arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(2, 8)),
               elements=st.floats(-1e3, 1e3, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(cf=flows, k=st.floats(50.0, 300.0))
def test_fixed_rate_scales_npv_and_keeps_irr(cf: np.ndarray, k: float) -> None:
    cf = cf.copy()
    cf[:, 0] = -np.abs(cf[:, 0]) - 1.0  # an investment first
    usd = dealsim.irr(cf)
    m = yen_metrics(cf, k, discount_rate=0.03)
    np.testing.assert_allclose(m.npv, k * dealsim.npv(0.03, cf), rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(m.irr, usd, rtol=1e-7, atol=1e-9, equal_nan=True)
    np.testing.assert_allclose(m.moic, dealsim.moic(cf), rtol=1e-12, equal_nan=True)


def test_rate_shapes() -> None:
    cf = np.array([[-1.0, 2.0], [-3.0, 4.0]])
    # per scenario == loop over scenarios with a scalar rate
    per = to_yen(cf, [100.0, 200.0])
    assert np.array_equal(per, np.stack([to_yen(cf[0], 100.0), to_yen(cf[1], 200.0)]))
    # (S, T) paths pair row by row; a (T,) flow with (S, T) paths gives S views
    paths = np.array([[150.0, 140.0], [150.0, 160.0]])
    assert np.array_equal(to_yen(cf, paths), cf * paths)
    assert to_yen(cf[0], paths).shape == (2, 2)
    with pytest.raises(dealsim.InvalidParameterError, match="usdjpy"):
        to_yen(cf, [1.0, 2.0, 3.0])
    with pytest.raises(dealsim.InvalidParameterError, match="usdjpy must be yen per dollar"):
        to_yen(cf, 0.0)


def test_strengthening_yen_lowers_the_yen_irr() -> None:
    # known answer: -100 $ at 150, +110 $ at 135 -> 110*135/(100*150) - 1 = -1%
    m = yen_metrics([-100.0, 110.0], [150.0, 135.0], discount_rate=0.0)
    assert float(m.irr) == pytest.approx(-0.01, abs=1e-12)
    assert float(m.paid_in) == 15000.0 and float(m.received) == 14850.0


def test_paths_statistics() -> None:
    # log-increments are N(drift, sigma^2): the mean within 4 standard errors
    p = usdjpy_paths(155.0, 6, n=20000, seed=11, sigma=0.1, drift=-0.035)
    inc = np.diff(np.log(p), axis=1).ravel()
    assert abs(inc.mean() + 0.035) < 4 * 0.1 / np.sqrt(inc.size)
    assert inc.std() == pytest.approx(0.1, rel=0.02)
    assert np.array_equal(p, usdjpy_paths(155.0, 6, n=20000, seed=11, sigma=0.1,
                                          drift=-0.035))
    assert np.all(usdjpy_paths(155.0, 4, n=3, seed=1, sigma=0.0) == 155.0)


def test_yen_view_uses_the_kept_flows_and_drawn_rates() -> None:
    r = dealsim.simulate(ohio_gas_power(), 300, seed=5, paths=100)
    y = yen_view(r, discount_rate=0.01)
    assert y.npv.shape == (100,)
    expected = r.inputs["usdjpy"][:100] * dealsim.npv(0.01, r.paths["investor"])
    np.testing.assert_allclose(y.npv, expected, rtol=1e-10)
    with pytest.raises(dealsim.InvalidParameterError, match="paths=k"):
        yen_view(dealsim.simulate(ohio_gas_power(), 10, seed=5, paths=0), discount_rate=0.01)
