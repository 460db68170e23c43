"""IRR against the peers' own test cases, root selection, scale invariance and edge
numerics, on both backends (the numpy path and the compiled one), single rows and
batches."""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dealsim.errors import InvalidParameterError
from dealsim.finance.metrics import irr, npv
from dealsim.kernels import irr_core as _irr_core
from dealsim.kernels.irr import IrrStatus

try:
    from dealsim.kernels import irr_numba as _irr_numba
except ImportError:  # pragma: no cover - numba is part of the test environment
    _irr_numba = None  # type: ignore[assignment]

BACKENDS = ["numpy", pytest.param("numba", marks=pytest.mark.skipif(
    _irr_numba is None, reason="numba not installed"))]
FOUND = (IrrStatus.CONVERGED, IrrStatus.MULTIPLE_ROOTS)


def batch(rows: list[list[float]]) -> np.ndarray:
    """Rows of different lengths as one batch: trailing zero periods change no root."""
    out = np.zeros((len(rows), max(len(r) for r in rows)))
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out


# ---------------------------------------------------------------------------------------
# The peers' single-root cases (flows that change sign once: exactly one root).

# pyxirr tests/test_periodic.rs (github.com/Anexen/pyxirr, 2025-11), test_irr_works,
# test_irr_equal_payments, test_irr_special_cases and test_gh_46: every case whose flows
# change sign once, with pyxirr's expected value (its tests use |diff| < 1e-9).
PYXIRR_SINGLE = [
    ([-100.0, 39.0, 59.0, 55.0, 20.0], 0.28094842116),
    ([-100.0, 0.0, 0.0, 74.0], -0.09549583034),
    ([-161445.03, 2113.73, 7626.73, 8619.84, 8612.92], -0.43658134635),
    ([-150000.0, 15000.0, 25000.0, 35000.0, 45000.0, 60000.0], 0.05243288885),
    ([-100.0, 100.0, 0.0, 7.0], 0.06205848562),
    ([-40000.0, 5000.0, 8000.0, 12000.0, 30000.0], 0.1058225984),
    ([-10.0, 2.0, 2.0, 2.0, 2.0], -0.08364541746615073),
    ([-5099701.25, -22503.796875, -22503.79296875, -22503.79296875, -20907.26171875,
      -17899.7421875, -17899.7421875, -17899.7421875, -14660.69140625, -12447.80078125,
      -12447.796875, -12018.1640625, -5991.81640625, -5991.81640625, -5991.81640625,
      -2885.875, 1653.125, 1653.125, 1653.125, 8307.328125, 11110408.45703125],
     0.038039605693757084),
    ([87.17] * 5 + [-86.43], -0.49367042606),
    ([-87.17] * 180 + [5809.3], -0.01352676905),
    ([-172545.848122807] + [787.735232517999] * 480, 0.0038401048),
    # pyxirr issue 56
    ([0.0, -54163.55222425675, -15411.724067521238, 11824.611799779348,
      13831.220768857136, 24713.445277451923, 42399.405170720645, 32779.24733697434,
      29832.522397937253, 21750.50072725094, 20140.886499523196, 18357.799360554745,
      10074.662845544659], 0.235461374465902),
    # pyxirr issue 46
    ([-1.44852555e+08, 1.28859998e+06, 1.27305118e+06, 1.25407349e+06, 1.24199669e+06,
      1.22647792e+06, 1.21095552e+06, 1.19206955e+06, 1.17989821e+06, 1.16436524e+06,
      1.14883185e+06, 1.12945217e+06, 1.11780102e+06, 1.10228427e+06, 1.08671783e+06,
      1.06755759e+06, 1.05502327e+06, 1.03885451e+06, 1.02247003e+06, 1.00227444e+06,
      9.88024873e+05], -0.138541274008),
    ([-1.44852555e+08, 1.41881733e+06, 1.40267049e+06, 1.38296290e+06, 1.37042160e+06,
      1.35430596e+06, 1.33818655e+06, 1.31857419e+06, 1.30593472e+06, 1.28980433e+06,
      1.27367350e+06, 1.25354845e+06, 1.24144917e+06, 1.22533563e+06, 1.20917048e+06,
      1.18927331e+06, 1.17625690e+06, 1.15946627e+06, 1.14245161e+06, 1.12147927e+06,
      1.10668164e+06], -0.13209372260468),
]

