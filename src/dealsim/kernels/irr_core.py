"""The IRR's per-row steps, written once for the numpy path and the numba path.

Every function here is plain arithmetic on its arguments, with :func:`where` for
selections and ``np.minimum``/``np.maximum``: the numpy path
(:func:`dealsim.finance.metrics.irr`, ``backend="numpy"``) calls them on vectors of rows,
and :mod:`dealsim.kernels.irr_numba` compiles the very same functions with numba and calls
them on scalars, one row at a time. A change to a step here changes both paths.

The module imports nothing else from dealsim (it sits below :mod:`dealsim.kernels.irr`).
Inputs are trusted: callers validate once, at the public boundary.

Variables
---------
The NPV ``sum_t c_t (1 + r)**-t`` is solved as a polynomial in one of two variables
in [0, 1], so that no power overflows for any number of periods T:

- ``x = 1/(1 + r)`` for ``r >= 0``: ``p(x) = sum_t c_t x**t`` (Horner coefficients
  ``c_{T-1} .. c_0``, highest power first);
- ``y = 1 + r`` for ``r <= 0``: ``q(y) = y**(T-1) p(1/y) = sum_t c_t y**(T-1-t)``
  (coefficients ``c_0 .. c_{T-1}``).

Rows are scaled by a power of two before solving (exact), so that the sum of their
magnitudes is in [0.5, 1) (see :func:`scale_basis`): the result does not depend on the
scale of a row, and no sum overflows.
"""

from __future__ import annotations

import enum
import functools
import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dealsim.kernels.irr_roots import (
    CLUSTER,
    MAX_DEPTH,
    NO_ROOT,
    deflate,
    explore,
    to_bernstein,
)

__all__ = [
    "GRID_RATES",
    "GRID_VAR",
    "MAX_ITER",
    "NCOL",
    "TOL",
    "Y_FLOOR",
    "ZERO_COL",
    "chain_start",
    "chain_step",
    "chains_end",
    "choose",
    "falsi_start",
    "fourth_power",
    "grid_matrix",
    "horner",
    "inside_or_mid",
    "irr_row",
    "irr_rows",
    "IrrStatus",
    "moic_start",
    "newton_update",
    "not_",
    "one_change_side",
    "polish_row",
    "rate_from_var",
    "representable",
    "scale_basis",
    "scale_pair",
    "several_changes_row",
    "status_of",
    "var_from_rate",
    "where",
]


class IrrStatus(enum.IntEnum):
    """Outcome of the IRR search for one row (stored as ``int8``)."""

    CONVERGED = 0
    """The row has exactly one real root in (-1, inf); it was polished to full
    precision."""
    NO_SIGN_CHANGE = 1
    """All flows have the same sign or are zero: no IRR exists (rate is NaN)."""
    MULTIPLE_ROOTS = 2
    """The row has several real roots (or one and a cluster); the rate is the one the
    selection rule picks, polished to full precision."""
    NO_ROOT_FOUND = 3
    """The flows change sign but the NPV has no real root in (-1, inf) (rate is NaN)."""
    NOT_CONVERGED = 4
    """A bracket was found but the iteration did not converge (rate is NaN)."""
    AMBIGUOUS = 5
    """The root the rule picks lies in a cluster of roots (or is a multiple root) that
    the flows' float64 precision cannot separate: which root is the rule's is
    undecidable (rate is NaN)."""


#: Relative step in the polynomial variable at which Newton stops.
TOL = 1e-13
#: Absolute accuracy in y = 1 + r: all that a rate near -1 can show.
Y_FLOOR = 1e-17
MAX_ITER = 100

