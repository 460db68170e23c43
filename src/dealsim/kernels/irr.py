"""The IRR over arrays of cash flows: the numpy engine behind :func:`dealsim.irr`.

Rows with one sign change (one root, by Descartes' rule) take a moment-started Newton;
rows with several are located on a rate grid first and polished; the root rule and
statuses are those of :mod:`dealsim.kernels.irr_core`, which the compiled path
(:mod:`dealsim.kernels.irr_numba`) shares. Inputs are trusted: the checks are in
:func:`dealsim.finance.metrics.irr`.
"""

from __future__ import annotations

import functools
import os
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dealsim.kernels import irr_core as _core
from dealsim.kernels.irr_core import IrrStatus

#: Root selection rules of :func:`irr` (the first is the default).
IRR_SELECT = ("nonnegative_first", "closest_to_zero")


_BACKENDS = ("auto", "numpy", "numba")


# The grid and constants under their former names, for the fused Monte Carlo kernel
# until it calls dealsim.kernels.irr_numba.irr_row.
_GRID_RATES, _GRID_VAR, _NCOL, _ZERO_COL = (
    _core.GRID_RATES, _core.GRID_VAR, _core.NCOL, _core.ZERO_COL)


_TOL, _MAX_ITER = _core.TOL, _core.MAX_ITER


_grid_matrix = _core.grid_matrix


_BLOCK = 16384  # rows per Newton block (keeps the per-row vectors of an iteration in cache)


#: Fewest rows per thread for which the numpy path splits a batch over threads (numpy
#: releases the GIL inside its operations; smaller chunks cost more than they save).
_ROWS_PER_THREAD = 16384


#: Largest matrix product (M N K multiply-adds) that OpenBLAS runs on one thread.
_ONE_THREAD_MNK = 65536 * 4


def _as_output(arr: NDArray[Any], lead: tuple[int, ...]) -> Any:
    """Reshape a flat per-row result to the leading shape; 0-d becomes a numpy scalar."""
    return arr.reshape(lead)[()]


