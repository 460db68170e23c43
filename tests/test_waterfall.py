"""Tests for dealsim.finance.waterfall.waterfall.

Three kinds, labelled: known answers worked by hand (arithmetic in the comments),
properties with hypothesis (batch equals a plain per-scenario loop, conservation,
monotonicity, ...), and error messages.
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.typing import NDArray

from dealsim.errors import InvalidCashflowsError, InvalidParameterError
from dealsim.finance.waterfall import WaterfallResult, waterfall
from dealsim.model.terms import DealTerms

# the package re-exports the function `waterfall`, which shadows the submodule attribute
wf_module = importlib.import_module("dealsim.finance.waterfall")

# --- reference implementation: one scenario, plain Python, the rules as written ------


def ref_aggregate(
    cf: list[float], r: float, sb: float, sa: float
) -> tuple[list[float], list[float], int]:
    """Aggregate reading, straight from the spec: one balance B."""
    B, seen, rec = 0.0, False, -1
    inv, bal = [], []
    for t, c in enumerate(cf):
        B = B * (1.0 + r)  # deemed interest on the balance carried from t-1
        if c < 0:  # capital call: investor pays it in, B grows, nothing distributed
            B = B - c
            inv.append(c)
        elif sb * c >= B:  # the investor's first-tier share clears B
            inv.append(B + sa * max(c - B / sb, 0.0))
            B = 0.0
        else:
            inv.append(sb * c)
            B = B - sb * c
        bal.append(B)
        if B == 0.0 and seen and rec < 0:
            rec = t
        seen = seen or B > 0.0
    return inv, bal, rec


def ref_scheduled(
    cf: list[float], r: float, sb: float, sa: float, N: int
) -> tuple[list[float], list[float], int]:
    """Scheduled reading as defined in waterfall's docstring: principal P, arrears A."""
    P, A, k, started, seen, rec = 0.0, 0.0, 0, False, False, -1
    inv, bal = [], []
    for t, c in enumerate(cf):
        if c > 0 and P > 0:
            started = True
        if started:
            n = max(N - k, 1)
            due = max(r * P + P / n + (1.0 + r) * A, 0.0)  # floor: negative r < -1/n
            P = P - P / n
        else:  # construction: deemed interest capitalised, nothing due
            due = 0.0
            P = P * (1.0 + r)
        if c < 0:
            P = P - c
            inv.append(c)
            A = due
        elif sb * c >= due:
            inv.append(due + sa * max(c - due / sb, 0.0))
            A = 0.0
        else:
            inv.append(sb * c)
            A = due - sb * c
        if started:
            k += 1
        bal.append(P + A)
        if P + A == 0.0 and seen and rec < 0:
            rec = t
        seen = seen or P + A > 0.0
    return inv, bal, rec