# ---------------------------------------------------------------------------
# The rate grid. The root search no longer reads it (rows with several sign changes
# isolate every root, see below); ``grid_matrix`` and ``NCOL`` remain because compiled
# callers of ``irr_row`` still pass its ``mat`` and ``vals`` arguments.
#
# Interior grid points in r. Around r = 0 the spacing is 0.025, it widens further out.
# Two limits close the search on both sides: r -> -1 (y = 0, where the sign of the NPV
# is that of the last non-zero flow) and r -> +inf (x = 0, the sign of the first
# non-zero flow), so sign changes are looked for over all of (-1, inf).
_GRID_NEG = (
    -0.99, -0.95, -0.9, -0.85, -0.8, -0.7, -0.6, -0.5, -0.4, -0.35, -0.3, -0.25,
    -0.2, -0.175, -0.15, -0.125, -0.1, -0.075, -0.05, -0.025,
)
_GRID_POS = (
    0.025, 0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5,
    0.6, 0.8, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0, 100.0, 1000.0,
)
#: Rates of the grid columns, including the two limits -1 and +inf.
GRID_RATES = np.array((-1.0, *_GRID_NEG, 0.0, *_GRID_POS, np.inf))
GRID_RATES.flags.writeable = False
#: Column of r = 0.
ZERO_COL = 1 + len(_GRID_NEG)
NCOL = GRID_RATES.size
#: Polynomial variable of each column: y = 1 + r for r <= 0, x = 1/(1 + r) for r >= 0.
GRID_VAR = np.concatenate(
    ([0.0], 1.0 + np.array(_GRID_NEG), [1.0], 1.0 / (1.0 + np.array(_GRID_POS)), [0.0])
)
GRID_VAR.flags.writeable = False


@functools.lru_cache(maxsize=32)
def grid_matrix(n_periods: int) -> NDArray[np.float64]:
    """Return the ``(T, G)`` matrix whose product with cash flows gives the grid values.

    Column g holds ``x_g**t`` for r_g >= 0 (the NPV itself) and ``y_g**(T-1-t)`` for
    r_g < 0 (the NPV times ``(1 + r_g)**(T-1)``, same sign). Every entry is in [0, 1].
    The two limit columns pick the last (r -> -1) and the first (r -> inf) flow; a
    caller replaces a zero there by the last/first non-zero flow.
    """
    t = np.arange(n_periods, dtype=np.float64)
    mat = np.empty((n_periods, NCOL))
    with np.errstate(under="ignore"):
        neg = slice(1, ZERO_COL)
        mat[:, neg] = GRID_VAR[neg][None, :] ** (n_periods - 1 - t)[:, None]
        pos = slice(ZERO_COL + 1, NCOL - 1)
        mat[:, pos] = GRID_VAR[pos][None, :] ** t[:, None]
    mat[:, 0] = 0.0
    mat[-1, 0] = 1.0  # r -> -1: last flow
    mat[:, ZERO_COL] = 1.0  # r = 0: plain sum
    mat[:, -1] = 0.0
    mat[0, -1] = 1.0  # r -> inf: first flow
    mat.flags.writeable = False
    return mat


# ---------------------------------------------------------------------------
# Elementwise helpers. numba compiles `where` and `not_` to scalar selections
# (see dealsim.kernels.irr_numba), numpy runs them on arrays.


def where(cond: Any, a: Any, b: Any) -> Any:
    """``a`` where ``cond`` else ``b`` (``np.where``; a plain select under numba)."""
    return np.where(cond, a, b)


def not_(cond: Any) -> Any:
    """Logical not (``np.logical_not``; ``not`` under numba)."""
    return np.logical_not(cond)


# ---------------------------------------------------------------------------
# The steps.


def chain_start(z: Any, c: Any) -> Any:
    """The value of a Horner chain at its top coefficient ``c`` (``0 z + c``: NaN
    where ``z`` is)."""
    return 0.0 * z + c


def chain_step(f: Any, d: Any, w: Any, c: Any) -> tuple[Any, Any]:
    """One step of a Horner chain in ``w``: ``(f, d) <- (f w + c, d w + f)``.

    Works in place on arrays (numpy: ``f`` and ``d`` must be owned, ``w`` and ``c``
    broadcast against them), by rebinding on scalars (numba).
    """
    d *= w
    d += f
    f *= w
    f += c
    return f, d


