"""Tests of dealsim.metrics: known answers (source beside each value), agreement with
numpy-financial, hypothesis properties, and the error contract."""

from __future__ import annotations

import math

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dealsim.errors import InvalidCashflowsError, InvalidParameterError
from dealsim.finance.metrics import IrrResult, irr, moic, npv, payback_period
from dealsim.kernels.irr import IrrStatus

# ---------------------------------------------------------------------------------------
# helpers


def conventional(rng: np.random.Generator, shape: tuple[int, ...], n_periods: int) -> np.ndarray:
    """Random conventional flows: 1..5 negative periods, then non-negative ones."""
    k = rng.integers(1, 6, size=shape)
    t = np.arange(n_periods)
    paid = -rng.uniform(50.0, 150.0, size=(*shape, n_periods))
    got = rng.uniform(0.0, 30.0, size=(*shape, n_periods))
    return np.where(t < k[..., None], paid, got)


def npf_irr_loop(cf: np.ndarray) -> np.ndarray:
    """numpy-financial 1.0.0's irr accepts 1-D input only, so loop over rows."""
    flat = cf.reshape(-1, cf.shape[-1])
    return np.array([npf.irr(row) for row in flat]).reshape(cf.shape[:-1])


def npf_npv_loop(rate: np.ndarray, cf: np.ndarray) -> np.ndarray:
    """numpy-financial 1.0.0's npv is wrong on 2-D input, so loop over rows."""
    flat = cf.reshape(-1, cf.shape[-1])
    rates = np.broadcast_to(rate, cf.shape[:-1]).reshape(-1)
    return np.array([npf.npv(r, row) for r, row in zip(rates, flat, strict=True)]).reshape(
        cf.shape[:-1]
    )


def npv_scale(rate: float, cf: np.ndarray) -> float:
    """Size of the terms of the NPV sum: the yardstick for 'npv is about zero'."""
    return float(npv(rate, np.abs(cf)))


def assert_npv_zero(rate: float, cf: np.ndarray, rel: float = 1e-10) -> None:
    """|npv(rate, cf)| is within rounding of zero.

    Besides ``rel``, allow for ``rate`` itself being a rounded float: an error of one
    ulp in r moves (1+r)**-t by t * ulp(r) / (1+r) relative, which is large near r = -1.
    """
    rate = float(rate)
    ulp_effect = cf.shape[-1] * np.spacing(max(1.0, abs(rate))) / (1.0 + rate)
    # (+ subnormal steps: a discount factor below 1e-308 is exact to 5e-324 only)
    subnormal = 4 * 5e-324 * (1.0 + float(np.abs(cf).sum()))
    assert abs(npv(rate, cf)) <= (rel + 4 * ulp_effect) * npv_scale(rate, cf) + subnormal


# ---------------------------------------------------------------------------------------
# irr: known answers


@pytest.mark.parametrize(
    ("flows", "expected", "tol"),
    [
        # numpy-financial 1.0.0 docstring of irr: 0.28095 (full value from npf 1.0.0)
        ([-100, 39, 59, 55, 20], 0.28094842115996066, 1e-12),
        # numpy-financial docstring: -0.0955
        ([-100, 0, 0, 74], -0.0955, 5e-5),
        # numpy-financial docstring: 0.06206
        ([-100, 100, 0, 7], 0.06206, 5e-6),
        # Microsoft Excel IRR help, A2:A6 (four years): -2.1%
        ([-70000, 12000, 15000, 18000, 21000], -0.021, 5e-4),
        # Microsoft Excel IRR help, A2:A7 (five years): 8.7% (LibreOffice: 8.66%)
        ([-70000, 12000, 15000, 18000, 21000, 26000], 0.0866, 5e-5),
        # exact by construction: 100 * 1.1**2 = 121
        ([-100, 0, 121], 0.1, 1e-14),
        # r beyond the largest interior grid rate (1000): found through the r -> inf limit
        ([-1, 2000], 1999.0, 1e-9),
        # leading and trailing zero periods; npf 1.0.0 gives 0.0639410298049854
        ([0, 0, -100, 50, 60, 0], 0.0639410298049854, 1e-12),
    ],
)
def test_irr_known_answers(flows: list[float], expected: float, tol: float) -> None:
    got = irr(flows)
    assert isinstance(got, np.float64)
    assert abs(got - expected) <= tol


def test_irr_multiple_roots_both_rules_give_the_smaller_root_here() -> None:
    # -100 + 230/(1+r) - 132/(1+r)**2 = 0 at r = 0.10 and r = 0.20; npf 1.0 returns 0.10
    for select in ("nonnegative_first", "closest_to_zero"):
        res = irr([-100, 230, -132], full_output=True, select=select)
        assert isinstance(res, IrrResult)
        assert res.rate == pytest.approx(0.10, abs=1e-12)
        assert res.status == IrrStatus.MULTIPLE_ROOTS
    assert abs(res.rate - npf.irr([-100, 230, -132])) < 1e-10