def reference(
    net: NDArray[np.float64], terms: DealTerms, rates: NDArray[np.float64] | float
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """Loop the one-scenario reference over every scenario (any leading axes)."""
    lead, T = net.shape[:-1], net.shape[-1]
    flat = net.reshape(-1, T)
    r_flat = np.broadcast_to(np.asarray(rates, dtype=float), lead).reshape(-1)
    inv = np.empty_like(flat)
    bal = np.empty_like(flat)
    rec = np.empty(flat.shape[0], dtype=np.int64)
    for i, row in enumerate(flat):
        args = (row.tolist(), float(r_flat[i]), terms.share_before, terms.share_after)
        if terms.reading == "aggregate":
            out = ref_aggregate(*args)
        else:
            out = ref_scheduled(*args, terms.amortisation_periods)
        inv[i], bal[i], rec[i] = out
    return inv.reshape(net.shape), bal.reshape(net.shape), rec.reshape(lead)


def assert_matches_reference(
    res: WaterfallResult, net: NDArray[np.float64], terms: DealTerms, rates: object
) -> None:
    inv, bal, rec = reference(net, terms, rates)  # type: ignore[arg-type]
    scale = max(1.0, float(np.abs(net).max()))
    np.testing.assert_allclose(res.investor, inv, rtol=1e-12, atol=1e-12 * scale)
    assert res.balance is not None
    np.testing.assert_allclose(res.balance, bal, rtol=1e-12, atol=1e-12 * scale)
    np.testing.assert_array_equal(res.recovered_at, rec)


# --- known answers, worked by hand ---------------------------------------------------


def test_hand_example_aggregate_rate_zero() -> None:
    # B = 100; each 30 pays the investor 15 (B: 85, 70, 55, 40); in t=5, 2 x 40 = 80 of
    # the 100 clears B (investor 40, host 40), the other 20 splits 90/10 -> 2 / 18.
    res = waterfall([-100, 30, 30, 30, 30, 100], DealTerms())
    np.testing.assert_array_equal(res.investor, [-100, 15, 15, 15, 15, 42])
    np.testing.assert_array_equal(res.host, [0, 15, 15, 15, 15, 58])
    assert res.balance is not None
    np.testing.assert_array_equal(res.balance, [100, 85, 70, 55, 40, 0])
    assert res.recovered_at.shape == ()
    assert int(res.recovered_at) == 5


def test_hand_example_aggregate_deemed_interest() -> None:
    # r = 10%:
    # t0: B = 100
    # t1: B = 110;    30 -> investor 15;            B = 95
    # t2: B = 104.5;  30 -> investor 15;            B = 89.5
    # t3: B = 98.45;  needs 196.9 > 150 -> inv 75;  B = 23.45
    # t4: B = 25.795; needs 51.59 <= 100 -> inv 25.795 + 0.1 * (100 - 51.59) = 30.636
    #     host = 100 - 30.636 = 69.364; B = 0 -> recovered_at = 4
    res = waterfall([-100, 30, 30, 150, 100], DealTerms(deemed_rate=0.10))
    np.testing.assert_allclose(res.investor, [-100, 15, 15, 75, 30.636], rtol=1e-12)
    np.testing.assert_allclose(res.host, [0, 15, 15, 75, 69.364], rtol=1e-12)
    assert res.balance is not None
    np.testing.assert_allclose(res.balance, [100, 95, 89.5, 23.45, 0], rtol=1e-12, atol=1e-12)
    assert int(res.recovered_at) == 4
    # the same via the per-call override
    res2 = waterfall([-100, 30, 30, 150, 100], DealTerms(), deemed_rate=0.10)
    np.testing.assert_array_equal(res2.investor, res.investor)


def test_capital_call_reopens_first_tier() -> None:
    # t1: B = 100 cleared by 200 of the 300: investor 100 + 0.1 * 100 = 110.
    # t2: a call of 50 raises B to 50 (reopens 50/50).
    # t3: 0.5 * 100 = 50 clears B exactly: investor 50, host 50.
    # A cumulative-sum closed form would pay 10/90 in t3.
    res = waterfall([-100, 300, -50, 100], DealTerms())
    np.testing.assert_allclose(res.investor, [-100, 110, -50, 50])
    np.testing.assert_allclose(res.host, [0, 190, 0, 50])
    assert int(res.recovered_at) == 1  # the FIRST recovery


def test_hand_example_scheduled() -> None:
    # r = 10%, N = 4, 50/50 then 90/10.
    # t0: call 100 -> P = 100 (schedule not started).
    # t1: first positive cash; start, n = 4: due = 0.1*100 + 100/4 = 35; P = 75.
    #     60 < 2*35 -> investor 30, arrears A = 5.                     balance 80
    # t2: n = 3: due = 0.1*75 + 75/3 + 1.1*5 = 7.5 + 25 + 5.5 = 38; P = 50.
    #     100 >= 76 -> investor 38 + 0.1*(100 - 76) = 40.4, A = 0.    balance 50
    # t3: n = 2: due = 5 + 25 = 30; P = 25. 20 < 60 -> investor 10, A = 20. balance 45
    # t4: n = 1: due = 2.5 + 25 + 1.1*20 = 49.5; P = 0.
    #     80 < 99 -> investor 40, A = 9.5.                             balance 9.5
    # t5: n = max(0, 1): due = 1.1*9.5 = 10.45; 100 >= 20.9 ->
    #     investor 10.45 + 0.1*(100 - 20.9) = 18.36, A = 0 -> recovered_at = 5
    terms = DealTerms(deemed_rate=0.1, reading="scheduled", amortisation_periods=4)
    net = [-100, 60, 100, 20, 80, 100]
    res = waterfall(net, terms)
    np.testing.assert_allclose(res.investor, [-100, 30, 40.4, 10, 40, 18.36], rtol=1e-12)
    np.testing.assert_allclose(res.host, [0, 30, 59.6, 10, 40, 81.64], rtol=1e-12)
    assert res.balance is not None
    np.testing.assert_allclose(res.balance, [100, 80, 50, 45, 9.5, 0], rtol=1e-12, atol=1e-12)
    assert int(res.recovered_at) == 5
    # The aggregate reading on the same cash differs in t2 (the whole balance is due):
    # B = 88, 100 < 176 -> investor 50.
    agg = waterfall(net, dataclasses.replace(terms, reading="aggregate"))
    assert agg.investor[2] == pytest.approx(50.0)


def test_scheduled_construction_then_late_call() -> None:
    # r = 0, N = 2.
    # t0, t1: calls 10 + 10 -> P = 20. t2: start, n = 2: due = 10, P = 10; 100 -> investor
    # 10 + 0.1*80 = 18. t3: call 6 while due = 10/1 = 10 -> arrears 10, P = 0 + 6 = 6.
    # t4: n = max(2 - 2, 1) = 1: due = 6 + 10 = 16; 40 >= 32 -> investor 16 + 0.8 = 16.8.
    terms = DealTerms(reading="scheduled", amortisation_periods=2)
    res = waterfall([-10, -10, 100, -6, 40], terms)
    np.testing.assert_allclose(res.investor, [-10, -10, 18, -6, 16.8])
    assert res.balance is not None
    np.testing.assert_allclose(res.balance, [10, 20, 10, 16, 0])
    assert int(res.recovered_at) == 4


def test_never_recovered_and_nothing_to_recover() -> None:
    res = waterfall([[-100, 10, 10], [5, 10, 0]], DealTerms.japan_2025())
    np.testing.assert_array_equal(res.recovered_at, [-1, -1])
    # no capital ever called: everything is split share_after from the start
    np.testing.assert_allclose(res.investor[1], [0.5, 1.0, 0.0])


# --- properties ------------------------------------------------------------------------

cash = st.one_of(
    st.integers(-100, 100).map(float),  # integers make exact ties (c == 2 B) likely
    st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, width=64),
)
shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6)
terms_st = st.builds(
    DealTerms,
    share_before=st.sampled_from([0.5, 1.0, 0.3, 0.75]),
    share_after=st.sampled_from([0.1, 0.0, 0.5, 1.0]),
    reading=st.sampled_from(["aggregate", "scheduled"]),
    amortisation_periods=st.integers(1, 6),
)
rate_el = st.one_of(st.just(0.0), st.floats(-0.5, 0.5), st.sampled_from([0.055, 0.1]))


