"""The numba kernel behind :mod:`dealsim._kernels` (imported only when numba is).

Each function repeats, for one scenario, the numpy arithmetic it names, operation
for operation, so that the results agree within 1e-12.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

from .metrics import _GRID_RATES, _GRID_VAR, _MAX_ITER, _NCOL, _TOL, _ZERO_COL

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")


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


@_jit
def fused(over: Any, delay: Any, cap: Any, pf: Any, ff: Any, uf: Any, deemed: Any,
          disc_rate: Any, spend: Any, price_path: Any, var_path: Any, fuel_path: Any,
          fixed_path: Any, fees: Any, ints: Any, reals: Any, mat: Any,
          o_irr: Any, o_status: Any, o_inv_npv: Any, o_host_npv: Any, o_moic: Any,
          o_rec: Any, o_fee_paid: Any, o_fee_pv: Any) -> None:
    c_years, life, dep_years = ints[0], ints[1], ints[2]
    capex_base, output_base, capacity, tax_rate, sb, sa = (
        reals[0], reals[1], reals[2], reals[3], reals[4], reals[5])
    n_periods = price_path.size
    capex = np.empty(n_periods)
    fee = np.empty(n_periods)
    inv = np.empty(n_periods)
    vals = np.empty(_NCOL)
    coef = np.empty(n_periods)
    for i in range(over.size):
        # --- cash flows (dealsim.cashflows.build_cashflows) -----------------------
        d_i = delay[i]
        cod = c_years + d_i
        scale = capex_base * over[i]
        output = output_base * cap[i] * uf[i]
        sales = output * pf[i]
        fee[:] = 0.0
        for k in range(fees.shape[0]):
            per, n_inst, start, target, pro_rata = (
                fees[k, 0], fees[k, 1], fees[k, 2], fees[k, 3], fees[k, 4])
            ratio = capacity * cap[i] / target
            share = min(ratio, 1.0) if pro_rata > 0 else (1.0 if ratio >= 1.0 - 1e-9 else 0.0)
            amount = share * per
            for t in range(n_periods):
                off = t - (cod + start)
                if 0 <= off < n_inst:
                    fee[t] += amount
        dep = 0.0
        for t in range(n_periods):
            capex[t] = spend[d_i, t] * scale
            dep += capex[t]
        dep = dep / dep_years
        # --- waterfall, aggregate reading (dealsim.waterfall._aggregate_block) -----
        g = 1.0 + deemed[i]
        bal = 0.0
        rec = -1
        seen = False
        received = paid = host_v = inv_v = fee_v = 0.0
        step = 1.0 / (1.0 + disc_rate[i])
        df = 1.0
        fee_sum = 0.0
        for t in range(n_periods):
            age = t - cod
            op = 0 <= age < life
            rev = sales * price_path[t] if op else 0.0
            opex = output * (var_path[t] + ff[i] * fuel_path[t]) + fixed_path[t] if op else 0.0
            if tax_rate > 0:
                depr = dep if 0 <= age < dep_years else 0.0
                tax = tax_rate * max(rev - opex - fee[t] - depr, 0.0)
            else:
                tax = 0.0
            c = rev - opex - tax - fee[t] - capex[t]
            bal = bal * g
            call = min(c, 0.0)
            bal = bal - call
            cp = max(c, 0.0)
            half = cp * sb
            clear = half >= bal
            rest = max(cp - bal / sb, 0.0) if clear else 0.0
            out = rest * sa + min(half, bal) + call
            bal = max(bal - half, 0.0)
            if clear and seen and rec < 0:
                rec = t
            seen |= not clear
            inv[t] = out
            # --- metrics that need one pass ------------------------------------
            if t > 0:
                df = df * step
            inv_v += out * df
            host_v += (c - out) * df
            fee_v += fee[t] * df
            fee_sum += fee[t]
            if out > 0:
                received += out
            elif out < 0:
                paid -= out
        o_rec[i] = rec
        o_inv_npv[i] = inv_v
        o_host_npv[i] = host_v
        o_fee_pv[i] = fee_v
        o_fee_paid[i] = fee_sum > 0
        o_moic[i] = received / paid if paid > 0 else np.nan
        o_irr[i], o_status[i] = irr_row(inv, mat, vals, coef)


@_jit
def irr_rows(cf: Any, mat: Any, rate: Any, status: Any) -> None:
    # dealsim.metrics._irr_2d, row by row: the public irr's compiled path.
    n_rows, n_periods = cf.shape
    vals = np.empty(_NCOL)
    coef = np.empty(n_periods)
    for i in range(n_rows):
        rate[i], status[i] = irr_row(cf[i], mat, vals, coef)
