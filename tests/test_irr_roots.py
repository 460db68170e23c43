"""IRR of rows whose flows change sign more than once: every real root is isolated, so
the rate under CONVERGED / MULTIPLE_ROOTS is the selection rule's root, never another
one; an undecidable cluster is AMBIGUOUS. Checked against roots written into the flows,
against numpy.roots on the polynomial in x = 1/(1+r), and across the two backends."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dealsim.finance.metrics import irr
from dealsim.kernels import irr_roots as _irr_roots
from dealsim.kernels.irr import IrrStatus

try:
    from dealsim.kernels import irr_numba as _irr_numba
except ImportError:  # pragma: no cover - numba is part of the test environment
    _irr_numba = None  # type: ignore[assignment]

BACKENDS = ["numpy", pytest.param("numba", marks=pytest.mark.skipif(
    _irr_numba is None, reason="numba not installed"))]
BOTH = ("numpy", "numba") if _irr_numba is not None else ("numpy",)
SELECT = ("nonnegative_first", "closest_to_zero")


def flows_with_roots(rates: list[float], extra: np.ndarray | None = None) -> np.ndarray:
    """Flows whose NPV has exactly the real roots ``rates`` (> -1): the polynomial
    ``prod (x - x_k)`` in x = 1/(1+r), times ``extra`` (coefficients > 0, lowest power
    first: no root at x > 0 by Descartes' rule of signs). ``c_t`` multiplies x**t."""
    poly = np.poly(1.0 / (1.0 + np.asarray(rates, dtype=float)))[::-1]
    if extra is not None:
        poly = np.convolve(poly, extra)
    return poly


def rule(rates: np.ndarray, closest: bool) -> float:
    """numpy-financial 1.1's default rule (or 1.0's closest to zero) on a root set."""
    if rates.size == 0:
        return float("nan")
    if closest:
        return float(rates[np.argmin(np.abs(rates))])
    nonneg = rates[rates >= 0]
    return float(nonneg.min() if nonneg.size else rates.max())


# ---------------------------------------------------------------------------------------
# The reviewer's cases: two or three roots inside what was one cell of the rate grid


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("rates", "want", "tol"), [
    ([0.03, 0.04, 0.30], 0.03, 1e-10),  # the grid gave 0.30, CONVERGED
    ([0.031, 0.032, 0.033], 0.031, 1e-8),  # the grid gave 0.033, CONVERGED
    ([0.0107, 0.02, -0.9355], 0.0107, 1e-10),  # a pair in [0, 0.025) and a root near -1
    ([-0.30, -0.29, -0.05, -0.049], -0.049, 1e-9),  # no root >= 0: the one nearest 0
    ([0.1, 0.2], 0.1, 1e-12),  # numpy-financial: [-100, 230, -132] scaled
])
@pytest.mark.parametrize("select", SELECT)
def test_close_roots_give_the_rules_root(rates: list[float], want: float, tol: float,
                                         backend: str, select: str) -> None:
    # (for these root sets both rules pick the same root)
    cf = flows_with_roots(rates)
    res = irr(cf, full_output=True, backend=backend, select=select)
    assert res.status == IrrStatus.MULTIPLE_ROOTS
    assert abs(res.rate - want) <= tol
    # the same roots in 40 periods: times a polynomial with positive coefficients
    extra = np.random.default_rng(7).uniform(0.1, 1.0, 40 - len(rates))
    res = irr(flows_with_roots(rates, extra), full_output=True, backend=backend,
              select=select)
    assert res.status == IrrStatus.MULTIPLE_ROOTS
    assert abs(res.rate - want) <= 10 * tol