def chains_end(z: Any, f0: Any, f1: Any, f2: Any, f3: Any, d0: Any, d1: Any, d2: Any,
               d3: Any) -> tuple[Any, Any]:
    """Polynomial and derivative at ``z`` from the four chains ``Q_r(z**4)`` (values
    ``f_r``, derivatives in ``w = z**4`` ``d_r``) of :func:`horner`."""
    z2 = z * z
    f = (f0 + z * f1) + z2 * (f2 + z * f3)
    inner = (d0 + z * d1) + z2 * (d2 + z * d3)
    d = (f1 + 2.0 * z * f2 + 3.0 * z2 * f3) + 4.0 * (z2 * z) * inner
    return f, d


def fourth_power(z: Any) -> Any:
    """``z**4`` as ``(z z)(z z)``, the variable of the Horner chains."""
    w = z * z
    return w * w


def horner(coef: Any, z: Any) -> tuple[Any, Any]:
    """Polynomial and derivative at ``z``: Horner's rule in four interleaved chains.

    ``coef[j]`` is the coefficient of the power ``len(coef) - 1 - j`` (highest
    first): a scalar per row under numba, a vector of rows (``coef`` of shape
    ``(T, n)``) under numpy. The polynomial is split by power modulo 4,
    ``p(z) = sum_r z**r Q_r(z**4)``, and the four ``Q_r`` (with their derivatives) run
    as independent Horner chains a quarter as long: the compiled row then does not
    wait on one long chain of dependent multiply-adds (same number of operations).
    The top group of four powers is completed with zero coefficients (which change
    no value), so the numpy path can run the four chains as one array of four rows
    with the same steps (:func:`chain_start`, :func:`chain_step`,
    :func:`chains_end`) and the same result, bit for bit.
    """
    n = coef.shape[0]
    w = fourth_power(z)
    top = (n - 1) // 4  # highest power of w
    # the top group may be partial: coefficient of z**(4 top + r) exists if <= n - 1
    f0 = chain_start(z, coef[n - 1 - 4 * top])
    f1 = chain_start(z, coef[n - 2 - 4 * top] if 4 * top + 1 <= n - 1 else 0.0)
    f2 = chain_start(z, coef[n - 3 - 4 * top] if 4 * top + 2 <= n - 1 else 0.0)
    f3 = chain_start(z, coef[n - 4 - 4 * top] if 4 * top + 3 <= n - 1 else 0.0)
    d0, d1 = chain_start(z, 0.0), chain_start(z, 0.0)
    d2, d3 = chain_start(z, 0.0), chain_start(z, 0.0)
    for k in range(top - 1, -1, -1):
        j = n - 1 - 4 * k  # index of the coefficient of z**(4k)
        f0, d0 = chain_step(f0, d0, w, coef[j])
        f1, d1 = chain_step(f1, d1, w, coef[j - 1])
        f2, d2 = chain_step(f2, d2, w, coef[j - 2])
        f3, d3 = chain_step(f3, d3, w, coef[j - 3])
    return chains_end(z, f0, f1, f2, f3, d0, d1, d2, d3)