# numpy-financial 1.1.0 numpy_financial/tests/test_financial.py, class TestIrr: every
# case whose flows change sign once. Their published values are rounded (the tests use
# rtol=1e-2), so the value is checked to its printed digits, and to 1e-8 against
# numpy-financial's own computation (np.roots) where numpy-financial 1.0 can compute it.
NPF_SINGLE = [
    ([-150000, 15000, 25000, 35000, 45000, 60000], 0.0524, 5e-5),  # test_basic_values
    ([-100, 0, 0, 74], -0.0955, 5e-5),  # test_basic_values
    ([-100, 39, 59, 55, 20], 0.28095, 5e-6),  # test_basic_values
    ([-100, 100, 0, 7], 0.06206, 5e-6),  # test_basic_values
    # test_gh_15 (31 periods down to 1e-313: the root is 9.4e-10 above -1); desired
    # -0.9999999990596069 with rtol=1e-9; numpy-financial 1.0's np.roots fails on it
    ([-3000.0, 2.3926932267015667e-07, 4.1672087103345505e-16, 5.3965110036378706e-25,
      5.1962551071806174e-34, 3.7202955645436402e-43, 1.9804961711632469e-52,
      7.8393517651814181e-62, 2.3072565113911438e-71, 5.0491839233308912e-81,
      8.2159177668499263e-91, 9.9403244366963527e-101, 8.942410813633967e-111,
      5.9816122646481191e-121, 2.9750309031844241e-131, 1.1002067043497954e-141,
      3.0252876563518021e-152, 6.1854121948207909e-163, 9.4032980015353301e-174,
      1.0629218520017728e-184, 8.9337141847171845e-196, 5.5830607698467935e-207,
      2.5943122036622652e-218, 8.9635842466507006e-230, 2.3027710094332358e-241,
      4.3987510596745562e-253, 6.2476630372575209e-265, 6.598046841695288e-277,
      5.1811095266842017e-289, 3.0250999925830644e-301, 1.3133070599585015e-313],
     -0.9999999990596069, 1e-9),
]

# numpy-financial's gh-39 (test_gh_39): 27 periods, flows change sign twice
GH39 = [
    -217500.0, -217500.0, 108466.80462450592, 101129.96439328062, 93793.12416205535,
    86456.28393083003, 79119.44369960476, 71782.60346837944, 64445.76323715414,
    57108.92300592884, 49772.08277470355, 42435.24254347826, 35098.40231225296,
    27761.56208102766, 20424.721849802358, 13087.88161857707, 5751.041387351768,
    -1585.7988438735192, -8922.639075098821, -16259.479306324123, -23596.31953754941,
    -30933.159768774713, -38270.0, -45606.8402312253, -52943.680462450604,
    -60280.520693675906, -67617.36092490121,
]