@pytest.mark.parametrize(("r1", "r2"), [(-0.05, 0.3), (-0.3, 0.05), (0.02, 0.7), (-0.6, -0.2)])
def test_irr_roots_on_both_sides_of_zero(r1: float, r2: float) -> None:
    # p(x) = -100 (x - x1)(x - x2) with x = 1/(1+r): roots exactly r1 and r2
    x1, x2 = 1 / (1 + r1), 1 / (1 + r2)
    flows = [-100 * x1 * x2, 100 * (x1 + x2), -100]
    # default (numpy-financial 1.1's rule): the smallest root >= 0, else the largest
    res = irr(flows, full_output=True)
    nonneg = [r for r in (r1, r2) if r >= 0]
    assert res.rate == pytest.approx(min(nonneg) if nonneg else max(r1, r2), abs=1e-10)
    assert res.status == IrrStatus.MULTIPLE_ROOTS
    # the former rule, which numpy-financial 1.0 applies
    old = irr(flows, full_output=True, select="closest_to_zero")
    closest = r1 if abs(r1) < abs(r2) else r2
    assert old.rate == pytest.approx(closest, abs=1e-10)
    assert old.status == IrrStatus.MULTIPLE_ROOTS
    assert abs(old.rate - npf.irr(flows)) < 1e-10


def test_irr_statuses_and_nan() -> None:
    flows = np.array(
        [
            [-100, 60, 60],  # conventional: one root
            [100, 50, 10],  # all positive
            [-1, -2, 0],  # all non-positive
            [0, 0, 0],  # all zero
            [100, -300, 250],  # sign changes, but 100 - 300x + 250x^2 > 0 for all x
            [-100, 230, -132],  # roots 10% and 20%
        ],
        dtype=float,
    )
    res = irr(flows, full_output=True)
    assert res.status.dtype == np.int8
    assert res.status.tolist() == [
        IrrStatus.CONVERGED,
        IrrStatus.NO_SIGN_CHANGE,
        IrrStatus.NO_SIGN_CHANGE,
        IrrStatus.NO_SIGN_CHANGE,
        IrrStatus.NO_ROOT_FOUND,
        IrrStatus.MULTIPLE_ROOTS,
    ]
    assert np.isnan(res.rate).tolist() == [False, True, True, True, True, False]


def test_irr_root_exactly_on_grid_point() -> None:
    # r = 0 and r = 0.5 are grid rates; the NPV there is zero (or within rounding)
    res = irr([[-1, 1, 0], [-2, 3, 0], [-1, 2, -1]], full_output=True)
    np.testing.assert_allclose(res.rate, [0.0, 0.5, 0.0], atol=1e-15)
    # -(1-x)^2 has a double root that touches zero at r = 0: counted once
    assert res.status.tolist() == [IrrStatus.CONVERGED] * 3


# ---------------------------------------------------------------------------------------
# irr: agreement with numpy-financial


@pytest.mark.parametrize("shape", [(500,), (4, 25), (2, 3, 20)])
@pytest.mark.parametrize("n_periods", [2, 10, 40, 100])
def test_irr_matches_numpy_financial_loop(shape: tuple[int, ...], n_periods: int) -> None:
    rng = np.random.default_rng([len(shape), n_periods])
    cf = conventional(rng, shape, n_periods)
    got = irr(cf)
    ref = npf_irr_loop(cf)
    assert got.shape == shape
    # conventional flows have exactly one root; both must find it (or both none)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-10)


def test_irr_matches_numpy_financial_on_wide_rates() -> None:
    # IRRs from about -90% to several hundred percent
    rng = np.random.default_rng(7)
    invest = -rng.uniform(1, 100, size=(300, 1))
    back = rng.uniform(0, 1, size=(300, 8)) * rng.choice([0.05, 1.0, 20.0, 300.0], (300, 1))
    cf = np.concatenate((invest, back), axis=1)
    got = irr(cf)
    ref = npf_irr_loop(cf)
    assert np.nanmin(ref) < -0.5 and np.nanmax(ref) > 10
    np.testing.assert_allclose(got, ref, rtol=1e-11, atol=1e-10)


# ---------------------------------------------------------------------------------------
# irr: properties

flows_el = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)
positive = st.floats(0, 1e4)


@st.composite
def conventional_flows(draw: st.DrawFn) -> list[float]:
    paid = draw(st.lists(st.floats(-1e4, -1e-2), min_size=1, max_size=8))
    # no denormal-sized receipts: their IRR can round to exactly -1 (not representable)
    got = draw(st.lists(st.just(0.0) | st.floats(1e-2, 1e4), min_size=1, max_size=50))
    if max(got) <= 0:
        got[-1] = 1.0
    return paid + got