def newton_update(
    f: Any, d: Any, z: Any, lo: Any, hi: Any, lo_positive: Any, prev: Any, dx_old: Any,
    floor: Any,
) -> tuple[Any, Any, Any, Any, Any, Any]:
    """One safeguarded Newton step on the bracket ``[lo, hi]`` (``rtsafe``'s rule).

    Parameters are the polynomial ``f`` and its derivative ``d`` at the iterate
    ``z``, the bracket, the sign of the polynomial at ``lo``, the last Newton step
    ``prev`` (NaN after a bisection), the step of two iterations back ``dx_old``
    and the absolute accuracy ``floor`` (:data:`Y_FLOOR` in y, 0 in x).

    Returns ``(z_new, lo, hi, prev, dx_old, conv)``. ``conv``: the Newton step is
    below ``TOL`` relative, or the error left after it, predicted from the last two
    steps, is (in the quadratic regime ``|e_next| ~ |step| (step/prev)**2``; the
    ratio test ``< 1e-3`` makes sure the iteration is in that regime, not halving
    towards a double root), or the bracket is that narrow. Elsewhere it bisects
    where Newton leaves the bracket or does not halve the step of two iterations
    back. Division by zero gives inf/NaN steps, which bisect (numpy callers silence
    the warnings).
    """
    exact = f == 0.0
    same = (f > 0) == lo_positive
    lo = where(same, z, lo)
    hi = where(same, hi, z)
    step = where(exact, 0.0, f / d)
    abs_step = np.abs(step)
    ztol = np.maximum(TOL * z, floor)
    ratio = abs_step / np.abs(prev)
    # (the predicted error counts only where the step leaves at least half of z: a
    # step that cancels most of z leaves a rounding error of eps * z, not of z_new)
    conv = (abs_step <= ztol) | ((ratio < 1e-3) & (abs_step * ratio * ratio <= ztol)
                                 & (abs_step <= 0.5 * z))
    z_new = z - step
    inside = (z_new > lo) & (z_new < hi)
    bisect = not_(conv) & (not_(inside) | (abs_step > 0.5 * np.abs(dx_old)))
    mid = 0.5 * (lo + hi)
    z_new = where(bisect, mid, z_new)
    dx_old = where(bisect, z - mid, step)
    prev = where(bisect, np.nan, step)
    conv = conv | (bisect & (hi - lo <= np.maximum(TOL * hi, floor)))
    # f and f' both exactly 0: every term underflowed (flows spanning hundreds of
    # orders of magnitude at a tiny z): no information, so no root (NaN), not a guess
    blind = (f == 0.0) & (d == 0.0)
    return where(blind, np.nan, z_new), lo, hi, prev, dx_old, conv | blind


def rate_from_var(z: Any, use_y: Any) -> Any:
    """Rate of a root in y = 1 + r (``use_y``) or x = 1/(1 + r)."""
    return where(use_y, z - 1.0, (1.0 - z) / z)


def var_from_rate(r: Any, use_y: Any) -> Any:
    """The polynomial variable of rate ``r``: y = 1 + r (``use_y``) or x = 1/(1 + r)."""
    return where(use_y, 1.0 + r, 1.0 / (1.0 + r))


def representable(rate: Any) -> Any:
    """Whether a root's rate is inside (-1, inf) as a float (not rounded to -1 or inf)."""
    return (rate > -1.0) & (rate < np.inf)


# --- rows whose flows change sign once (Descartes: exactly one root) -------------


def one_change_side(total: Any, last: Any) -> tuple[Any, Any]:
    """Variable and bracket sign for a row whose flows change sign exactly once.

    ``total`` is the sum of the flows (the NPV at r = 0), ``last`` the last non-zero
    flow (the sign of the NPV as r -> -1). The root is at r > 0 where the NPV at 0
    has the sign it has at -1, else at r < 0 (at 0 when ``total`` is 0).

    Returns ``(use_y, lo_positive)``: solve in y = 1 + r (root at r < 0) or
    x = 1/(1 + r) on the bracket [0, 1] of that variable, where the polynomial's sign
    at 0 is that of the last non-zero flow in y, of the first in x (opposite signs).
    """
    use_y = (total > 0) != (last > 0)
    lo_positive = where(use_y, last > 0, last < 0)
    return use_y, lo_positive


def moic_start(paid: Any, received: Any, t_paid: Any, t_received: Any, v_paid: Any,
               v_received: Any) -> Any:
    """Starting rate for a row whose flows change sign once.

    ``paid``/``received`` are the sums of the negative/positive flows (as positive
    numbers), ``t_*`` their money-weighted mean times and ``v_*`` the variances of
    those times. With ``d = ln(1 + r)``, the value of each group is its sum times
    ``E[exp(-d t)] ~ exp(-d mean + d**2 var / 2)`` (second-order cumulant expansion);
    equating the two gives ``ln(received/paid) - d dt + d**2 (v_received - v_paid)/2
    = 0``, ``dt = t_received - t_paid``, solved for the root near ``ln(MOIC)/dt``.
    To first order this is ``MOIC**(1/dt) - 1`` (exact for one outflow and one
    inflow). Either order of the two groups works (a loan has dt < 0). Median start
    error on project-like rows: 1e-5 relative in x (first order alone: 1.5e-3).
    """
    c = np.log(received / paid)
    b = t_received - t_paid
    disc = b * b - 2.0 * (v_received - v_paid) * c
    root = np.sqrt(np.maximum(disc, 0.0))
    delta = where(disc > 0.0, 2.0 * c / (b + np.sign(b) * root), c / b)
    return np.expm1(delta)