# Rows with several real roots: (flows, published answer, tolerance, root closest to 0).
# The published answers are those of numpy-financial 1.1 (test_financial.py), pyxirr
# (test_periodic.rs, test_irr_special_cases / test_irr_equal_payments) and, for gh-44,
# Google Sheets; they all follow numpy-financial 1.1's default rule.
MULTI = [
    (GH39, 0.12, 1e-7, -0.018096786473963844),  # npf test_gh_39: assert_allclose(0.12)
    # npf gh-44 (test_gh_44: 1.00426, rtol=1e-4); pyxirr: 1.0042698487205577
    ([-1678.87, 771.96, 1814.05, 3520.30, 3552.95, 3584.99, 4789.91, -1],
     1.0042698487205577, 1e-8, -0.9997912604283283),
    ([-1678.87, 771.96, 1814.05, 3520.30, 3552.95, 3584.99, -1.0],  # pyxirr, gh-44
     0.9688775470209261, 1e-8, 0.9688775470209261),  # closer to 0 than -0.99972
    ([-50, -100, 600, 300, -100], 1.8544178284461061, 1e-8, -0.7688954707),  # npf gh-28
    ([-100, 230, -132], 0.10, 1e-12, 0.10),  # roots 0.10 and 0.20 (npf 1.0 and 1.1)
    ([-100, 100, 0, -7], -0.08329966618, 1e-9, -0.08329966618),  # npf and pyxirr
    ([-5, 10.5, 1, -8, 1], 0.08859833852, 1e-9, 0.08859833852),  # npf and pyxirr
    ([-5, 10.5, 1, -8, 1, 0, 0, 0], 0.08859833852, 1e-9, 0.08859833852),  # trailing zeros
    ([-12138.436076306429] + [576.2077573369947] * 19 + [-528.8894576218179],
     -0.01562626238348752, 1e-9, -0.01562626238348752),  # pyxirr equal payments
    ([-10351.121144852736] + [450.71546738230256] * 19 + [-654.3817475765102],
     -0.02792064231450042, 1e-9, -0.02792064231450042),  # pyxirr equal payments
    ([-15634.416942708685] + [800.1218253156637] * 19 + [-304.9753896431489],
     -0.004883289820554082, 1e-9, -0.004883289820554082),  # pyxirr equal payments
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("flows", "expected"), PYXIRR_SINGLE)
def test_pyxirr_single_root_cases(flows: list[float], expected: float, backend: str) -> None:
    res = irr(flows, full_output=True, backend=backend)
    assert res.status == IrrStatus.CONVERGED
    assert abs(res.rate - expected) < 1e-8


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("flows", "published", "tol"), NPF_SINGLE)
def test_numpy_financial_single_root_cases(flows: list[float], published: float, tol: float,
                                           backend: str) -> None:
    res = irr(flows, full_output=True, backend=backend)
    assert res.status == IrrStatus.CONVERGED
    assert abs(res.rate - published) <= tol * max(1.0, abs(published))
    if min(abs(f) for f in flows if f) > 1e-100:  # np.roots needs no denormal help
        assert abs(res.rate - npf.irr(flows)) < 1e-8


@pytest.mark.parametrize("backend", BACKENDS)
def test_numpy_financial_npv_irr_congruence(backend: str) -> None:
    # npf test_npv_irr_congruence: npv(irr(x), x) == 0 within atol=1e-9
    cf = np.array([-40000, 5000, 8000, 12000, 30000], dtype=float)
    assert abs(npv(irr(cf, backend=backend), cf)) < 1e-9


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("flows", [(1, 2, 3), (-1, -2, -3), (40000, 5000, 8000, 12000, 30000)])
def test_numpy_financial_no_solution_is_nan(flows: tuple[int, ...], backend: str) -> None:
    # npf test_numpy_gh_6744 and test_irr_no_real_solution_exception: NaN
    res = irr(flows, full_output=True, backend=backend)
    assert np.isnan(res.rate) and res.status == IrrStatus.NO_SIGN_CHANGE


@pytest.mark.parametrize("backend", BACKENDS)
def test_peer_cases_as_one_batch(backend: str) -> None:
    rows = [f for f, _ in PYXIRR_SINGLE] + [f for f, *_ in MULTI]
    want = [e for _, e in PYXIRR_SINGLE] + [e for _, e, *_ in MULTI]
    res = irr(batch(rows), full_output=True, backend=backend)
    np.testing.assert_allclose(res.rate, want, rtol=0, atol=1e-7)
    assert (res.status[: len(PYXIRR_SINGLE)] == IrrStatus.CONVERGED).all()
    assert (res.status[len(PYXIRR_SINGLE):] == IrrStatus.MULTIPLE_ROOTS).all()