def _polish(
    cf: NDArray[np.float64],
    scale: NDArray[np.float64],
    rows: NDArray[np.intp],
    use_y: NDArray[np.bool_],
    lo: NDArray[np.float64],
    hi: NDArray[np.float64],
    lo_positive: NDArray[np.bool_],
    z: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Safeguarded Newton on brackets ``[lo, hi]`` of the polynomial variable.

    Row ``rows[k]`` (sorted) of ``cf``, times ``scale[rows[k]]``, is solved in
    y = 1 + r where ``use_y[k]``, else in x = 1/(1 + r), from ``z`` inside the
    bracket; ``lo_positive`` is the sign of the polynomial at ``lo``. Works through
    blocks of equal size, at most ``_BLOCK`` rows, so that the vectors of an iteration
    stay in cache.
    Returns the root in the polynomial variable and a converged flag.
    """
    root = np.empty(rows.size)
    done = np.empty(rows.size, dtype=bool)
    n_periods = cf.shape[1]
    groups = -(-n_periods // 4)
    pad = 4 * groups - n_periods  # zero coefficients completing the top group
    edges = np.linspace(0, rows.size, -(-rows.size // _BLOCK) + 1).astype(np.intp)
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        blk = rows[a:b]
        if blk[-1] - blk[0] == blk.size - 1:  # sorted and unique: a run, no gather
            part = slice(blk[0], blk[-1] + 1)
            sel, sc = cf[part], scale[part]
        else:
            sel, sc = cf[blk], scale[blk]
        # Horner coefficients, highest power first, one contiguous row per power: x
        # takes the flows last to first, y first to last; in groups of four powers,
        # one per chain of dealsim.kernels.irr_core.horner.
        coef = np.empty((4 * groups, blk.size))
        coef[:pad] = 0.0
        np.multiply(sel.T[::-1], sc, out=coef[pad:])
        uy = use_y[a:b]
        if uy.any():
            coef[pad:, uy] = sel[uy].T * sc[uy]
        root[a:b], done[a:b] = _newton_block(
            coef.reshape(groups, 4, blk.size), uy, lo[a:b], hi[a:b], lo_positive[a:b],
            z[a:b].copy()
        )
    return root, done


def _horner_groups(coef: NDArray[np.float64], z: NDArray[np.float64]
                   ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """:func:`dealsim.kernels.irr_core.horner` with its four chains as the rows of one array.

    ``coef`` is ``(K, 4, n)``: group ``m`` holds the coefficients of the powers
    ``4 (K - 1 - m) + 3 - s`` in row ``s`` (highest first, zeros above the highest
    power), so row ``s`` runs chain ``3 - s``. Same steps, same result bit for bit,
    a quarter of the numpy calls.
    """
    w = _core.fourth_power(z)
    f = _core.chain_start(z, coef[0])
    d = _core.chain_start(z, np.zeros((4, 1)))
    for m in range(1, coef.shape[0]):
        f, d = _core.chain_step(f, d, w, coef[m])
    return _core.chains_end(z, f[3], f[2], f[1], f[0], d[3], d[2], d[1], d[0])


def _newton_block(
    coef: NDArray[np.float64],
    use_y: NDArray[np.bool_],
    lo: NDArray[np.float64],
    hi: NDArray[np.float64],
    lo_positive: NDArray[np.bool_],
    z: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """:func:`dealsim.kernels.irr_core.polish_row` on a block; ``coef`` is ``(K, 4, n)`` (see
    :func:`_horner_groups`).

    Rows that converge are dropped from the iteration once they are the majority.
    """
    n = coef.shape[2]
    floor = np.where(use_y, _core.Y_FLOOR, 0.0)
    dx_old = hi - lo
    prev = np.full(n, np.nan)
    root = np.full(n, np.nan)
    done = np.zeros(n, dtype=bool)
    active = np.arange(n)  # original index of each row still carried along
    fin = np.zeros(n, dtype=bool)  # carried rows that have already converged
    for _ in range(_core.MAX_ITER):
        f, d = _horner_groups(coef, z)
        z_new, lo, hi, prev, dx_old, conv = _core.newton_update(
            f, d, z, lo, hi, lo_positive, prev, dx_old, floor)
        new = conv & ~fin
        root[active[new]] = z_new[new]
        done[active[new]] = True
        fin |= conv
        z = np.where(fin, z, z_new)
        n_left = fin.size - int(np.count_nonzero(fin))
        if n_left == 0:
            break
        if 2 * n_left <= fin.size:  # drop converged rows once they are the majority
            keep = np.flatnonzero(~fin)
            active, lo_positive = active[keep], lo_positive[keep]
            z, lo, hi, dx_old, prev = z[keep], lo[keep], hi[keep], dx_old[keep], prev[keep]
            floor = floor[keep]
            coef = np.take(coef, keep, axis=2)
            fin = fin[keep]
    return root, done


def _one_change(
    cf: NDArray[np.float64], scale: NDArray[np.float64], rows: NDArray[np.intp],
    stats: NDArray[np.float64], last_positive: NDArray[np.bool_],
) -> tuple[NDArray[np.float64], NDArray[np.int8]]:
    """Rows whose flows change sign once: exactly one root, solved without the grid.

    ``stats`` ``(6, len(rows))`` holds (received, paid, and their sums weighted by t
    and by t**2) of ``rows``. Newton starts from
    :func:`dealsim.kernels.irr_core.moic_start` on the bracket
    [0, 1] of the variable that :func:`dealsim.kernels.irr_core.one_change_side` picks.
    """
    received, paid, t_received, t_paid, t2_received, t2_paid = stats
    total = received - paid
    use_y, lo_positive = _core.one_change_side(total, np.where(last_positive, 1.0, -1.0))
    mp, mr = t_paid / paid, t_received / received
    r0 = _core.moic_start(paid, received, mp, mr, t2_paid / paid - mp * mp,
                          t2_received / received - mr * mr)
    z0 = _core.inside_or_mid(_core.var_from_rate(r0, use_y), 0.0, 1.0)
    zeros = np.zeros(rows.size)
    root, ok = _polish(cf, scale, rows, use_y, zeros, zeros + 1.0, lo_positive, z0)
    rate = _core.rate_from_var(root, use_y)
    state = np.where(ok, np.where(_core.representable(rate), _core.FOUND, _core.ABSENT),
                     _core.FAILED)
    rate = np.where(total == 0.0, 0.0, np.where(state == _core.FOUND, rate, np.nan))
    state = np.where(total == 0.0, _core.FOUND, state)
    # Where every flow of one sign is below 2**-1075 of the row's scale, scaling wiped
    # it out: no root is found (as on the compiled path). Checked on the rows that can.
    few = np.flatnonzero(np.minimum(received, paid) * scale[rows] <= cf.shape[1] * 2.0**-1074)
    if few.size:
        sc = cf[rows[few]] * scale[rows[few], None]
        gone = few[~((sc > 0).any(axis=1) & (sc < 0).any(axis=1))]
        rate[gone], state[gone] = np.nan, _core.ABSENT
    return rate, _core.status_of(state, 1, True).astype(np.int8)


def _grid_events(
    sub: NDArray[np.float64], vals: NDArray[np.float64], closest: bool
) -> tuple[NDArray[np.float64], NDArray[np.int8]]:
    """Rows whose flows change sign more than once: the grid, then the nearest root on
    each side of r = 0, then the selection rule (:func:`dealsim.kernels.irr_core.choose`)."""
    n_rows = sub.shape[0]
    # At the two limits the sign is that of the last/first non-zero flow.
    for col, end in ((0, -1), (-1, 0)):
        zero = vals[:, col] == 0.0
        if zero.any():
            part = sub[zero] if end == 0 else sub[zero, ::-1]
            first = np.argmax(part != 0.0, axis=1)
            vals[zero, col] = part[np.arange(part.shape[0]), first]

    # Roots are "events" ordered along the rate axis: an exact zero at grid point g is
    # event 2g, a strict sign change in the interval (g, g+1) is event 2g+1.
    centre = 2 * _core.ZERO_COL
    every = np.arange(n_rows)
    pos = vals > 0
    neg = vals < 0
    change = (pos[:, :-1] & neg[:, 1:]) | (neg[:, :-1] & pos[:, 1:])
    point = ~(pos | neg)  # an exact zero at an interior grid rate is a root
    point[:, 0] = False
    point[:, -1] = False
    n_found = np.count_nonzero(change, axis=1) + np.count_nonzero(point, axis=1)
    events = np.zeros((n_rows, 2 * _core.NCOL - 1), dtype=bool)
    events[:, 0::2] = point
    events[:, 1::2] = change
    right = events[:, centre:]  # r >= 0, nearest to zero first
    left = events[:, centre - 1 :: -1]  # r < 0, nearest to zero first
    i_right = np.argmax(right, axis=1)
    i_left = np.argmax(left, axis=1)
    has_right = right[every, i_right]
    has_left = left[every, i_left]

    rate_r = np.full(n_rows, np.nan)
    state_r = np.full(n_rows, _core.ABSENT)
    rws = np.flatnonzero(has_right)
    rate_r[rws], state_r[rws] = _polish_events(sub, vals, rws, centre + i_right[rws])
    # the left candidate matters where the rule looks at it (see _core.choose)
    rate_l = np.full(n_rows, np.nan)
    state_l = np.full(n_rows, _core.ABSENT)
    rws = np.flatnonzero(has_left & ((state_r == _core.ABSENT) | closest))
    rate_l[rws], state_l[rws] = _polish_events(sub, vals, rws, centre - 1 - i_left[rws])
    rate, state = _core.choose(rate_r, state_r, rate_l, state_l, closest)
    return rate, _core.status_of(state, n_found, True).astype(np.int8)


def _polish_events(
    sub: NDArray[np.float64], vals: NDArray[np.float64], rows: NDArray[np.intp],
    ev: NDArray[np.intp],
) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    """Rate and candidate state of grid event ``ev[k]`` of row ``rows[k]`` (sorted)."""
    rate = np.full(rows.size, np.nan)
    state = np.full(rows.size, _core.FOUND)
    is_point = ev % 2 == 0
    rate[is_point] = _core.GRID_RATES[ev[is_point] // 2]
    intv = np.flatnonzero(~is_point)
    if intv.size:
        rws = rows[intv]
        use_y, g_lo, g_hi, g3 = _core.grid_cell(ev[intv] // 2)
        z_lo, z_hi = _core.GRID_VAR[g_lo], _core.GRID_VAR[g_hi]
        f_lo = vals[rws, g_lo]
        z0 = _core.quadratic_start(z_lo, z_hi, _core.GRID_VAR[g3], f_lo, vals[rws, g_hi],
                                   vals[rws, g3])
        root, ok = _polish(sub, np.ones(sub.shape[0]), rws, use_y, z_lo, z_hi, f_lo > 0, z0)
        r = _core.rate_from_var(root, use_y)
        rate[intv] = np.where(ok, r, np.nan)
        state[intv] = np.where(ok, np.where(_core.representable(r), _core.FOUND,
                                            _core.ABSENT), _core.FAILED)
    return rate, state


def _flow_sums(cf: NDArray[np.float64], mag: NDArray[np.float64]) -> NDArray[np.float64]:
    """(received, paid) of each row and their sums weighted by t and by t**2, ``(6, S)``.

    From the sums of the flows and of their magnitudes ``mag`` (``einsum`` rather than
    ``@``: it does not start BLAS threads, which on a busy machine cost ten times more),
    as half their sum and half their difference; where one side is below 2**-30 of the
    other, that difference cancels, and the rows are summed side by side instead.
    """
    t = np.arange(cf.shape[1], dtype=np.float64)
    out = np.empty((6, cf.shape[0]))
    for k, w in enumerate((None, t, t * t)):
        if w is None:
            total, absolute = np.einsum("ij->i", cf), np.einsum("ij->i", mag)
        else:
            total, absolute = np.einsum("ij,j->i", cf, w), np.einsum("ij,j->i", mag, w)
        np.multiply(0.5, absolute + total, out=out[2 * k])
        np.multiply(0.5, absolute - total, out=out[2 * k + 1])
    lop = np.flatnonzero(np.minimum(out[0], out[1]) < 2.0**-30 * (out[0] + out[1]))
    if lop.size:
        got = np.maximum(cf[lop], 0.0)
        lost = got - cf[lop]  # the negative part, exactly
        for k, w in enumerate((np.ones_like(t), t, t * t)):
            out[2 * k, lop] = np.einsum("ij,j->i", got, w)
            out[2 * k + 1, lop] = np.einsum("ij,j->i", lost, w)
    return out


def _padded_mask(cf: NDArray[np.float64], compare: np.ufunc) -> NDArray[np.bool_]:
    """``compare(cf, 0)`` in a C-contiguous ``(S, T8)`` bool array, ``T8`` the multiple of
    8 at or above ``T``, padded with False (rows of whole 64-bit words)."""
    n_rows, n_periods = cf.shape
    out = np.zeros((n_rows, -(-n_periods // 8) * 8), dtype=bool)
    compare(cf, 0.0, out=out[:, :n_periods])
    return out


def _last_true(words: NDArray[np.uint64]) -> NDArray[np.intp]:
    """Index of the last True of each row of a :func:`_padded_mask` viewed as ``"<u8"``
    words (garbage where a row has none).

    Each row is read as little-endian 64-bit words of eight 0/1 bytes: the last
    non-zero word, then its highest non-zero byte ``k`` from the exponent of the word
    as a float (the word is in [2**(8k), 2**(8k) * 1.004), whose ``frexp`` exponent is
    ``8k + 1`` exactly). A reversed ``argmax`` over the bytes scans from the end of
    the row back to the flow: twice as slow on rows whose flows change sign early.
    """
    n_words = words.shape[1]
    last_word = n_words - 1 - np.argmax(words[:, ::-1] != 0, axis=1)
    word = words[np.arange(words.shape[0]), last_word]
    return 8 * last_word + (np.frexp(word.astype(np.float64))[1] - 1) // 8


def _grid_values(sub: NDArray[np.float64], mat: NDArray[np.float64]) -> NDArray[np.float64]:
    """``sub @ mat`` as products of at most :data:`_ONE_THREAD_MNK` multiply-adds.

    OpenBLAS runs a product on ``M N K / 262144`` threads (``interface/gemm.c``:
    ``SMP_THRESHOLD_MIN * GEMM_MULTITHREAD_THRESHOLD = 65536 * 4``); on a machine whose
    other cores are busy those threads cost twenty times the product itself (48 ms
    against 2.3 ms for 30000 x 40 rows measured with another process on the second
    core) and keep spinning after it, slowing what follows. Rows are independent, so
    the split changes no value.
    """
    n_rows, (n_periods, n_cols) = sub.shape[0], mat.shape
    step = max(1, _ONE_THREAD_MNK // (n_periods * n_cols))
    out = np.empty((n_rows, n_cols))
    for a in range(0, n_rows, step):
        np.matmul(sub[a:a + step], mat, out=out[a:a + step])
    return out


def _irr_2d(cf: NDArray[np.float64], closest: bool
            ) -> tuple[NDArray[np.float64], NDArray[np.int8]]:
    """IRR and status of every row of a ``(S, T)`` array (the numpy path)."""
    n_rows, n_periods = cf.shape
    rate = np.full(n_rows, np.nan)
    status = np.full(n_rows, IrrStatus.NO_SIGN_CHANGE, dtype=np.int8)
    if n_rows == 0:
        return rate, status
    with np.errstate(all="ignore"):
        # Scale (dealsim.kernels.irr_core.scale_basis): by the sum of magnitudes, which the
        # flow sums give; rows outside its range are scaled here by their largest one.
        raw = cf
        mag = np.abs(cf)
        stats = _flow_sums(cf, mag)
        l1 = stats[0] + stats[1]
        odd = np.flatnonzero(~((l1 >= _core.L1_LOW) & (l1 <= _core.L1_HIGH)))
        if odd.size:
            s1, s2 = _core.scale_pair(np.frexp(np.max(mag[odd], axis=1))[1])
            cf, mag = cf.copy(), mag.copy()
            cf[odd] = cf[odd] * s1[:, None] * s2[:, None]
            mag[odd] = np.abs(cf[odd])
            stats[:, odd] = _flow_sums(cf[odd], mag[odd])
            l1[odd] = 0.5  # scaled already: a scale of 1
        scale = _core.scale_pair(np.frexp(l1)[1])[0]

        pos, neg = _padded_mask(cf, np.greater), _padded_mask(cf, np.less)
        first_pos = np.argmax(pos[:, :n_periods], axis=1)
        first_neg = np.argmax(neg[:, :n_periods], axis=1)
        # (a side's sum is exact where it is tiny (_flow_sums), so > 0 iff it has a flow)
        mixed = (stats[0] > 0.0) & (stats[1] > 0.0)
        if odd.size:  # rows whose flows of one sign all vanished in scaling
            lost = ~mixed & (raw > 0).any(axis=1) & (raw < 0).any(axis=1)
            status[lost] = IrrStatus.NO_ROOT_FOUND
        # a mixed row changes sign once where the last flow of its first sign comes
        # before the first flow of the other sign (it then ends with the other sign)
        neg_first = first_neg < first_pos
        last_of_first = _last_true(np.where(neg_first[:, None], neg.view("<u8"),
                                            pos.view("<u8")))
        one = mixed & (last_of_first < np.where(neg_first, first_pos, first_neg))
        rows = np.flatnonzero(one)
        if rows.size == n_rows:  # (no gathers)
            rate, status = _one_change(cf, scale, rows, stats, neg_first)
        elif rows.size:
            rate[rows], status[rows] = _one_change(
                cf, scale, rows, stats[:, rows], neg_first[rows])
        rows = np.flatnonzero(mixed & ~one)
        if rows.size:
            sub = cf[rows] * scale[rows, None]
            rate[rows], status[rows] = _grid_events(
                sub, _grid_values(sub, _core.grid_matrix(n_periods)), closest)
    return rate, status


def _irr_2d_threaded(cf: NDArray[np.float64], closest: bool
                     ) -> tuple[NDArray[np.float64], NDArray[np.int8]]:
    """:func:`_irr_2d` on chunks of rows, one thread per CPU, for large inputs.

    Every row is solved by the same steps whatever chunk it is in, so the result does
    not depend on the number of rows or threads.
    """
    workers = min(os.cpu_count() or 1, cf.shape[0] // _ROWS_PER_THREAD)
    if workers <= 1:
        return _irr_2d(cf, closest)
    rate = np.empty(cf.shape[0])
    status = np.empty(cf.shape[0], dtype=np.int8)
    # chunks of about _ROWS_PER_THREAD rows, taken in turn by the threads
    edges = np.linspace(0, cf.shape[0], cf.shape[0] // _ROWS_PER_THREAD + 1).astype(int)

    def run(a: int, b: int) -> None:
        rate[a:b], status[a:b] = _irr_2d(cf[a:b], closest)

    from concurrent.futures import ThreadPoolExecutor  # loads on first threaded use

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(run, edges[:-1], edges[1:]))
    return rate, status


@functools.cache
def _numba_irr() -> ModuleType | None:
    """The compiled IRR (:mod:`dealsim.kernels.irr_numba`), or None without numba."""
    try:
        from dealsim.kernels import irr_numba as _irr_numba
    except ImportError:
        return None
    return _irr_numba