# --- rows whose flows change sign more than once: every real root isolated ----------
# (the Bernstein steps are in dealsim.kernels.irr_roots)


def inside_or_mid(z0: Any, lo: Any, hi: Any) -> Any:
    """``z0`` if strictly inside ``(lo, hi)``, else the midpoint (NaN goes to it too)."""
    return where((z0 > lo) & (z0 < hi), z0, 0.5 * (lo + hi))


def falsi_start(lo: Any, hi: Any, f_lo: Any, f_hi: Any) -> Any:
    """Regula falsi point of an isolating piece (the midpoint if it falls outside)."""
    return inside_or_mid(lo + (hi - lo) * (f_lo / (f_lo - f_hi)), lo, hi)


# --- root selection ----------------------------------------------------------------

#: Candidate states: no root on that side (or one outside the representable range),
#: polished, iteration failed, a cluster of roots that the flows' precision cannot
#: separate (its rate: the end of the cluster nearest to zero).
ABSENT, FOUND, FAILED, UNRESOLVED = 0, 1, 2, 3


def choose(
    rate_r: Any, state_r: Any, rate_l: Any, state_l: Any, closest: Any
) -> tuple[Any, Any]:
    """The selected root from the candidates on each side of r = 0.

    ``rate_r``/``state_r``: the smallest root at r >= 0 (:data:`FOUND`, :data:`ABSENT`,
    :data:`FAILED` or :data:`UNRESOLVED`); ``rate_l``/``state_l``: the largest root at
    r < 0.

    Default rule (``closest`` false), numpy-financial 1.1's ``_irr_default_selection``:
    where the roots have mixed signs keep the non-negative ones, then take the smallest
    in magnitude; so the smallest root >= 0 if there is one, else the negative root
    closest to zero. The left candidate then matters only where the right one is
    absent. ``closest`` true: the root closest to zero (numpy-financial 1.0's rule);
    both candidates matter (an unresolved cluster loses only to a root strictly
    closer to zero than the whole cluster).

    Returns ``(rate, state)``; a failed candidate that matters makes the state
    :data:`FAILED`, an unresolved one that is picked :data:`UNRESOLVED` (the rate is
    then NaN).
    """
    left_counts = (state_r == ABSENT) | closest
    cand_r = (state_r == FOUND) | (state_r == UNRESOLVED)
    cand_l = ((state_l == FOUND) | (state_l == UNRESOLVED)) & left_counts
    failed = (state_r == FAILED) | (left_counts & (state_l == FAILED))
    use_left = cand_l & (not_(cand_r) | (np.abs(rate_l) < np.abs(rate_r)))
    picked = where(use_left, state_l, where(cand_r, state_r, ABSENT))
    state = where(failed, FAILED, picked)
    rate = where(state == FOUND, where(use_left, rate_l, rate_r), np.nan)
    return rate, state


def status_of(state: Any, n_found: Any, mixed: Any) -> Any:
    """The :class:`IrrStatus` code of a row from its selected candidate's state."""
    return where(
        state == FOUND,
        where(n_found > 1, IrrStatus.MULTIPLE_ROOTS, IrrStatus.CONVERGED),
        where(state == FAILED, IrrStatus.NOT_CONVERGED,
              where(state == UNRESOLVED, IrrStatus.AMBIGUOUS,
                    where(mixed, IrrStatus.NO_ROOT_FOUND, IrrStatus.NO_SIGN_CHANGE))),
    )


# --- scaling --------------------------------------------------------------------------


