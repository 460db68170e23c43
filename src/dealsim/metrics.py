"""Deal metrics that reduce the time axis: IRR, NPV, payback period and MOIC.

Every function takes cash flows with **time on the last axis** and any number of
leading scenario axes, and reduces the last axis: a 1-D series gives a numpy scalar,
``(S, T)`` gives ``(S,)``, ``(A, B, T)`` gives ``(A, B)``. Negative flows are paid in
by the investor, positive flows are paid out to it. Rates are decimals per period.

Bad input (NaN/inf, a 0-d array, a rate <= -1) raises a
:class:`dealsim.errors.DealsimError` naming the argument. An IRR that does not exist
in one scenario is NaN together with an :class:`IrrStatus` code, so one bad draw does
not abort a million.
"""

from __future__ import annotations

import functools
import os
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _irr_core as _core
from . import _validate
from ._irr_core import IrrStatus
from .errors import InvalidParameterError

__all__ = ["IrrResult", "IrrStatus", "irr", "moic", "npv", "payback_period"]

#: Root selection rules of :func:`irr` (the first is the default).
IRR_SELECT = ("nonnegative_first", "closest_to_zero")
_BACKENDS = ("auto", "numpy", "numba")

# The grid and constants under their former names, for the fused Monte Carlo kernel
# until it calls dealsim._irr_numba.irr_row.
_GRID_RATES, _GRID_VAR, _NCOL, _ZERO_COL = (
    _core.GRID_RATES, _core.GRID_VAR, _core.NCOL, _core.ZERO_COL)
_TOL, _MAX_ITER = _core.TOL, _core.MAX_ITER
_grid_matrix = _core.grid_matrix

_BERNSTEIN_BLOCK = 2048  # rows per block of the Bernstein conversion (in cache)
_BLOCK = 16384  # rows per Newton block (keeps the per-row vectors of an iteration in cache)
#: Fewest rows per thread for which the numpy path splits a batch over threads (numpy
#: releases the GIL inside its operations; smaller chunks cost more than they save).
_ROWS_PER_THREAD = 16384


class IrrResult(NamedTuple):
    """Result of ``irr(..., full_output=True)``.

    Attributes
    ----------
    rate : numpy.float64 or ndarray of float64, shape ``cashflows.shape[:-1]``
        The IRR per row (NaN where none was found).
    status : numpy.int8 or ndarray of int8, same shape as ``rate``
        :class:`IrrStatus` codes.
    """

    rate: Any
    status: Any


def _as_output(arr: NDArray[Any], lead: tuple[int, ...]) -> Any:
    """Reshape a flat per-row result to the leading shape; 0-d becomes a numpy scalar."""
    return arr.reshape(lead)[()]


# ---------------------------------------------------------------------------
# The numpy path: the steps of dealsim._irr_core, vectorised across rows. Callers
# run these under np.errstate(all="ignore") (divisions by zero and overflow in the
# steps are handled by the steps themselves).


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
        # one per chain of dealsim._irr_core.horner.
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
    """:func:`dealsim._irr_core.horner` with its four chains as the rows of one array.

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
    """:func:`dealsim._irr_core.polish_row` on a block; ``coef`` is ``(K, 4, n)`` (see
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
    and by t**2) of ``rows``. Newton starts from :func:`dealsim._irr_core.moic_start` on the bracket
    [0, 1] of the variable that :func:`dealsim._irr_core.one_change_side` picks.
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