@settings(max_examples=200, deadline=None)
@given(conventional_flows())
def test_irr_property_conventional_root_is_npv_zero_and_matches_npf(flows: list[float]) -> None:
    cf = np.array(flows)
    res = irr(cf, full_output=True)
    assert res.status == IrrStatus.CONVERGED
    assert_npv_zero(res.rate, cf)
    with np.errstate(all="ignore"):  # np.roots overflows on denormal flows
        ref = npf.irr(cf)
    # np.roots can lose an ill-conditioned root to a stray imaginary part, and is
    # inaccurate when x = 1/(1+r) spans many orders of magnitude
    if not math.isnan(ref) and -0.99 < res.rate < 10:
        assert abs(res.rate - ref) <= 1e-9 * max(1.0, abs(ref))


@settings(max_examples=150, deadline=None)
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 12)), elements=flows_el))
def test_irr_property_batch_equals_loop(cf: np.ndarray) -> None:
    batch = irr(cf, full_output=True)
    for i, row in enumerate(cf):
        one = irr(row, full_output=True)
        assert one.status == batch.status[i]
        if np.isnan(one.rate):
            assert np.isnan(batch.rate[i])
        else:
            assert one.rate == pytest.approx(batch.rate[i], rel=1e-10, abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(2, 15)), elements=flows_el))
def test_irr_property_root_is_npv_zero_where_found(cf: np.ndarray) -> None:
    res = irr(cf, full_output=True)
    for i, row in enumerate(cf):
        if res.status[i] in (IrrStatus.CONVERGED, IrrStatus.MULTIPLE_ROOTS):
            r = float(res.rate[i])
            assert r > -1
            assert_npv_zero(r, row)
        else:
            assert np.isnan(res.rate[i])
        if res.status[i] == IrrStatus.NO_SIGN_CHANGE:
            assert not ((row > 0).any() and (row < 0).any())


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 10)), elements=positive))
def test_irr_property_all_non_negative_is_no_sign_change(cf: np.ndarray) -> None:
    for flows in (cf, -cf):
        res = irr(flows, full_output=True)
        assert np.isnan(res.rate).all()
        assert (res.status == IrrStatus.NO_SIGN_CHANGE).all()


@settings(max_examples=60, deadline=None)
@given(
    hnp.array_shapes(min_dims=1, max_dims=4, max_side=4),
    st.integers(0, 2**32 - 1),
)
def test_irr_property_shapes(shape: tuple[int, ...], seed: int) -> None:
    cf = conventional(np.random.default_rng(seed), shape[:-1], shape[-1] + 1)
    rate = irr(cf)
    res = irr(cf, full_output=True)
    assert np.shape(rate) == shape[:-1]
    assert np.shape(res.rate) == np.shape(res.status) == shape[:-1]
    assert np.asarray(res.status).dtype == np.int8
    np.testing.assert_array_equal(rate, res.rate)
    flat = irr(cf.reshape(-1, cf.shape[-1]))
    np.testing.assert_allclose(np.reshape(rate, -1), flat, rtol=1e-12, atol=1e-14)


def test_irr_empty_batch() -> None:
    res = irr(np.zeros((0, 5)), full_output=True)
    assert res.rate.shape == (0,) and res.status.shape == (0,)


# ---------------------------------------------------------------------------------------
# npv


def test_npv_known_answer() -> None:
    # numpy-financial docstring of npv: npf.npv(0.281, [-100, 39, 59, 55, 20]) -> -0.00847859...
    got = npv(0.281, [-100, 39, 59, 55, 20])
    assert isinstance(got, np.float64)
    assert got == pytest.approx(-0.0084785916384548798, abs=1e-12)
    # first flow undiscounted: 100 + 110 / 1.1 = 200
    assert npv(0.1, [100, 110]) == pytest.approx(200.0, rel=1e-15)


def test_npv_2d_scalar_rate_matches_npf_loop() -> None:
    cf = conventional(np.random.default_rng(3), (7, 6), 30)
    got = npv(0.07, cf)
    assert got.shape == (7, 6)
    np.testing.assert_allclose(got, npf_npv_loop(np.array(0.07), cf), rtol=1e-12, atol=1e-9)


@settings(max_examples=100, deadline=None)
@given(
    hnp.arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 30)), elements=flows_el),
    st.data(),
)
def test_npv_property_per_scenario_rate_equals_loop(cf: np.ndarray, data: st.DataObject) -> None:
    rates = data.draw(hnp.arrays(np.float64, cf.shape[0], elements=st.floats(-0.9, 5.0)))
    got = npv(rates, cf)
    assert got.shape == cf.shape[:-1]
    loop = np.array([npv(float(r), row) for r, row in zip(rates, cf, strict=True)])
    scale = np.array([npv(float(r), np.abs(row)) for r, row in zip(rates, cf, strict=True)])
    assert (np.abs(got - loop) <= 1e-12 * scale + 1e-300).all()
    np.testing.assert_allclose(got, npf_npv_loop(rates, cf), rtol=0, atol=1e-11 * scale.max())