#: Rows whose sum of magnitudes lies in [L1_LOW, L1_HIGH] are scaled by the exponent
#: of that sum; the others by the exponent of their largest magnitude. (The sum is one
#: fast pass on the numpy path, the maximum a slow row-wise reduction; outside the range
#: the sum may have overflowed or lost bits to subnormals.)
L1_LOW, L1_HIGH = 2.0**-1000, 2.0**1000


def scale_basis(l1: Any, big: Any) -> Any:
    """The magnitude whose ``frexp`` exponent ``e`` sets a row's scale ``2**-e``.

    ``l1``: the sum of the row's magnitudes; ``big``: its largest magnitude (only
    used, and only needed, where ``l1`` is outside [L1_LOW, L1_HIGH]). Either way the
    scaled row's magnitudes are below 1 and its sums cannot overflow; and since ``e``
    moves by exactly ``k`` when the row is multiplied by ``2**k``, the scaled row, and
    so the result, does not change.
    """
    return where((l1 >= L1_LOW) & (l1 <= L1_HIGH), l1, big)


def scale_pair(e: Any) -> tuple[Any, Any]:
    """Two powers of two whose product is ``2**-e``. Multiplying a flow by the first,
    then by the second rounds at most once (the second is 1 unless the row is scaled
    up by more than ``2**1000``, which is exact).
    """
    k1 = np.minimum(-e, 1000)
    return np.ldexp(1.0, k1), np.ldexp(1.0, -e - k1)


# ---------------------------------------------------------------------------
# One row, as plain scalar code: numba compiles these (dealsim.kernels.irr_numba); in
# plain Python they run too (slowly), which the tests use as a third path.


def polish_row(coef: Any, lo: float, hi: float, lo_positive: bool, z: float,
               floor: float) -> tuple[float, bool]:
    """Safeguarded Newton on ``[lo, hi]`` from ``z``; returns ``(root, converged)``."""
    prev = np.nan
    dx_old = hi - lo
    for _ in range(MAX_ITER):
        f, d = horner(coef, z)
        z, lo, hi, prev, dx_old, conv = newton_update(
            f, d, z, lo, hi, lo_positive, prev, dx_old, floor)
        if conv:
            return z, True
    return np.nan, False


def _fill_coef(cf: Any, s1: float, s2: float, use_y: bool, coef: Any) -> None:
    """Horner coefficients of the scaled row in y (``use_y``) or x, into ``coef``."""
    n_periods = cf.shape[0]
    for t in range(n_periods):
        c = cf[t] * s1 * s2
        if use_y:
            coef[t] = c
        else:
            coef[n_periods - 1 - t] = c


def _row_stats(cf: Any, s1: float, s2: float) -> tuple[
        float, float, float, float, float, float, float, float, float, float, float, int]:
    """One pass over the row times ``s1 * s2``: largest magnitude, sum of magnitudes,
    sum, received, paid, their sums weighted by t and by t**2, the first and last
    non-zero flow and the number of sign changes."""
    big = l1 = total = received = paid = t_received = t_paid = first = last = 0.0
    t2_received = t2_paid = 0.0
    n_changes = 0
    for t in range(cf.shape[0]):
        c = cf[t] * s1 * s2
        big = max(big, abs(c))
        l1 += abs(c)
        total += c
        if c > 0.0:
            received += c
            t_received += t * c
            t2_received += t * t * c
        elif c < 0.0:
            paid -= c
            t_paid -= t * c
            t2_paid -= t * t * c
        if c != 0.0:
            if first == 0.0:
                first = c
            elif (c > 0.0) != (last > 0.0):
                n_changes += 1
            last = c
    return (big, l1, total, received, paid, t_received, t_paid, t2_received, t2_paid,
            first, last, n_changes)