# ---------------------------------------------------------------------------------------
# Root selection


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("flows", "published", "tol", "closest"), MULTI)
def test_multiple_roots_give_the_published_answer(flows: list[float], published: float,
                                                  tol: float, closest: float,
                                                  backend: str) -> None:
    res = irr(flows, full_output=True, backend=backend)
    assert res.status == IrrStatus.MULTIPLE_ROOTS
    assert abs(res.rate - published) <= tol
    old = irr(flows, full_output=True, backend=backend, select="closest_to_zero")
    assert old.status == IrrStatus.MULTIPLE_ROOTS
    assert abs(old.rate - closest) <= 1e-9


def test_selection_rule_equals_numpy_financial_11_on_its_root_set() -> None:
    # numpy-financial 1.1.0's _irr_default_selection, written out, applied to the real
    # roots > -1 that np.roots gives: our default must pick the same root
    def npf11_select(eirr: np.ndarray) -> float:
        same_sign = np.all(eirr > 0) if eirr[0] > 0 else np.all(eirr < 0)
        if not same_sign:
            eirr = eirr[eirr >= 0]  # pos >= neg always holds when both signs occur
        return float(eirr[np.argmin(np.abs(eirr))])

    rng = np.random.default_rng(3)
    checked = 0
    for _ in range(400):
        roots = np.sort(rng.uniform(-0.85, 0.4, size=rng.integers(2, 4)))
        if np.min(np.diff(roots)) < 0.01:  # (np.roots itself is then less accurate)
            continue
        # flows with exactly these roots: p(x) = prod (x - x_k) in x = 1/(1+r)
        coef = np.poly(1 / (1 + roots))[::-1]  # c_t multiplies x**t
        g = np.roots(coef[::-1])
        real = np.real(g[np.abs(np.imag(g)) < 1e-9])
        eirr = 1 / real - 1
        eirr = eirr[eirr > -1]
        got = irr(coef, full_output=True)
        assert got.status == IrrStatus.MULTIPLE_ROOTS
        assert got.rate == pytest.approx(npf11_select(eirr), abs=1e-9)
        checked += 1
    assert checked > 300


@pytest.mark.parametrize("select", ["closest", "npf", "", "CLOSEST_TO_ZERO", True, None, 1])
def test_select_must_be_a_known_rule(select: object) -> None:
    with pytest.raises(InvalidParameterError, match="select"):
        irr([-100, 110], select=select)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------
# Scale invariance and edge numerics


@pytest.mark.parametrize("backend", BACKENDS)
def test_huge_and_tiny_rows(backend: str) -> None:
    # -1 - x + x**2 + x**3 + x**4 = 0 at x = 0.848378..., r = 0.178724...; npf 1.0 agrees
    ref = npf.irr([-1, -1, 1, 1, 1])
    assert ref == pytest.approx(0.178724, abs=1e-6)
    res = irr(np.array([-1, -1, 1, 1, 1]) * 1e308, full_output=True, backend=backend)
    assert res.status == IrrStatus.CONVERGED and abs(res.rate - ref) < 1e-14
    # subnormal flows: -a + 2a/(1+r) = 0 at r = 1 exactly
    res = irr([-5e-324, 1e-323], full_output=True, backend=backend)
    assert res.status == IrrStatus.CONVERGED and res.rate == 1.0
    res = irr([-1.7e308, 1.7e308, 1.7e308], full_output=True, backend=backend)
    assert res.rate == pytest.approx((5**0.5 - 1) / 2, rel=1e-14)  # x**2 + x - 1 = 0


rows_el = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=150, deadline=None)
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(2, 12)), elements=rows_el),
       st.integers(-60, 60), st.sampled_from(["nonnegative_first", "closest_to_zero"]))