class Case(NamedTuple):
    """A drawn case: flows, terms, and the ``deemed_rate`` to pass (None: the terms')."""

    net: NDArray[np.float64]
    terms: DealTerms
    rates: object


@st.composite
def cases(draw: st.DrawFn) -> Case:
    shape = draw(shapes)
    net = draw(hnp.arrays(np.float64, shape, elements=cash))
    terms = draw(terms_st)
    kind = draw(st.sampled_from(["terms", "scalar", "per-scenario"]))
    if kind == "terms":
        terms = dataclasses.replace(terms, deemed_rate=draw(rate_el))
        rates: object = None
    elif kind == "scalar":
        rates = draw(rate_el)
    else:
        rates = draw(hnp.arrays(np.float64, shape[:-1], elements=rate_el))
    return Case(net, terms, rates)


@settings(max_examples=300, deadline=None)
@given(cases())
def test_batch_equals_loop_and_conserves(case: Case) -> None:
    net, terms, rates = case
    before = net.copy()
    res = waterfall(net, terms, deemed_rate=rates)  # type: ignore[arg-type]
    np.testing.assert_array_equal(net, before)  # input untouched
    assert res.investor.shape == res.host.shape == net.shape
    assert res.recovered_at.shape == net.shape[:-1]
    assert res.investor.dtype == res.host.dtype == np.float64
    assert res.recovered_at.dtype == np.int64
    assert_matches_reference(res, net, terms, terms.deemed_rate if rates is None else rates)
    # conservation, to float rounding
    scale = max(1.0, float(np.abs(net).max()))
    np.testing.assert_allclose(res.investor + res.host, net, rtol=0, atol=4e-16 * scale)
    # capital-call periods: the investor pays it all, the host gets nothing
    neg = net < 0
    np.testing.assert_array_equal(res.investor[neg], net[neg])
    np.testing.assert_array_equal(res.host[neg], 0.0)
    # distributable periods: the investor's share lies between the two tier shares
    pos = ~neg
    lo = min(terms.share_before, terms.share_after)
    hi = max(terms.share_before, terms.share_after)
    tol = 1e-12 * scale
    assert np.all(res.investor[pos] >= lo * net[pos] - tol)
    assert np.all(res.investor[pos] <= hi * net[pos] + tol)
    assert res.balance is not None
    assert np.all(res.balance >= 0.0)