def _several_changes(sub: NDArray[np.float64], closest: bool
                     ) -> tuple[NDArray[np.float64], NDArray[np.int8]]:
    """Rows whose flows change sign more than once (``sub``: scaled rows): every real
    root isolated (:func:`dealsim._irr_core.several_changes_row`, vectorised), the
    rule's candidates polished, then the selection rule
    (:func:`dealsim._irr_core.choose`)."""
    n_rows, n_periods = sub.shape
    n = n_periods - 1
    # the polynomial in x from the first non-zero flow, in y from the last one
    nonzero = sub != 0.0
    ax = sub.T.copy()
    for r in np.flatnonzero(~nonzero[:, 0]):
        f = np.argmax(nonzero[r])
        ax[:, r] = np.concatenate((sub[r, f:], np.zeros(f)))
    ay = sub.T[::-1].copy()
    for r in np.flatnonzero(~nonzero[:, n]):
        last = n - np.argmax(nonzero[r, ::-1])
        ay[:, r] = np.concatenate((sub[r, last::-1], np.zeros(n - last)))
    # values and magnitudes (the Bernstein coefficients of sum |a_s| z**s)
    bern = [_bernstein_rows(v).T.copy() for v in (ax, np.abs(ax), ay, np.abs(ay))]
    at_zero = bern[0][:, n] == 0.0
    zero = at_zero.copy()
    for _ in range(n):  # r = 0 divided out as often as it is a root
        if not zero.any():
            break
        for v in bern:
            v[zero] = _deflate_rows(v[zero])
        zero &= bern[0][:, n] == 0.0
    count_x, right = _explore_rows(bern[0], bern[1], False)
    count_y, left = _explore_rows(bern[2], bern[3], True)
    n_found = count_x + count_y + at_zero
    rate_r, state_r = _candidates(sub, right, False, ~at_zero)
    need_left = ~at_zero & (closest | (state_r == _core.ABSENT))
    rate_l, state_l = _candidates(sub, left, True, need_left)
    rate, state = _core.choose(rate_r, state_r, rate_l, state_l, closest)
    rate = np.where(at_zero, 0.0, rate)
    state = np.where(at_zero, _core.FOUND, state)
    return rate, _core.status_of(state, n_found, True).astype(np.int8)


def _bernstein_rows(a: NDArray[np.float64]) -> NDArray[np.float64]:
    """:func:`dealsim._irr_core.to_bernstein` on every column of ``a`` ``(n + 1, k)``
    (lowest power first), one degree at a time on blocks of columns: the same
    :func:`~dealsim._irr_core.raise_step` on slices, the same bits."""
    n = a.shape[0] - 1
    b = np.empty_like(a)
    for c0 in range(0, a.shape[1], _BERNSTEIN_BLOCK):
        blk, out = a[:, c0:c0 + _BERNSTEIN_BLOCK], b[:, c0:c0 + _BERNSTEIN_BLOCK]
        out[0] = blk[n]
        for d in range(n):
            w = (np.arange(1, d + 2) / (d + 1))[:, None]
            out[1 : d + 2] = _core.raise_step(blk[n - 1 - d], w, out[: d + 1])
            out[0] = blk[n - 1 - d]
    return b


def _deflate_rows(b: NDArray[np.float64]) -> NDArray[np.float64]:
    """:func:`dealsim._irr_core.deflate` on every row of ``b`` (same steps, same bits)."""
    n = b.shape[1] - 1
    k = np.arange(1, n + 1)
    out = b.copy()
    upper = np.concatenate((b[:, 1:n], np.zeros((b.shape[0], 1))), axis=1)
    out[:, 1:] = _core.deflate_step(upper, b[:, :n], k / (n - k + 1))
    return out


def _classify_rows(b: NDArray[np.float64], m: NDArray[np.float64],
                   g: NDArray[np.float64]) -> NDArray[np.intp]:
    """:func:`dealsim._irr_core.classify` of every row of ``b`` (bounds ``g m``),
    written with array reductions (a second implementation of the same decision; the
    tests compare them)."""
    n = b.shape[1] - 1
    e = g[:, None] * m
    pos, neg = b > e, b < -e
    no_root = pos.all(axis=1) | neg.all(axis=1)
    cluster = ~(pos | neg).any(axis=1)
    first_pos = pos[:, 0]
    ends = (first_pos & neg[:, n]) | (neg[:, 0] & pos[:, n])
    same = np.where(first_pos[:, None], pos, neg)  # the first sign, surely
    other = np.where(first_pos[:, None], neg, pos)[:, ::-1]  # the other, from the end
    lead = np.where(same.all(axis=1), n + 1, np.argmin(same, axis=1))
    trail = np.where(other.all(axis=1), n + 1, np.argmin(other, axis=1))
    one = ends & (lead + trail >= n)
    return np.where(no_root, _core.NO_ROOT, np.where(
        cluster, _core.CLUSTER, np.where(one, _core.ONE_ROOT, _core.SPLIT)))