def test_property_scaling_a_row_by_a_power_of_two_changes_nothing(
        cf: np.ndarray, k: int, select: str) -> None:
    scaled = np.ldexp(cf, k)
    assume(np.array_equal(np.ldexp(scaled, -k), cf))  # the scaling itself was exact
    for backend in ("numpy", "numba") if _irr_numba is not None else ("numpy",):
        a = irr(cf, full_output=True, backend=backend, select=select)
        b = irr(scaled, full_output=True, backend=backend, select=select)
        np.testing.assert_array_equal(a.status, b.status)
        np.testing.assert_array_equal(a.rate, b.rate)


@settings(max_examples=150, deadline=None)
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(2, 15)),
                  elements=st.floats(-1e300, 1e300) | st.floats(-1e-300, 1e-300)))
def test_property_converged_rate_is_a_root_at_any_magnitude(cf: np.ndarray) -> None:
    # rows spanning 600 orders of magnitude: a rate under a found status is a root of the
    # row (checked on the row scaled to its largest flow), never a wrong number
    res = irr(cf, full_output=True)
    big = np.max(np.abs(cf), axis=1, keepdims=True)
    with np.errstate(under="ignore"):
        unit = cf / np.where(big > 0, big, 1.0)
    for i, row in enumerate(unit):
        if res.status[i] in FOUND:
            r = float(res.rate[i])
            assert r > -1.0
            with np.errstate(under="ignore", over="ignore"):
                terms = row * (1.0 + r) ** -np.arange(row.size, dtype=float)
            if np.isfinite(terms).all():
                scale = np.abs(terms).sum()
                ulp_effect = row.size * np.spacing(max(1.0, abs(r))) / (1.0 + r)
                # (+ subnormal steps: a term below 1e-308 is exact to 5e-324 only)
                subnormal = 4 * 5e-324 * (1.0 + float(np.abs(row).sum()))
                assert abs(terms.sum()) <= (1e-10 + 4 * ulp_effect) * scale + subnormal
        else:
            assert np.isnan(res.rate[i])


# ---------------------------------------------------------------------------------------
# The two backends, the rows and the threads


@pytest.mark.skipif(_irr_numba is None, reason="numba not installed")
@pytest.mark.parametrize("select", ["nonnegative_first", "closest_to_zero"])
def test_backends_agree_on_every_kind_of_row(select: str) -> None:
    rng = np.random.default_rng(11)
    n = 3000
    cf = rng.normal(size=(n, 30))  # many sign changes: the grid path
    cf[:1000, :3] = -np.abs(cf[:1000, :3]) * 10  # investment, then mixed
    cf[1000:2000] = np.abs(cf[1000:2000])  # one-signed
    cf[1000:2000, :rng.integers(1, 10)] *= -1  # ... then one sign change
    cf[2000:2100] = np.abs(cf[2000:2100])  # no sign change
    cf[2100:2200] *= 10.0 ** rng.integers(-300, 300, size=(100, 1))  # any magnitude
    a = irr(cf, full_output=True, backend="numpy", select=select)
    b = irr(cf, full_output=True, backend="numba", select=select)
    np.testing.assert_array_equal(a.status, b.status)
    np.testing.assert_allclose(a.rate, b.rate, rtol=1e-12, atol=1e-13)
    assert len(set(a.status.tolist())) >= 4


@pytest.mark.parametrize("backend", BACKENDS)
def test_result_of_a_row_does_not_depend_on_the_batch_or_threads(backend: str) -> None:
    # more rows than two threads' worth: the threaded split runs; row i must be
    # bit-identical to row i solved alone or in another batch
    from dealsim.kernels import irr as metrics

    rng = np.random.default_rng(2)
    n = 2 * metrics._ROWS_PER_THREAD + 17
    cf = rng.uniform(0.05, 0.2, size=(n, 25))
    cf[:, :3] = -rng.uniform(0.5, 1.5, size=(n, 3))
    cf[::7, -1] = -3.0  # a second sign change: the grid path
    cf[::11] *= -1.0  # a loan: money in, then out
    whole = irr(cf, full_output=True, backend=backend)
    for i in rng.choice(n, 40, replace=False):
        one = irr(cf[i], full_output=True, backend=backend)
        assert one.status == whole.status[i]
        assert one.rate == whole.rate[i] or (np.isnan(one.rate) and np.isnan(whole.rate[i]))
    part = irr(cf[5:3000], full_output=True, backend=backend)
    np.testing.assert_array_equal(part.rate, whole.rate[5:3000])
    np.testing.assert_array_equal(part.status, whole.status[5:3000])