def test_batch_equals_loop_across_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    # several internal blocks (the last one short), per-scenario rates, both readings
    monkeypatch.setattr(wf_module, "_BLOCK", 1000)
    rng = np.random.default_rng(20250904)
    S, T = 5003, 25
    net = rng.normal(5.0, 20.0, size=(S, T))
    net[:, :3] = -rng.uniform(10, 100, size=(S, 3))  # construction
    rates = rng.uniform(0.0, 0.12, size=S)
    for reading in ("aggregate", "scheduled"):
        terms = DealTerms.japan_2025(reading=reading)
        res = waterfall(net, terms, deemed_rate=rates)
        assert_matches_reference(res, net, terms, rates)
        assert (res.recovered_at >= 0).any() and (res.recovered_at < 0).any()
        lean = waterfall(net, terms, deemed_rate=rates, keep_balance=False)
        np.testing.assert_array_equal(lean.investor, res.investor)
        np.testing.assert_array_equal(lean.recovered_at, res.recovered_at)


@settings(max_examples=150, deadline=None)
@given(cases(), st.floats(0.1, 1.0))
def test_equal_shares_split_proportionally(case: Case, share: float) -> None:
    net, terms, rates = case
    terms = dataclasses.replace(terms, share_before=share, share_after=share)
    res = waterfall(net, terms, deemed_rate=rates)  # type: ignore[arg-type]
    expected = share * np.maximum(net, 0.0) + np.minimum(net, 0.0)
    np.testing.assert_allclose(res.investor, expected, rtol=1e-12, atol=1e-9)


@settings(max_examples=150, deadline=None)
@given(
    hnp.arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 12)), elements=cash),
    st.floats(0.0, 0.3),
    st.floats(0.0, 0.3),
    st.sampled_from(["aggregate", "scheduled"]),
)
def test_higher_deemed_rate_never_lowers_investor_receipts(
    net: NDArray[np.float64], r1: float, r2: float, reading: str
) -> None:
    # share_before >= share_after: a larger balance keeps more cash in the richer tier,
    # so every period's receipt (not just the total) is non-decreasing in the rate.
    lo, hi = sorted((r1, r2))
    terms = DealTerms(reading=reading, amortisation_periods=5)  # type: ignore[arg-type]
    a = waterfall(net, terms, deemed_rate=lo)
    b = waterfall(net, terms, deemed_rate=hi)
    tol = 1e-9 * max(1.0, float(np.abs(net).max()))
    assert np.all(b.investor >= a.investor - tol)
    assert np.all(b.investor.sum(axis=-1) >= a.investor.sum(axis=-1) - tol)


@settings(max_examples=150, deadline=None)
@given(cases())
def test_scheduled_with_one_period_equals_aggregate(case: Case) -> None:
    # amortisation over 1 period: the whole (P + A)(1 + r) is due at once = aggregate B.
    net, terms, rates = case
    terms = dataclasses.replace(terms, amortisation_periods=1)
    agg = waterfall(net, dataclasses.replace(terms, reading="aggregate"), deemed_rate=rates)  # type: ignore[arg-type]
    sch = waterfall(net, dataclasses.replace(terms, reading="scheduled"), deemed_rate=rates)  # type: ignore[arg-type]
    scale = max(1.0, float(np.abs(net).max()))
    np.testing.assert_allclose(sch.investor, agg.investor, rtol=1e-9, atol=1e-9 * scale)
    assert agg.balance is not None and sch.balance is not None
    np.testing.assert_allclose(sch.balance, agg.balance, rtol=1e-9, atol=1e-9 * scale)