def _fill_shifted(cf: Any, s1: float, s2: float, use_y: bool, a: Any) -> None:
    """Monomial coefficients, lowest power first, of the scaled row's polynomial in x
    (``use_y`` false) or y, without the powers of the variable that divide it.

    In x: ``a[s] = c_{f+s}`` (``f`` the first non-zero flow), in y: ``a[s] = c_{l-s}``
    (``l`` the last); zeros above. The constant term is then non-zero, so 0 is not a
    root; the roots in (0, 1] are those of the row.
    """
    n_periods = cf.shape[0]
    for s in range(n_periods):
        a[s] = 0.0
    if use_y:
        last = n_periods - 1
        while last > 0 and cf[last] * s1 * s2 == 0.0:
            last -= 1
        for s in range(last + 1):
            a[s] = cf[last - s] * s1 * s2
    else:
        first = 0
        while first < n_periods - 1 and cf[first] * s1 * s2 == 0.0:
            first += 1
        for s in range(n_periods - first):
            a[s] = cf[first + s] * s1 * s2


def _candidate(kind: int, lo: float, hi: float, f_lo: float, f_hi: float, use_y: bool,
               cf: Any, s1: float, s2: float, coef: Any) -> tuple[float, int]:
    """Rate and candidate state of the rightmost leaf of one side (see :func:`explore`):
    an isolated root is polished by Newton on its piece, a cluster is
    :data:`UNRESOLVED` (rate: its end nearest to zero)."""
    if kind == NO_ROOT:
        return np.nan, ABSENT
    if kind == CLUSTER:
        return rate_from_var(hi, use_y), UNRESOLVED
    _fill_coef(cf, s1, s2, use_y, coef)
    root, ok = polish_row(coef, lo, hi, f_lo > 0, falsi_start(lo, hi, f_lo, f_hi),
                          Y_FLOOR if use_y else 0.0)
    if not ok:
        return np.nan, FAILED
    rate = rate_from_var(root, use_y)
    return rate, (FOUND if representable(rate) else ABSENT)


def several_changes_row(cf: Any, s1: float, s2: float, coef: Any,
                        closest: bool) -> tuple[float, IrrStatus]:
    """IRR and status of a row whose flows change sign more than once.

    The real roots are isolated on both sides of r = 0 (:func:`explore` on the
    Bernstein coefficients of the polynomials in x and in y) as far as the rule and the
    status need: the leaf nearest to r = 0 on each side that the rule looks at, and
    whether the row has a second root. Where the flows sum to exactly zero, r = 0 is a
    root (the rule's, whichever rule) and is divided out (as many times as it is a
    root: roots are counted once, whatever their multiplicity) before the others are
    counted.
    """
    n_periods = cf.shape[0]
    n = n_periods - 1
    a = np.empty(n_periods)
    bern = np.empty((4, n_periods))  # x: values, magnitudes; y: values, magnitudes
    for side in range(2):
        _fill_shifted(cf, s1, s2, side == 1, a)
        to_bernstein(a, bern[2 * side], n)
        for s in range(n_periods):
            a[s] = abs(a[s])
        to_bernstein(a, bern[2 * side + 1], n)
    at_zero = bern[0, n] == 0.0
    for _ in range(n):  # divide out r = 0 as often as it is a root (a double root, ...)
        if bern[0, n] != 0.0:
            break
        for j in range(4):
            deflate(bern[j], n)
    stack, pieces = np.empty((MAX_DEPTH + 2, 2, n_periods)), np.empty((MAX_DEPTH + 2, 3))
    work = np.empty((6, n_periods))
    count_x, kind_x, lo_x, hi_x, f_lo_x, f_hi_x = explore(
        bern[0], bern[1], n, False, 2, stack, pieces, work)
    rate_r, state_r = np.nan, ABSENT
    if not at_zero:
        rate_r, state_r = _candidate(kind_x, lo_x, hi_x, f_lo_x, f_hi_x, False, cf, s1,
                                     s2, coef)
    need_left = not at_zero and (closest or state_r == ABSENT)
    limit_y = max(1, 2 - count_x) if need_left else 2 - min(count_x, 2)
    count_y, kind_y, lo_y, hi_y, f_lo_y, f_hi_y = explore(
        bern[2], bern[3], n, True, limit_y, stack, pieces, work)
    n_found = count_x + count_y + (1 if at_zero else 0)
    if at_zero:
        return 0.0, status_of(FOUND, n_found, True)
    rate_l, state_l = np.nan, ABSENT
    if need_left:
        rate_l, state_l = _candidate(kind_y, lo_y, hi_y, f_lo_y, f_hi_y, True, cf, s1,
                                     s2, coef)
    rate, state = choose(rate_r, state_r, rate_l, state_l, closest)
    return rate, status_of(state, n_found, True)