@pytest.mark.skipif(_irr_numba is None, reason="numba not installed")
def test_core_row_driver_runs_as_plain_python_too() -> None:
    # the compiled per-row entry is dealsim.kernels.irr_core.irr_row itself; run uncompiled it
    # must give the same answers (one source, two executions)
    cf = batch([f for f, _ in PYXIRR_SINGLE[:6]] + [f for f, *_ in MULTI[:6]]
               + [[100, -300, 250], [0, 0, 0], [1, 2, 3]])
    mat = _irr_core.grid_matrix(cf.shape[1])
    vals, coef = np.empty(_irr_core.NCOL), np.empty(cf.shape[1])
    for closest in (False, True):
        ref = irr(cf, full_output=True, backend="numba",
                  select="closest_to_zero" if closest else "nonnegative_first")
        for i, row in enumerate(cf):
            rate, status = _irr_core.irr_row(row, mat, vals, coef, closest)
            compiled = _irr_numba.irr_row(row, mat, vals, coef, closest)
            assert int(status) == ref.status[i] == int(compiled[1])
            np.testing.assert_allclose(float(rate), ref.rate[i], rtol=1e-13, atol=1e-15)
            assert float(rate) == compiled[0] or np.isnan(compiled[0])


# ---------------------------------------------------------------------------------------
# The numpy path's vectorised forms of the shared steps


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 70), st.integers(1, 9), st.integers(0, 2**32 - 1))
def test_property_stacked_horner_chains_are_the_core_horner_bit_for_bit(
        n_periods: int, n_rows: int, seed: int) -> None:
    # the numpy path runs dealsim.kernels.irr_core.horner's four chains as the rows of one
    # (4, n) array (top group completed with zeros); it must give the very same bits as
    # the core function run row by row in plain Python (the compiled path's code)
    from dealsim.kernels import irr as metrics

    rng = np.random.default_rng(seed)
    coef = rng.normal(size=(n_periods, n_rows)) * 10.0 ** rng.integers(-3, 4, n_periods)[:, None]
    z = rng.uniform(0.0, 1.0, n_rows)
    z[: min(2, n_rows)] = (0.0, 1.0)[: min(2, n_rows)]  # the ends of the bracket too
    groups = -(-n_periods // 4)
    stacked = np.zeros((4 * groups, n_rows))
    stacked[4 * groups - n_periods:] = coef
    f, d = metrics._horner_groups(stacked.reshape(groups, 4, n_rows), z)
    for i in range(n_rows):
        fi, di = _irr_core.horner(coef[:, i], z[i])
        assert f[i] == fi and d[i] == di


@settings(max_examples=80, deadline=None)
@given(hnp.arrays(np.int8, st.tuples(st.integers(1, 30), st.integers(1, 140)),
                  elements=st.integers(-1, 1)))
def test_property_last_true_is_the_reversed_argmax(signs: np.ndarray) -> None:
    # the word-wise search for the last flow of a sign equals the plain reversed scan
    from dealsim.kernels import irr as metrics

    cf = signs.astype(np.float64)
    for compare in (np.greater, np.less):
        mask = compare(cf, 0.0)
        has = mask.any(axis=1)
        want = cf.shape[1] - 1 - np.argmax(mask[:, ::-1], axis=1)
        got = metrics._last_true(metrics._padded_mask(cf, compare).view("<u8"))
        np.testing.assert_array_equal(got[has], want[has])