@settings(max_examples=100, deadline=None)
@given(cases())
def test_leading_axes_are_independent_scenarios(case: Case) -> None:
    net, terms, rates = case
    res = waterfall(net, terms, deemed_rate=rates)  # type: ignore[arg-type]
    flat_rates = rates if rates is None or np.ndim(rates) == 0 else np.ravel(rates)  # type: ignore[arg-type]
    flat = waterfall(net.reshape(-1, net.shape[-1]), terms, deemed_rate=flat_rates)  # type: ignore[arg-type]
    np.testing.assert_array_equal(res.investor.reshape(flat.investor.shape), flat.investor)
    np.testing.assert_array_equal(res.recovered_at.reshape(-1), flat.recovered_at)


def test_keep_balance_false() -> None:
    net = np.array([[-100.0, 30, 30, 150], [-5, 1, 2, 3]])
    full = waterfall(net, DealTerms.japan_2025())
    lean = waterfall(net, DealTerms.japan_2025(), keep_balance=False)
    assert lean.balance is None
    np.testing.assert_array_equal(lean.investor, full.investor)
    np.testing.assert_array_equal(lean.recovered_at, full.recovered_at)


def test_rate_broadcasts_over_leading_axes() -> None:
    net = np.tile([-100.0, 30, 30, 150, 100], (2, 3, 1))
    res = waterfall(net, DealTerms(), deemed_rate=[0.0, 0.1, 0.2])  # shape (3,) -> (2, 3)
    assert res.investor[1, 1, -1] == pytest.approx(30.636)
    np.testing.assert_array_equal(res.investor[0], res.investor[1])
    assert res.investor[0, 2, -1] > res.investor[0, 1, -1] > res.investor[0, 0, -1]


def test_result_is_frozen() -> None:
    res = waterfall([-1.0, 3.0], DealTerms())
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.investor = res.host  # type: ignore[misc]


# --- errors name the argument ---------------------------------------------------------


def test_nan_net_cash() -> None:
    message = r"net_cash must be finite; got .*nan.* at index \(1,\)"
    with pytest.raises(InvalidCashflowsError, match=message):
        waterfall([-1.0, float("nan")], DealTerms())


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        # one rate validator (dealsim.common.validate) for every rate: same wording as npv's
        ([0.05, -1.5], r"deemed_rate must be in \(-1, inf\]; got -1.5"),
        ([0.05, float("nan")], r"deemed_rate must be finite; got \[0.05, nan\]"),
        (
            [0.05, 0.05, 0.05],
            r"deemed_rate must be a scalar or broadcastable .* \(2,\); got shape \(3,\)",
        ),
        (-1.0, r"deemed_rate must be a decimal rate > -1; got -1.0"),
        ("abc", r"deemed_rate must be real numbers, not str; got 'abc'"),
    ],
)
def test_bad_deemed_rate(rate: object, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        waterfall([[-1.0, 3.0], [-1.0, 3.0]], DealTerms(), deemed_rate=rate)  # type: ignore[arg-type]


def test_terms_must_be_dealterms() -> None:
    with pytest.raises(InvalidParameterError, match="terms must be a DealTerms; got dict"):
        waterfall([-1.0, 3.0], {"share_before": 0.5})  # type: ignore[arg-type]


def test_scheduled_negative_rate_floors_installment_at_zero() -> None:
    # r = -50%, N = 3: t1 starts the schedule with P = 1: r*P + P/3 = -0.5 + 0.333 < 0,
    # so nothing is due (floor at 0); all of the 1 splits 90/10 -> investor 0.1.
    # P = 1 - 1/3 = 0.667 stays outstanding.
    terms = DealTerms(deemed_rate=-0.5, reading="scheduled", amortisation_periods=3)
    res = waterfall([-1.0, 1.0], terms)
    np.testing.assert_allclose(res.investor, [-1.0, 0.1])
    assert res.balance is not None
    np.testing.assert_allclose(res.balance, [1.0, 2 / 3])