def irr_row(cf: Any, mat: Any, vals: Any, coef: Any,
            closest: bool = False) -> tuple[float, IrrStatus]:
    """IRR and :class:`IrrStatus` of one row of cash flows (the compiled per-row entry).

    Parameters
    ----------
    cf : float64 array, shape ``(T,)``
        The row (finite; not modified; any scale).
    mat : float64 array, shape ``(T, NCOL)``
        ``grid_matrix(T)`` (not read any more; kept for compiled callers).
    vals : float64 array, shape ``(NCOL,)``
        Not read any more (kept for compiled callers).
    coef : float64 array, shape ``(T,)``
        Scratch (overwritten).
    closest : bool
        Root selection: False (default) numpy-financial 1.1's rule, True the root
        closest to zero (see :func:`choose`).

    Returns
    -------
    (rate, status) : (float, IrrStatus)
        NaN rate unless the status is CONVERGED or MULTIPLE_ROOTS.
    """
    n_periods = cf.shape[0]
    (big, l1, total, received, paid, t_received, t_paid, t2_received, t2_paid, first,
     last, n_changes) = _row_stats(cf, 1.0, 1.0)
    if n_changes == 0:
        return np.nan, IrrStatus.NO_SIGN_CHANGE
    s1, s2 = scale_pair(math.frexp(scale_basis(l1, big))[1])
    first_s, last_s = first * s1 * s2, last * s1 * s2
    if (not (L1_LOW <= l1 <= L1_HIGH) or first_s == 0.0 or last_s == 0.0
            or min(received, paid) * s1 * s2 <= n_periods * 2.0**-1074):
        # the sums may have overflowed, or flows vanish in scaling (below 2**-1075 of
        # the row's scale): the statistics of the scaled row
        (big, l1, total, received, paid, t_received, t_paid, t2_received, t2_paid,
         first, last, n_changes) = _row_stats(cf, s1, s2)
        if n_changes == 0:  # all flows of one sign vanished
            return np.nan, IrrStatus.NO_ROOT_FOUND
    else:
        first, last = first_s, last_s
    if n_changes == 1:  # exactly one root (Descartes): no grid needed
        if total == 0.0:
            return 0.0, IrrStatus.CONVERGED
        use_y, lo_positive = one_change_side(total, last)
        mp, mr = t_paid / paid, t_received / received
        r0 = moic_start(paid, received, mp, mr, t2_paid / paid - mp * mp,
                        t2_received / received - mr * mr)
        z0 = inside_or_mid(var_from_rate(r0, use_y), 0.0, 1.0)
        _fill_coef(cf, s1, s2, use_y, coef)
        root, ok = polish_row(coef, 0.0, 1.0, lo_positive, z0, Y_FLOOR if use_y else 0.0)
        if not ok:
            return np.nan, IrrStatus.NOT_CONVERGED
        rate = rate_from_var(root, use_y)
        if representable(rate):
            return rate, IrrStatus.CONVERGED
        return np.nan, IrrStatus.NO_ROOT_FOUND
    return several_changes_row(cf, s1, s2, coef, closest)


def irr_rows(cf: Any, mat: Any, rate: Any, status: Any, closest: bool) -> None:
    """:func:`irr_row` over the rows of ``cf`` ``(S, T)`` into ``rate``/``status``."""
    n_rows, n_periods = cf.shape
    vals = np.empty(NCOL)
    coef = np.empty(n_periods)
    for i in range(n_rows):
        rate[i], status[i] = irr_row(cf[i], mat, vals, coef, closest)