@pytest.mark.parametrize("backend", BACKENDS)
def test_random_forty_period_row_whose_pair_near_zero_the_grid_missed(backend: str) -> None:
    # default_rng(0).normal(size=(5000, 40)), row 1952: roots -0.2435, 0.1334, 0.1491
    # (numpy.roots); the pair shared the grid cell [0.125, 0.15) and the grid path
    # returned -0.2435 marked CONVERGED
    row = np.random.default_rng(0).normal(size=(1953, 40))[1952]
    g = np.roots(row[::-1])
    x = np.real(g[np.abs(g.imag) < 1e-12])
    rates = np.sort(1.0 / x[x > 0] - 1.0)
    np.testing.assert_allclose(rates, [-0.24346218, 0.13338237, 0.14909278], atol=1e-8)
    res = irr(row, full_output=True, backend=backend)
    assert res.status == IrrStatus.MULTIPLE_ROOTS
    assert abs(res.rate - rates[1]) < 1e-10
    res = irr(row, full_output=True, backend=backend, select="closest_to_zero")
    assert abs(res.rate - rates[1]) < 1e-10  # 0.133 is closer to zero than -0.243


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("select", SELECT)
def test_double_root_that_the_rule_picks_is_ambiguous(backend: str, select: str) -> None:
    # -100 + 220 x - 121 x**2 = -(10 - 11 x)**2: a double root at r = 0.1; rounding
    # decides whether it is two roots or none: not a rate to mark CONVERGED
    res = irr([-100.0, 220.0, -121.0], full_output=True, backend=backend, select=select)
    assert res.status == IrrStatus.AMBIGUOUS and np.isnan(res.rate)
    # a double root farther out than a simple one does not matter to the rule
    cf = np.convolve(flows_with_roots([0.1]), flows_with_roots([0.5, 0.5]))
    res = irr(cf, full_output=True, backend=backend, select=select)
    assert res.status == IrrStatus.MULTIPLE_ROOTS and abs(res.rate - 0.1) < 1e-12


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("flows", "rate", "status"), [
    ([-1.0, 3.0, -2.0], 0.0, IrrStatus.MULTIPLE_ROOTS),  # roots 0 and 1 (x = 1/2)
    ([1.0, -2.0, 1.0], 0.0, IrrStatus.CONVERGED),  # double root at 0: one root, twice
    ([-1.0, 2.0, -2.0, 1.0], 0.0, IrrStatus.CONVERGED),  # (1 - x)(x**2 - x + 1): only 0
    ([1.0, -3.0, 3.0], np.nan, IrrStatus.NO_ROOT_FOUND),  # 3x**2 - 3x + 1 has no real root
    ([-1.0, 3.0, -3.0, 1.0], 0.0, IrrStatus.CONVERGED),  # -(1 - x)**3: triple at 0
    ([-1.0, 4.0, -5.0, 2.0], 0.0, IrrStatus.MULTIPLE_ROOTS),  # (x-1)**2 (2x-1): 0 twice, 1
    ([-8.0, 12.0, -6.0, 1.0], np.nan, IrrStatus.AMBIGUOUS),  # (x - 2)**3: r = -0.5 thrice
])
def test_roots_at_zero_and_rows_without_a_real_root(flows: list[float], rate: float,
                                                    status: IrrStatus, backend: str) -> None:
    res = irr(flows, full_output=True, backend=backend)
    assert res.status == status
    np.testing.assert_equal(res.rate, rate)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("tiny", [2.2e-309, 1e-300, 1e-200])
def test_flows_spanning_hundreds_of_orders_without_a_real_root(tiny: float,
                                                               backend: str) -> None:
    # -1 + tiny x - 5e50 x**2 - x**3 ... : negative for every x > 0 (the tiny inflow
    # cannot beat -1 - 5e50 x**2: 4 * 5e50 > tiny**2); near x = 0 the polynomial is
    # 50 orders below its largest coefficient, where a bound relative to the whole row
    # would have seen an undecidable cluster
    row = np.full(23, -1.0)
    row[1], row[2] = tiny, -5.04774552e50
    res = irr(row, full_output=True, backend=backend)
    assert res.status == IrrStatus.NO_ROOT_FOUND and np.isnan(res.rate)
    # and a root far out is found: -1 + 3e8 x - x**2 - x**3 is zero at x ~ 3.3e-9
    # (r ~ 3e8, the rule's) and x ~ 17320 (r ~ -0.99994)
    row = np.array([-1.0, 3e8, -1.0, -1.0])
    res = irr(row, full_output=True, backend=backend)
    x = np.roots(row[::-1])
    x = np.real(x[(np.abs(x.imag) < 1e-12) & (x.real > 0)])
    assert res.status == IrrStatus.MULTIPLE_ROOTS
    assert res.rate == pytest.approx(rule(1.0 / x - 1.0, False), rel=1e-12)


# ---------------------------------------------------------------------------------------
# Against an independent root finder: numpy.roots (companion-matrix eigenvalues)


def np_roots_rates(row: np.ndarray) -> tuple[np.ndarray, float]:
    """Real roots r > -1 of a row by numpy.roots on the polynomial in x (without the
    powers of x that divide it), and the smallest distance from a root in the
    right half-plane (Re x > 0) to any other root: how well separated they are."""
    nz = np.flatnonzero(row)
    coef = row[nz[0]: nz[-1] + 1]
    x = np.roots(coef[::-1]) if coef.size > 1 else np.array([])
    scale = np.maximum(1.0, np.abs(x))
    real = np.abs(x.imag) <= 1e-9 * scale
    xr = np.real(x[real])
    rates = np.sort(1.0 / xr[xr > 0] - 1.0)
    sep = np.inf
    near = x[(x.real > -1e-3)]
    for a, b in itertools.combinations(range(x.size), 2):
        if x[a] in near or x[b] in near:
            sep = min(sep, abs(x[a] - x[b]) / max(1.0, abs(x[a])))
    # a complex pair close to the positive real axis: rounding could make it real
    for z in near[~np.isin(near, x[real])]:
        sep = min(sep, abs(z.imag) / max(1.0, abs(z)))
    return rates, sep