def _split_rows(b: NDArray[np.float64], t: float) -> NDArray[np.float64]:
    """:func:`dealsim._irr_core.split_at` at ``t`` on every row of ``b`` (overwritten
    by the right parts); returns the left parts (same steps on slices, same bits)."""
    n = b.shape[1] - 1
    left = np.empty_like(b)
    s = 1.0 - t
    for level in range(n):
        left[:, level] = b[:, 0]
        b[:, : n - level] = _core.casteljau_step(s, b[:, : n - level], t,
                                                 b[:, 1 : n - level + 1])
    left[:, n] = b[:, 0]
    return left


class _Leaves(NamedTuple):
    """The leaf nearest to r = 0 of each row on one side (kind NO_ROOT where none)."""

    kind: NDArray[np.intp]
    lo: NDArray[np.float64]
    hi: NDArray[np.float64]
    f_lo: NDArray[np.float64]
    f_hi: NDArray[np.float64]


def _explore_rows(b: NDArray[np.float64], m: NDArray[np.float64], use_y: bool
                  ) -> tuple[NDArray[np.intp], _Leaves]:
    """:func:`dealsim._irr_core.explore` on every row of ``b`` (magnitudes ``m``), both
    ``(k, n + 1)``, breadth first: every piece of every row in one array, split
    together, round after round.

    Each piece goes through the same steps as on the compiled path, so the leaves are
    the same; here all of them are found (the compiled search stops once the rule and
    the status are decided). Returns the number of leaves per row and the rightmost.
    """
    n_rows, n = b.shape[0], b.shape[1] - 1
    owner = np.arange(n_rows)
    lo, hi = np.zeros(n_rows), np.ones(n_rows)
    depth = np.zeros(n_rows)
    found: list[tuple[NDArray[Any], ...]] = []
    while owner.size:
        cls = _classify_rows(b, m, _core.error_factor(depth, n))
        split = np.flatnonzero((cls == _core.SPLIT) & (depth < _core.MAX_DEPTH))
        b_r, m_r = b[split], m[split]
        b_l, m_l = _split_rows(b_r, _core.SPLITS[0]), _split_rows(m_r, _core.SPLITS[0])
        lo_s, hi_s, own_s, next_depth = lo[split], hi[split], owner[split], depth[split] + 1.0
        g = _core.error_factor(next_depth, n)
        c = lo_s + _core.SPLITS[0] * (hi_s - lo_s)
        for t in _core.SPLITS[1:]:
            retry = np.flatnonzero(~(np.abs(b_l[:, n]) > g * m_l[:, n]))
            if not retry.size:
                break
            b_again, m_again = b[split[retry]], m[split[retry]]
            b_l[retry], m_l[retry] = _split_rows(b_again, t), _split_rows(m_again, t)
            b_r[retry], m_r[retry] = b_again, m_again
            c[retry] = lo_s[retry] + t * (hi_s[retry] - lo_s[retry])
        ok = (lo_s < c) & (c < hi_s)
        leaf = (cls == _core.ONE_ROOT) | (cls == _core.CLUSTER) | (cls == _core.SPLIT)
        leaf[split[ok]] = False
        leaf &= _core.representable(_core.rate_from_var(hi, use_y))
        idx = np.flatnonzero(leaf)
        found.append((owner[idx], np.where(cls[idx] == _core.ONE_ROOT, _core.ONE_ROOT,
                                           _core.CLUSTER),
                      lo[idx], hi[idx], b[idx, 0], b[idx, n]))
        c = c[ok]
        owner = np.concatenate((own_s[ok], own_s[ok]))
        lo, hi = np.concatenate((lo_s[ok], c)), np.concatenate((c, hi_s[ok]))
        b, m = np.concatenate((b_l[ok], b_r[ok])), np.concatenate((m_l[ok], m_r[ok]))
        depth = np.concatenate((next_depth[ok], next_depth[ok]))
    who, kind, lo, hi, f_lo, f_hi = (np.concatenate(x) for x in zip(*found, strict=True))
    count = np.bincount(who, minlength=n_rows)
    best = _Leaves(np.full(n_rows, _core.NO_ROOT),
                   *(np.full(n_rows, np.nan) for _ in range(4)))
    order = np.lexsort((hi, who))  # by row, then from the left: each row's last leaf
    sorted_who = who[order]
    top = order[np.flatnonzero(np.r_[sorted_who[1:] != sorted_who[:-1], who.size > 0])]
    for field, values in zip(best, (kind, lo, hi, f_lo, f_hi), strict=True):
        field[who[top]] = values[top]
    return count, best