def test_npv_broadcasts_rate_against_leading_axes() -> None:
    cf = conventional(np.random.default_rng(5), (3, 4), 12)
    rates = np.array([0.0, 0.05, 0.1, 0.2])  # one rate per column of scenarios
    got = npv(rates, cf)
    assert got.shape == (3, 4)
    np.testing.assert_allclose(got, npf_npv_loop(np.broadcast_to(rates, (3, 4)), cf), rtol=1e-12)
    # a rate axis of its own: (2, 1) x (3,) -> (2, 3)
    both = npv(np.array([[0.0], [0.1]]), cf[:, 0])
    assert both.shape == (2, 3)
    np.testing.assert_allclose(both[1], npv(0.1, cf[:, 0]), rtol=1e-12)


# ---------------------------------------------------------------------------------------
# payback_period and moic


@pytest.mark.parametrize(
    ("flows", "expected"),
    [
        ([-100, 50, 60], 2),  # cumsum -100, -50, 10
        ([-100, 100, 5], 1),  # cumsum reaches exactly 0 at t=1: counts as paid back
        ([-100, 10, 10], -1),  # never recovers
        ([10, -5, 1], 0),  # cumulative sum never negative
        ([0, 0, 0], 0),  # nothing at risk
        ([0, -50, 20, 40], 3),  # late start
        ([-100, 150, -100, 80], 1),  # a later capital call does not move it
        ([-100], -1),
    ],
)
def test_payback_period_known_answers(flows: list[float], expected: int) -> None:
    got = payback_period(flows)
    assert isinstance(got, np.int64)
    assert got == expected


def test_payback_period_shapes() -> None:
    cf = np.array([[[-100, 50, 60], [10, -5, 1]], [[-100, 10, 10], [-1, 0, 1]]], dtype=float)
    got = payback_period(cf)
    assert got.dtype == np.int64
    assert got.tolist() == [[2, 0], [-1, 2]]


@pytest.mark.parametrize(
    ("flows", "expected"),
    [
        ([-100, 50, 100], 1.5),
        ([-50, -50, 250], 2.5),
        ([-100, 50, -50, 300], 350 / 150),  # gross: inflows over outflows, not netted
        ([-100, 0, 0], 0.0),
    ],
)
def test_moic_known_answers(flows: list[float], expected: float) -> None:
    got = moic(flows)
    assert isinstance(got, np.float64)
    assert got == pytest.approx(expected, rel=1e-15)


def test_moic_nan_where_nothing_paid_in() -> None:
    got = moic([[10, 20], [0, 0], [-10, 30]])
    assert np.isnan(got[:2]).all()
    assert got[2] == 3.0


# ---------------------------------------------------------------------------------------
# errors

ALL = [irr, payback_period, moic, lambda cf: npv(0.05, cf)]


@pytest.mark.parametrize("func", ALL)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_cashflows_raise_naming_argument(func, bad: float) -> None:  # noqa: ANN001
    cf = np.array([[-100.0, 50.0, 60.0], [-100.0, 50.0, 60.0]])
    cf[1, 2] = bad
    with pytest.raises(InvalidCashflowsError, match="cashflows"):
        func(cf)
    with pytest.raises(ValueError, match="cashflows"):  # DealsimError is a ValueError
        func(cf)


@pytest.mark.parametrize("func", ALL)
def test_scalar_and_empty_cashflows_raise(func) -> None:  # noqa: ANN001
    with pytest.raises(InvalidCashflowsError, match="cashflows"):
        func(5.0)
    with pytest.raises(InvalidCashflowsError, match="cashflows"):
        func(np.zeros((3, 0)))


@pytest.mark.parametrize("rate", [-1.0, -1.5, np.nan, np.inf, "x"])
def test_npv_bad_scalar_rate_raises(rate: object) -> None:
    with pytest.raises(InvalidParameterError, match="rate"):
        npv(rate, [-100, 110])  # type: ignore[arg-type]


def test_npv_bad_rate_array_raises() -> None:
    with pytest.raises(InvalidParameterError, match="rate"):
        npv(np.array([0.1, -1.0]), np.ones((2, 3)))
    with pytest.raises(InvalidParameterError, match="rate"):
        npv(np.array([0.1, np.nan]), np.ones((2, 3)))
    with pytest.raises(InvalidParameterError, match="rate"):
        npv(np.array([0.1, 0.2, 0.3]), np.ones((2, 3)))  # does not broadcast