rows_multi = hnp.arrays(np.float64, st.integers(3, 24),
                        elements=st.floats(-100, 100, allow_nan=False).map(
                            lambda v: round(v, 2)))


@settings(max_examples=300, deadline=None)
@given(rows_multi, st.sampled_from(SELECT))
def test_property_rate_and_status_equal_numpy_roots_with_the_rule(row: np.ndarray,
                                                                  select: str) -> None:
    signs = np.sign(row[row != 0])
    assume(np.count_nonzero(np.diff(signs)) >= 2)  # several sign changes
    rates, sep = np_roots_rates(row)
    assume(sep > 1e-4)  # roots well separated: numpy.roots is then accurate too
    want = rule(rates, select == "closest_to_zero")
    for backend in BOTH:
        res = irr(row, full_output=True, backend=backend, select=select)
        if rates.size == 0:
            assert res.status == IrrStatus.NO_ROOT_FOUND and np.isnan(res.rate)
        else:
            expect = IrrStatus.CONVERGED if rates.size == 1 else IrrStatus.MULTIPLE_ROOTS
            assert res.status == expect
            assert abs(res.rate - want) <= 1e-7 * max(1.0, abs(want))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-0.95, 3.0), min_size=2, max_size=5),
       st.integers(0, 30), st.integers(0, 2**32 - 1), st.sampled_from(SELECT))
def test_property_roots_written_into_the_flows_are_found(rates: list[float], n_extra: int,
                                                         seed: int, select: str) -> None:
    # known root sets, pairs as close as 1e-3 (a cell of the old grid held several)
    rates = sorted(rates)
    assume(min(np.diff(rates)) > 1e-3)
    # (a root within rounding of r = 0 may be on either side of it: which root is the
    # rule's is then undecidable, see test_roots_at_zero_and_rows_without_a_real_root)
    assume(min(abs(r) for r in rates) > 1e-6)
    extra = np.random.default_rng(seed).uniform(0.1, 1.0, n_extra + 1)
    cf = flows_with_roots(rates, extra)
    want = rule(np.array(rates), select == "closest_to_zero")
    # a root's sensitivity to rounding of the flows: 1/|p'(x_k)| (x = 1/(1+r))
    x = 1.0 / (1.0 + np.array(rates))
    pk = np.polynomial.polynomial.polyder(cf)
    cond = np.max(np.sum(np.abs(cf)) / np.abs(np.polynomial.polynomial.polyval(x, pk)))
    for backend in BOTH:
        res = irr(cf, full_output=True, backend=backend, select=select)
        assert res.status == IrrStatus.MULTIPLE_ROOTS
        assert abs(res.rate - want) <= 1e-12 * cond * (1.0 + abs(want)) ** 2 + 1e-12


# ---------------------------------------------------------------------------------------
# The two backends: the same steps, the same bits, at any magnitude


@pytest.mark.skipif(_irr_numba is None, reason="numba not installed")
@pytest.mark.parametrize("magnitude", [1.0, 1e300, 1e-300, 1e305])
@pytest.mark.parametrize("select", SELECT)
def test_backends_agree_bit_for_bit_on_several_sign_changes(magnitude: float,
                                                            select: str) -> None:
    rng = np.random.default_rng(13)
    cf = rng.normal(size=(3000, 40))
    cf[:1000] = rng.uniform(0.05, 0.2, size=(1000, 40))  # projects with a closing cost
    cf[:1000, :3] = -rng.uniform(0.5, 1.5, size=(1000, 3))
    cf[:1000, -1] = -rng.uniform(0.5, 3.0, 1000)
    cf[2000:] *= 10.0 ** rng.uniform(-2, 2, size=(1000, 40))  # flows of mixed sizes
    with np.errstate(under="ignore"):
        cf = cf * magnitude
    a = irr(cf, full_output=True, backend="numpy", select=select)
    b = irr(cf, full_output=True, backend="numba", select=select)
    np.testing.assert_array_equal(a.status, b.status)
    np.testing.assert_array_equal(a.rate, b.rate)
    assert np.count_nonzero(a.status == IrrStatus.MULTIPLE_ROOTS) > 500


