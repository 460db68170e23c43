"""The numba kernel behind :mod:`dealsim._kernels` (imported only when numba is).

:func:`fused` only orchestrates: it runs the shared steps of :mod:`dealsim._steps`,
registered here with numba so that they compile on scalars, over one scenario at a
time, and calls the per-row IRR once per scenario. The IRR functions below are the
compiled counterpart of :func:`dealsim.metrics._irr_2d` (the public ``irr``'s
compiled path too).
"""

from __future__ import annotations

import hashlib
import inspect
from pathlib import Path
from typing import Any

import numba
import numpy as np
from numba.extending import register_jitable

from . import _steps
from .metrics import _GRID_RATES, _GRID_VAR, _MAX_ITER, _NCOL, _TOL, _ZERO_COL

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")

# Every step becomes callable from compiled code, unchanged (numpy error semantics:
# inf/NaN, never an exception, as on the numpy path under np.errstate).
for _fn in vars(_steps).values():
    if inspect.isfunction(_fn) and _fn.__module__ == _steps.__name__:
        register_jitable(error_model="numpy")(_fn)
_STEPS_DIGEST = hashlib.sha256(Path(_steps.__file__).read_bytes()).hexdigest()[:16]


@_jit
def newton(coef: Any, lo: float, hi: float, lo_positive: bool, z: float,
           floor: float) -> tuple[float, bool]:
    # dealsim.metrics._newton_block for one row, operation for operation.
    n_periods = coef.size
    dx_old = hi - lo
    prev = np.nan
    for _ in range(_MAX_ITER):
        f = coef[0]
        d = 0.0
        for j in range(1, n_periods):
            d = d * z + f
            f = f * z + coef[j]
        if (f > 0) == lo_positive:
            lo = z
        else:
            hi = z
        step = 0.0 if f == 0.0 else f / d
        abs_step = abs(step)
        ztol = max(_TOL * z, floor)
        ratio = abs_step / abs(prev)
        conv = (abs_step <= ztol) or ((ratio < 1e-3) and (abs_step * ratio * ratio <= ztol))
        z_new = z - step
        bisect = (not conv) and (not (lo < z_new < hi) or abs_step > 0.5 * abs(dx_old))
        dx_old = prev = step
        if bisect:
            mid = 0.5 * (lo + hi)
            z_new = mid
            dx_old = z - mid
            prev = np.nan
            conv = hi - lo <= max(_TOL * hi, floor)
        if conv:
            return z_new, True
        z = z_new
    return np.nan, False