def _candidates(sub: NDArray[np.float64], leaves: _Leaves, use_y: bool,
                wanted: NDArray[np.bool_]) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    """:func:`dealsim._irr_core._candidate` on the rows ``wanted``: isolated roots
    polished on their pieces (all together), clusters unresolved."""
    rate = np.full(sub.shape[0], np.nan)
    state = np.full(sub.shape[0], _core.ABSENT)
    cluster = wanted & (leaves.kind == _core.CLUSTER)
    rate[cluster] = _core.rate_from_var(leaves.hi[cluster], use_y)
    state[cluster] = _core.UNRESOLVED
    rows = np.flatnonzero(wanted & (leaves.kind == _core.ONE_ROOT))
    if rows.size:
        lo, hi = leaves.lo[rows], leaves.hi[rows]
        f_lo, f_hi = leaves.f_lo[rows], leaves.f_hi[rows]
        root, ok = _polish(sub, np.ones(sub.shape[0]), rows, np.full(rows.size, use_y),
                           lo, hi, f_lo > 0, _core.falsi_start(lo, hi, f_lo, f_hi))
        r = _core.rate_from_var(root, use_y)
        rate[rows] = np.where(ok, r, np.nan)
        state[rows] = np.where(ok, np.where(_core.representable(r), _core.FOUND,
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


def _irr_2d(cf: NDArray[np.float64], closest: bool
            ) -> tuple[NDArray[np.float64], NDArray[np.int8]]:
    """IRR and status of every row of a ``(S, T)`` array (the numpy path)."""
    n_rows, n_periods = cf.shape
    rate = np.full(n_rows, np.nan)
    status = np.full(n_rows, IrrStatus.NO_SIGN_CHANGE, dtype=np.int8)
    if n_rows == 0:
        return rate, status
    with np.errstate(all="ignore"):
        # Scale (dealsim._irr_core.scale_basis): by the sum of magnitudes, which the
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
            rate[rows], status[rows] = _several_changes(sub, closest)
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
    """The compiled IRR (:mod:`dealsim._irr_numba`), or None without numba."""
    try:
        from . import _irr_numba
    except ImportError:
        return None
    return _irr_numba


def irr(cashflows: ArrayLike, *, full_output: bool = False, backend: str = "auto",
        select: str = "nonnegative_first") -> Any:
    """Internal rate of return of every row of ``cashflows`` at once.

    Parameters
    ----------
    cashflows : array_like, shape ``(..., T)``
        Cash flows per period, time on the last axis, any leading scenario axes.
        Negative is paid in by the investor. Must be finite.
    full_output : bool, optional
        If True, return an :class:`IrrResult` ``(rate, status)`` instead of the rate.
    backend : {"auto", "numpy", "numba"}, optional
        ``"numpy"``: the vectorised numpy solver. ``"numba"``: the same steps compiled
        row by row (extra ``dealsim[fast]``), agreeing within 1e-12. ``"auto"``
        (default): numba when installed. Both split large inputs over threads, one
        chunk of rows per CPU; a row's result does not depend on the split.
    select : {"nonnegative_first", "closest_to_zero"}, optional
        Which root a row with several gives. ``"nonnegative_first"`` (default,
        numpy-financial 1.1's default rule): the smallest root >= 0 if there is one,
        else the negative root closest to zero. ``"closest_to_zero"``: the root
        closest to zero (numpy-financial 1.0's rule, dealsim's before 2026-11).

    Returns
    -------
    rate : numpy.float64 or ndarray of float64, shape ``cashflows.shape[:-1]``
        The rate ``r`` per period with ``npv(r, row) == 0``; NaN where no root was found.
        Where several roots were found, the one ``select`` picks.
    result : IrrResult
        Only with ``full_output=True``: ``rate`` as above and ``status``, an ``int8``
        array (``numpy.int8`` for 1-D input) of :class:`IrrStatus` codes.

    Raises
    ------
    InvalidCashflowsError
        If ``cashflows`` is 0-d, has no periods, is not numeric, or holds NaN/inf.
    InvalidParameterError
        If ``backend`` or ``select`` is unknown, or ``backend="numba"`` without numba.

    Notes
    -----
    The IRR solves ``sum_t c_t / (1 + r)**t = 0`` for ``r > -1``, t = 0 .. T-1. Each
    row is first scaled by a power of two (exact) so that the sum of its magnitudes is
    in [0.5, 1): the rate and status do not depend on the scale of a row, and no sum
    overflows. (A flow below ``2**-1075`` of that sum vanishes; where all flows of one
    sign do, the row is ``NO_ROOT_FOUND``.) For r >= 0 the polynomial is solved in
    ``x = 1/(1+r)``; for r < 0 it is multiplied by ``(1+r)**(T-1)`` and solved in
    ``y = 1+r``; both lie in [0, 1].

    *Rows whose flows change sign once* (the usual investment: money in, then money
    out) have exactly one root (Descartes' rule of signs), at r > 0 where the flows
    sum to more than zero, else at r < 0. It is solved on the bracket [0, 1] of that
    side's variable, starting from ``MOIC**(1/(t_in - t_out)) - 1`` (``t_in``,
    ``t_out``: the money-weighted mean times of the inflows and outflows).

    *Rows whose flows change sign more than once* have every real root isolated: on
    each side of r = 0 the polynomial (in x, or in y) is written in the Bernstein
    basis on [0, 1] and split in halves (de Casteljau) until each piece shows no sign
    change among its coefficients (no root there) or exactly one (one root: Descartes'
    rule of signs for that basis), so no root hides between others, however close.
    A coefficient within its rounding-error bound of zero counts with either sign,
    so a piece is declared root-free or single-rooted only where rounding cannot have
    decided it. The rule's root (the leaf nearest to r = 0 on the side the rule looks
    at) is polished on its piece, started by regula falsi. Where the flows sum to
    exactly zero, r = 0 is a root and the rule's answer. Both backends run the same
    steps and give the same bits.

    *Polishing* is safeguarded Newton in x or y (bisection when Newton leaves the
    bracket or stalls) until the step, or the error left after it as predicted from
    the last two steps, is below ``1e-13`` relative in x or y (``1e-17`` absolute in
    y). A root whose rate is not representable (``1 + r`` below about ``1e-16``, so
    that r rounds to -1, or r overflowing) is outside the searched range.

    *Statuses* (:class:`IrrStatus`): ``CONVERGED`` (the row has exactly one real root),
    ``MULTIPLE_ROOTS`` (it has more; the rate is the one ``select`` picks), in both
    cases the rate is that root to full precision; ``NO_SIGN_CHANGE`` (all flows of
    one sign or zero; NaN), ``NO_ROOT_FOUND`` (flows change sign but the NPV has no
    real root in (-1, inf); NaN), ``NOT_CONVERGED`` (NaN), ``AMBIGUOUS`` (NaN): the
    root ``select`` would pick lies in a cluster of roots, or is a multiple root,
    narrower than float64 can separate (pieces of about ``2**-64``, or values within
    rounding of zero): e.g. ``[-100, 220, -121]``, a double root at 0.1 that rounding
    can turn into two roots or none. A cluster that the rule does not pick only makes
    the status ``MULTIPLE_ROOTS``.

    References
    ----------
    .. [1] numpy-financial, ``irr``: https://numpy.org/numpy-financial/latest/irr.html;
       the selection rule: ``_irr_default_selection`` in numpy-financial 1.1.0,
       ``numpy_financial/_financial.py``.
    .. [2] W. H. Press et al., *Numerical Recipes*, 3rd ed., section 9.4 (``rtsafe``).

    Examples
    --------
    >>> import dealsim.metrics as m
    >>> round(float(m.irr([-100, 39, 59, 55, 20])), 10)  # numpy-financial docs: 0.28095
    0.2809484212
    >>> m.irr([[-100, 110, 0], [-100, 0, 121]]).round(6).tolist()
    [0.1, 0.1]
    >>> res = m.irr([[-100, 230, -132], [100, 50, 0]], full_output=True)
    >>> res.rate.round(6).tolist()
    [0.1, nan]
    >>> [m.IrrStatus(s).name for s in res.status]
    ['MULTIPLE_ROOTS', 'NO_SIGN_CHANGE']
    >>> cf = [-50, -100, 600, 300, -100]  # roots -0.769 and 1.854 (numpy-financial gh-28)
    >>> round(float(m.irr(cf)), 5), round(float(m.irr(cf, select="closest_to_zero")), 5)
    (1.85442, -0.7689)
    """
    cf = _validate.as_cashflows("cashflows", cashflows)
    if backend not in _BACKENDS:
        raise InvalidParameterError(
            f"backend must be 'auto', 'numpy' or 'numba'; got {backend!r}")
    if not isinstance(select, str) or select not in IRR_SELECT:
        raise InvalidParameterError(
            f"select must be 'nonnegative_first' or 'closest_to_zero'; got {select!r}")
    closest = select == "closest_to_zero"
    lead = cf.shape[:-1]
    flat = cf.reshape(-1, cf.shape[-1])
    compiled = None if backend == "numpy" else _numba_irr()
    if backend == "numba" and compiled is None:
        raise InvalidParameterError("backend='numba' needs numba: pip install 'dealsim[fast]'")
    # "auto" must not depend on the input's size: a scenario's IRR would then depend on
    # how many rows it was solved with (the reproducibility contract forbids that)
    if compiled is not None:
        rate, status = compiled.irr_2d(flat, closest)
    else:
        rate, status = _irr_2d_threaded(flat, closest)
    if full_output:
        return IrrResult(_as_output(rate, lead), _as_output(status, lead))
    return _as_output(rate, lead)


def npv(rate: ArrayLike, cashflows: ArrayLike) -> Any:
    """Net present value of every row of ``cashflows`` at ``rate``.

    Parameters
    ----------
    rate : float or array_like
        Discount rate per period (decimal, > -1). A scalar, or an array broadcastable
        against ``cashflows.shape[:-1]`` (e.g. one rate per scenario).
    cashflows : array_like, shape ``(..., T)``
        Cash flows per period, time on the last axis. Must be finite.

    Returns
    -------
    numpy.float64 or ndarray of float64
        Shape ``np.broadcast_shapes(np.shape(rate), cashflows.shape[:-1])``; a numpy
        scalar when that shape is ``()``.

    Raises
    ------
    InvalidParameterError
        If ``rate`` is not numeric, not finite or <= -1.
    InvalidCashflowsError
        If ``cashflows`` is 0-d, has no periods, is not numeric, or holds NaN/inf.

    Notes
    -----
    ``npv = sum_{t=0}^{T-1} c_t / (1 + r)**t``: the first flow is not discounted
    (numpy-financial's convention; Excel's ``NPV`` discounts the first flow too).
    With a scalar rate this is one matrix-vector product ``cashflows @ v`` with
    ``v_t = (1 + r)**-t``. Very negative rates over many periods can overflow to inf.

    References
    ----------
    .. [1] numpy-financial, ``npv``: https://numpy.org/numpy-financial/latest/npv.html

    Examples
    --------
    >>> import dealsim.metrics as m
    >>> round(float(m.npv(0.281, [-100, 39, 59, 55, 20])), 8)  # numpy-financial docs
    -0.00847859
    >>> m.npv([0.0, 0.1], [[-100, 110], [-100, 110]]).round(6).tolist()
    [10.0, 0.0]
    """
    cf = _validate.as_cashflows("cashflows", cashflows)
    n_periods = cf.shape[-1]
    t = np.arange(n_periods, dtype=np.float64)
    if np.ndim(rate) == 0:
        r = _validate.rate("rate", rate)
        with np.errstate(over="ignore"):
            disc = (1.0 + r) ** -t
        out = _discounted_sum(cf, disc)
        return out[()] if isinstance(out, np.ndarray) else np.float64(out)
    r_arr = _validate.numeric_array("rate", rate)
    bad = ~np.isfinite(r_arr) | (r_arr <= -1.0)
    if bad.any():
        raise InvalidParameterError(
            f"rate must be a finite decimal rate > -1; got {r_arr[bad].flat[0]!r}"
        )
    try:
        shape = np.broadcast_shapes(r_arr.shape, cf.shape[:-1])
    except ValueError as exc:
        raise InvalidParameterError(
            f"rate of shape {r_arr.shape} does not broadcast against cashflows.shape[:-1] "
            f"= {cf.shape[:-1]}"
        ) from exc
    disc = _discount_factors(r_arr, n_periods)  # (..., T)
    out = _discounted_sum(np.broadcast_to(cf, (*shape, n_periods)), disc)
    return np.asarray(out).reshape(shape)[()]


def _discounted_sum(cf: NDArray[np.float64], disc: NDArray[np.float64]) -> Any:
    """``sum_t cf[..., t] * disc[..., t]`` (``disc`` of shape (T,) or like ``cf``).

    Where a discount factor overflowed to inf (a rate near -1 over many periods), a
    zero flow still contributes 0 rather than NaN; a non-zero flow gives +-inf.
    """
    if np.isinf(disc).any():
        with np.errstate(invalid="ignore"):
            prod = cf * disc
        return np.where(cf == 0.0, 0.0, prod).sum(axis=-1)
    if disc.ndim == 1:
        return cf @ disc
    return np.einsum("...t,...t->...", cf, disc)


def _discount_factors(rate: NDArray[np.float64], n_periods: int) -> NDArray[np.float64]:
    """``(1 + rate)**-t`` for t = 0 .. T-1, shape ``rate.shape + (T,)``, rates > -1.

    A running product of ``1 / (1 + rate)`` over periods (vectorised across rates),
    about 15x faster than ``**`` on a block of 16384 x 40 and equal to it within a
    few ulps per period (relative 5e-15 at 40 periods).
    """
    flat = np.asarray(rate, dtype=np.float64).reshape(-1)
    disc = np.empty((n_periods, flat.size))
    disc[0] = 1.0
    with np.errstate(over="ignore", divide="ignore"):
        step = 1.0 / (1.0 + flat)
        for t in range(1, n_periods):
            np.multiply(disc[t - 1], step, out=disc[t])
    return np.ascontiguousarray(disc.T).reshape(*np.shape(rate), n_periods)


def payback_period(cashflows: ArrayLike) -> Any:
    """Period index at which the investor's cumulative cash first recovers.

    Parameters
    ----------
    cashflows : array_like, shape ``(..., T)``
        Cash flows per period, time on the last axis. Must be finite.

    Returns
    -------
    numpy.int64 or ndarray of int64, shape ``cashflows.shape[:-1]``
        Per row: the first period index ``t`` at or after the first negative cumulative
        sum where the cumulative sum is ``>= 0``; ``0`` for rows whose cumulative sum is
        never negative (nothing is ever at risk); ``-1`` for rows that never recover.

    Raises
    ------
    InvalidCashflowsError
        If ``cashflows`` is 0-d, has no periods, is not numeric, or holds NaN/inf.

    Notes
    -----
    With ``C_t = sum_{s<=t} c_s`` and ``t0`` the first ``t`` with ``C_t < 0``, the
    payback period is ``min{t > t0 : C_t >= 0}``. It is a whole period index, not
    interpolated, and undiscounted. A later capital call that makes ``C`` negative
    again does not change it. The comparison is exact on the floating-point cumulative
    sum (no tolerance), so flows that should cancel exactly may need rounding first.

    References
    ----------
    .. [1] R. A. Brealey, S. C. Myers, F. Allen, *Principles of Corporate Finance*,
       ch. 5, "The payback rule".

    Examples
    --------
    >>> import dealsim.metrics as m
    >>> int(m.payback_period([-100, 50, 60]))
    2
    >>> m.payback_period([[-100, 100, 0], [10, -5, 1], [-100, 10, 10]]).tolist()
    [1, 0, -1]
    """
    cf = _validate.as_cashflows("cashflows", cashflows)
    cum = np.cumsum(cf, axis=-1)
    negative = cum < 0
    has_neg = negative.any(axis=-1)
    first_neg = np.argmax(negative, axis=-1)
    t = np.arange(cf.shape[-1])
    recovered = (cum >= 0) & (t > first_neg[..., None])
    has_rec = recovered.any(axis=-1)
    first_rec = np.argmax(recovered, axis=-1)
    out = np.where(has_neg, np.where(has_rec, first_rec, -1), 0).astype(np.int64)
    return out[()]


def moic(cashflows: ArrayLike) -> Any:
    """Multiple on invested capital: total received over total paid in.

    Parameters
    ----------
    cashflows : array_like, shape ``(..., T)``
        Cash flows per period, time on the last axis. Must be finite.

    Returns
    -------
    numpy.float64 or ndarray of float64, shape ``cashflows.shape[:-1]``
        ``sum(positive flows) / -sum(negative flows)`` per row; NaN where nothing was
        paid in (no negative flow).

    Raises
    ------
    InvalidCashflowsError
        If ``cashflows`` is 0-d, has no periods, is not numeric, or holds NaN/inf.

    Notes
    -----
    ``MOIC = sum_t max(c_t, 0) / sum_t max(-c_t, 0)``, undiscounted, over gross flows:
    a period's inflow is not netted against another period's outflow.

    References
    ----------
    .. [1] Institutional Limited Partners Association, *ILPA Reporting Template*,
       "Gross MOIC" (total value over invested capital).

    Examples
    --------
    >>> import dealsim.metrics as m
    >>> float(m.moic([-100, 50, 100]))
    1.5
    >>> m.moic([[-50, -50, 250], [10, 20, 0]]).tolist()
    [2.5, nan]
    """
    cf = _validate.as_cashflows("cashflows", cashflows)
    received = np.where(cf > 0, cf, 0.0).sum(axis=-1)
    paid = -np.where(cf < 0, cf, 0.0).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(paid > 0, received / np.where(paid > 0, paid, 1.0), np.nan)
    return np.asarray(out)[()]