@pytest.mark.skipif(_irr_numba is None, reason="numba not installed")
def test_backends_agree_where_scaling_wipes_out_flows() -> None:
    # scaled by 2**-78, the inflows of 6.8e-301 vanish (below 2**-1075): the row is left
    # with one sign change, which both backends then solve the one-change way
    rows = np.array([[2.0**77, -1.0] + [6.78837236e-301] * 7,
                     [1.51115727e23, -1.0] + [6.78837236e-301] * 7,
                     [-2.0**60, 1.0, -1e-300, 3.0, -1e-300, 0.0, 0.0, 0.0, 0.0]])
    a = irr(rows, full_output=True, backend="numpy")
    b = irr(rows, full_output=True, backend="numba")
    np.testing.assert_array_equal(a.status, b.status)
    np.testing.assert_allclose(a.rate, b.rate, rtol=1e-12, atol=0)


@pytest.mark.skipif(_irr_numba is None, reason="numba not installed")
@settings(max_examples=150, deadline=None)
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(3, 30)),
                  elements=st.floats(-1e300, 1e300) | st.floats(-1e-300, 1e-300)),
       st.sampled_from(SELECT))
def test_property_backends_agree_at_any_magnitude(cf: np.ndarray, select: str) -> None:
    a = irr(cf, full_output=True, backend="numpy", select=select)
    b = irr(cf, full_output=True, backend="numba", select=select)
    np.testing.assert_array_equal(a.status, b.status)
    np.testing.assert_allclose(a.rate, b.rate, rtol=1e-12, atol=0)


# ---------------------------------------------------------------------------------------
# The steps


def max_variations(signs: list[int]) -> int:
    """Most sign changes over every choice of + or - for the unknown (0) entries."""
    unknown = [k for k, s in enumerate(signs) if s == 0]
    best = 0
    for choice in itertools.product((-1, 1), repeat=len(unknown)):
        full = list(signs)
        for k, s in zip(unknown, choice, strict=True):
            full[k] = s
        best = max(best, sum(a != b for a, b in itertools.pairwise(full)))
    return best


@settings(max_examples=300, deadline=None)
@given(st.integers(2, 8).flatmap(lambda size: st.tuples(
    hnp.arrays(np.float64, size,
               elements=st.sampled_from([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0])),
    hnp.arrays(np.float64, size, elements=st.sampled_from([0.0, 0.25, 0.75, 2.0])))))
def test_property_classify_is_descartes_with_unknown_signs(
        b_and_err: tuple[np.ndarray, np.ndarray]) -> None:
    # an entry within its error bound of zero has an unknown sign: NO_ROOT iff no choice
    # of those signs gives a change, ONE_ROOT iff every choice gives exactly one and the
    # ends are surely of opposite signs, CLUSTER iff no sign is known; and the
    # vectorised numpy form says the same as the core's loop
    from dealsim.kernels import irr as metrics

    b, err = b_and_err
    n = b.size - 1
    signs = [int(np.sign(v)) if abs(v) > e else 0 for v, e in zip(b, err, strict=True)]
    v_max = max_variations(signs)
    got = _irr_roots.classify(b, err, n, 1.0)
    if v_max == 0:
        want = _irr_roots.NO_ROOT
    elif not any(signs):
        want = _irr_roots.CLUSTER
    elif v_max == 1 and signs[0] * signs[-1] == -1:
        want = _irr_roots.ONE_ROOT
    else:
        want = _irr_roots.SPLIT
    assert got == want
    vec = metrics._classify_rows(b[None, :], err[None, :], np.array([1.0]))
    assert vec[0] == got


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(np.float64, st.integers(2, 12), elements=st.floats(-10, 10)),
       st.floats(0.0, 1.0))
def test_property_bernstein_form_and_split_evaluate_the_polynomial(a: np.ndarray,
                                                                   z: float) -> None:
    # sum_k b_k C(n,k) z**k (1-z)**(n-k) == sum_s a_s z**s, and de Casteljau's parts
    # evaluate it on their halves (plain-Python binomials, no shared code)
    from math import comb

    n = a.size - 1
    b = np.empty(n + 1)
    _irr_roots.to_bernstein(a, b, n)

    def bern(coef: np.ndarray, u: float) -> float:
        return sum(float(c) * comb(n, k) * u**k * (1 - u) ** (n - k)
                   for k, c in enumerate(coef))

    scale = np.sum(np.abs(a)) + 1.0
    assert abs(bern(b, z) - np.polynomial.polynomial.polyval(z, a)) <= 1e-12 * scale
    right, left = b.copy(), np.empty(n + 1)
    _irr_roots.split_at(right, left, n, 0.5625, 0.4375)
    c = 0.4375
    assert abs(bern(left, z) - bern(b, c * z)) <= 1e-12 * scale
    assert abs(bern(right, z) - bern(b, c + (1 - c) * z)) <= 1e-12 * scale