@_jit
def polish(cf: Any, coef: Any, vals: Any, ev: int) -> tuple[float, int]:
    # One candidate event of dealsim.metrics._irr_2d: (rate, state) with state
    # 0 absent / outside the range, 1 converged, 2 failed.
    if ev % 2 == 0:
        return _GRID_RATES[ev // 2], 1
    g = ev // 2
    use_y = g < _ZERO_COL
    g_lo, g_hi = (g, g + 1) if use_y else (g + 1, g)
    if use_y:
        g3 = g - 1 if g >= 1 else g + 2
    else:
        g3 = g + 2 if g + 2 < _NCOL else g - 1
    z_lo, z_hi, z3 = _GRID_VAR[g_lo], _GRID_VAR[g_hi], _GRID_VAR[g3]
    f_lo, f_hi, f3 = vals[g_lo], vals[g_hi], vals[g3]
    z0 = (z_lo * f_hi * f3 / ((f_lo - f_hi) * (f_lo - f3))
          + z_hi * f_lo * f3 / ((f_hi - f_lo) * (f_hi - f3))
          + z3 * f_lo * f_hi / ((f3 - f_lo) * (f3 - f_hi)))
    if not (z_lo < z0 < z_hi):
        z0 = z_lo - f_lo * (z_hi - z_lo) / (f_hi - f_lo)
    if not (z_lo < z0 < z_hi):
        z0 = 0.5 * (z_lo + z_hi)
    n_periods = cf.size
    for t in range(n_periods):
        coef[t] = cf[t] if use_y else cf[n_periods - 1 - t]
    root, ok = newton(coef, z_lo, z_hi, f_lo > 0, z0, 1e-17 if use_y else 0.0)
    if not ok:
        return np.nan, 2
    rate = root - 1.0 if use_y else (1.0 - root) / root
    return rate, 1 if (rate > -1.0 and rate < np.inf) else 0


@_jit
def irr_row(cf: Any, mat: Any, vals: Any, coef: Any) -> tuple[float, int]:
    # dealsim.metrics._irr_2d for one row.
    n_periods = cf.size
    vals[:] = 0.0
    for t in range(n_periods):
        c = cf[t]
        for g in range(_NCOL):
            vals[g] += c * mat[t, g]
    mixed_pos = mixed_neg = False
    for t in range(n_periods):
        mixed_pos |= cf[t] > 0
        mixed_neg |= cf[t] < 0
    if vals[0] == 0.0:
        for t in range(n_periods - 1, -1, -1):
            if cf[t] != 0.0:
                vals[0] = cf[t]
                break
    if vals[_NCOL - 1] == 0.0:
        for t in range(n_periods):
            if cf[t] != 0.0:
                vals[_NCOL - 1] = cf[t]
                break
    # events: an exact zero at interior grid point g is 2g, a sign change in (g, g+1)
    # is 2g + 1; count them and find the nearest on each side of r = 0.
    centre = 2 * _ZERO_COL
    n_found = 0
    ev_right = ev_left = -1
    for e in range(2 * _NCOL - 1):
        g = e // 2
        if e % 2 == 0:
            hit = (0 < g < _NCOL - 1 and vals[g] == 0.0 and mixed_pos and mixed_neg)
        else:
            a, b = vals[g], vals[g + 1]
            hit = (a > 0 and b < 0) or (a < 0 and b > 0)
        if hit:
            n_found += 1
            if e >= centre:
                if ev_right < 0:
                    ev_right = e
            else:
                ev_left = e
    rate_r = rate_l = np.nan
    st_r = st_l = 0
    if ev_right >= 0:
        rate_r, st_r = polish(cf, coef, vals, ev_right)
    if ev_left >= 0:
        rate_l, st_l = polish(cf, coef, vals, ev_left)
    ok_r, ok_l = st_r == 1, st_l == 1
    if st_r == 2 or st_l == 2:
        return np.nan, 4  # NOT_CONVERGED
    if ok_r or ok_l:
        use_left = ok_l and (not ok_r or abs(rate_l) < abs(rate_r))
        return (rate_l if use_left else rate_r), (2 if n_found > 1 else 0)
    return np.nan, (3 if (mixed_pos and mixed_neg) else 1)


def fused(lp: Any, sp: Any, delay: Any, overrun: Any, capacity: Any, price: Any, fuel: Any,
          utilisation: Any, rate: Any, disc: Any, mat: Any, inv_path: Any, bal_path: Any,
          o_irr: Any, o_status: Any, o_inv_npv: Any, o_host_npv: Any, o_fee_pv: Any,
          o_fee_total: Any, o_received: Any, o_paid: Any, o_rec: Any) -> None:
    # dealsim._kernels.block_outputs, one scenario at a time: the shared steps on scalars
    horizon = lp.price.shape[0]
    lines = np.empty((6, horizon))
    inv = np.empty(horizon)
    bal = np.empty(horizon)
    vals = np.empty(_NCOL)
    coef = np.empty(horizon)
    keep = inv_path.shape[0]
    for i in range(delay.size):
        _steps.scenario_lines(lp, delay[i], overrun[i], capacity[i], price[i], fuel[i],
                              utilisation[i], lines)
        (o_inv_npv[i], o_host_npv[i], o_fee_pv[i], o_fee_total[i], o_received[i], o_paid[i],
         o_rec[i]) = _steps.scenario_split(sp, rate[i], disc[i], lines, inv, bal)
        o_irr[i], o_status[i] = irr_row(inv, mat, vals, coef)  # the IRR: this line only
        if i < keep:
            inv_path[i] = inv
            bal_path[i] = bal


# numba's on-disk cache keys a function by its own file only; the name carries a digest
# of the steps' source too, so that an edit of dealsim/_steps.py recompiles the kernel.
fused.__qualname__ = fused.__name__ = "fused_" + _STEPS_DIGEST
fused = _jit(fused)


@_jit
def irr_rows(cf: Any, mat: Any, rate: Any, status: Any) -> None:
    # dealsim.metrics._irr_2d, row by row: the public irr's compiled path.
    n_rows, n_periods = cf.shape
    vals = np.empty(_NCOL)
    coef = np.empty(n_periods)
    for i in range(n_rows):
        rate[i], status[i] = irr_row(cf[i], mat, vals, coef)
