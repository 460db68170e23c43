"""The IRR over arrays of cash flows: the numpy engine behind :func:`dealsim.irr`.

Rows with one sign change (one root, by Descartes' rule) take a moment-started Newton;
rows with several have every real root isolated (Bernstein coefficients, Descartes'
rule of signs, de Casteljau splits) and the rule's root polished; the root rule and
statuses are those of :mod:`dealsim.kernels.irr_core`, which the compiled path
(:mod:`dealsim.kernels.irr_numba`) shares. Inputs are trusted: the checks are in
:func:`dealsim.finance.metrics.irr`.
"""

from __future__ import annotations

import functools
import os
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from dealsim.kernels import irr_core as _core
from dealsim.kernels import irr_roots as _roots
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

_BERNSTEIN_BLOCK = 2048  # rows per block of the Bernstein conversion (in cache)
_BLOCK = 16384  # rows per Newton block (keeps the per-row vectors of an iteration in cache)


#: Fewest rows per thread for which the numpy path splits a batch over threads (numpy
#: releases the GIL inside its operations; smaller chunks cost more than they save).
_ROWS_PER_THREAD = 16384


def _as_output(arr: NDArray[Any], lead: tuple[int, ...]) -> Any:
    """Reshape a flat per-row result to the leading shape; 0-d becomes a numpy scalar."""
    return arr.reshape(lead)[()]


class _Bracket(NamedTuple):
    """Per row: the variable solved in (y = 1 + r where ``use_y``, else x = 1/(1 + r)),
    its bracket ``[lo, hi]``, the sign of the polynomial at ``lo`` and the start ``z``."""

    use_y: NDArray[np.bool_]
    lo: NDArray[np.float64]
    hi: NDArray[np.float64]
    lo_positive: NDArray[np.bool_]
    z: NDArray[np.float64]

    def part(self, a: int, b: int) -> _Bracket:
        """Rows ``a:b``, with a copy of ``z``."""
        return _Bracket(self.use_y[a:b], self.lo[a:b], self.hi[a:b], self.lo_positive[a:b],
                        self.z[a:b].copy())


def _polish(
    cf: NDArray[np.float64], scale: NDArray[np.float64], rows: NDArray[np.intp],
    bracket: _Bracket,
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Safeguarded Newton on brackets ``[lo, hi]`` of the polynomial variable.

    Row ``rows[k]`` (sorted) of ``cf``, times ``scale[rows[k]]``, is solved as
    ``bracket`` row ``k`` says (:class:`_Bracket`). Works through
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
        rows_bracket = bracket.part(a, b)
        uy = rows_bracket.use_y
        if uy.any():
            coef[pad:, uy] = sel[uy].T * sc[uy]
        root[a:b], done[a:b] = _newton_block(coef.reshape(groups, 4, blk.size), rows_bracket)
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
    coef: NDArray[np.float64], bracket: _Bracket,
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """:func:`dealsim.kernels.irr_core.polish_row` on a block; ``coef`` is ``(K, 4, n)`` (see
    :func:`_horner_groups`).

    Rows that converge are dropped from the iteration once they are the majority.
    """
    use_y, lo, hi, lo_positive, z = bracket
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
    root, ok = _polish(cf, scale, rows, _Bracket(use_y, zeros, zeros + 1.0, lo_positive, z0))
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
    root isolated (:func:`dealsim.kernels.irr_core.several_changes_row`, vectorised), the
    rule's candidates polished, then the selection rule
    (:func:`dealsim.kernels.irr_core.choose`)."""
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
    # values and magnitudes (the Bernstein coefficients of sum |a_s| z**s), x side
    bx, mx = _bernstein_rows(ax).T.copy(), _bernstein_rows(np.abs(ax)).T.copy()
    at_zero = bx[:, n] == 0.0
    times = np.zeros(n_rows, dtype=np.intp)  # r = 0 divided out as often as it is a root
    zero = at_zero.copy()
    for _ in range(n):
        if not zero.any():
            break
        bx[zero], mx[zero] = _deflate_rows(bx[zero]), _deflate_rows(mx[zero])
        times += zero
        zero &= bx[:, n] == 0.0
    count_x, right = _explore_rows(bx, mx, False)
    rate_r, state_r = _candidates(sub, right, False, ~at_zero)
    need_left = ~at_zero & (closest | (state_r == _core.ABSENT))
    # the y side where the rule or the status needs it (as the compiled row)
    want = np.flatnonzero(need_left | (count_x < 2))
    by = _bernstein_rows(ay[:, want]).T.copy()
    my = _bernstein_rows(np.abs(ay[:, want])).T.copy()
    for k in range(int(times.max(initial=0))):
        sel = times[want] > k
        by[sel], my[sel] = _deflate_rows(by[sel]), _deflate_rows(my[sel])
    count_y = np.zeros(n_rows, dtype=np.intp)
    left = _Leaves(np.full(n_rows, _roots.NO_ROOT),
                   *(np.full(n_rows, np.nan) for _ in range(4)))
    if want.size:
        count_y[want], part = _explore_rows(by, my, True)
        for field, values in zip(left, part, strict=True):
            field[want] = values
    n_found = count_x + count_y + at_zero
    rate_l, state_l = _candidates(sub, left, True, need_left)
    rate, state = _core.choose(rate_r, state_r, rate_l, state_l, closest)
    rate = np.where(at_zero, 0.0, rate)
    state = np.where(at_zero, _core.FOUND, state)
    return rate, _core.status_of(state, n_found, True).astype(np.int8)


def _bernstein_rows(a: NDArray[np.float64]) -> NDArray[np.float64]:
    """:func:`dealsim.kernels.irr_roots.to_bernstein` on every column of ``a`` ``(n + 1, k)``
    (lowest power first), one degree at a time on blocks of columns: the same
    :func:`~dealsim.kernels.irr_roots.raise_step` on slices, the same bits."""
    n = a.shape[0] - 1
    b = np.empty_like(a)
    for c0 in range(0, a.shape[1], _BERNSTEIN_BLOCK):
        blk, out = a[:, c0:c0 + _BERNSTEIN_BLOCK], b[:, c0:c0 + _BERNSTEIN_BLOCK]
        out[0] = blk[n]
        for d in range(n):
            w = (np.arange(1, d + 2) / (d + 1))[:, None]
            out[1 : d + 2] = _roots.raise_step(blk[n - 1 - d], w, out[: d + 1])
            out[0] = blk[n - 1 - d]
    return b


def _deflate_rows(b: NDArray[np.float64]) -> NDArray[np.float64]:
    """:func:`dealsim.kernels.irr_roots.deflate` on every row of ``b`` (same steps, same bits)."""
    n = b.shape[1] - 1
    k = np.arange(1, n + 1)
    out = b.copy()
    upper = np.concatenate((b[:, 1:n], np.zeros((b.shape[0], 1))), axis=1)
    out[:, 1:] = _roots.deflate_step(upper, b[:, :n], k / (n - k + 1))
    return out


def _classify_rows(b: NDArray[np.float64], m: NDArray[np.float64],
                   g: NDArray[np.float64]) -> NDArray[np.intp]:
    """:func:`dealsim.kernels.irr_roots.classify` of every row of ``b`` (bounds ``g m``),
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
    return np.where(no_root, _roots.NO_ROOT, np.where(
        cluster, _roots.CLUSTER, np.where(one, _roots.ONE_ROOT, _roots.SPLIT)))


def _split_rows(b: NDArray[np.float64], t: float) -> NDArray[np.float64]:
    """:func:`dealsim.kernels.irr_roots.split_at` at ``t`` on every row of ``b`` (overwritten
    by the right parts); returns the left parts (same steps on slices, same bits)."""
    n = b.shape[1] - 1
    left = np.empty_like(b)
    s = 1.0 - t
    for level in range(n):
        left[:, level] = b[:, 0]
        b[:, : n - level] = _roots.casteljau_step(s, b[:, : n - level], t,
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
    """:func:`dealsim.kernels.irr_roots.explore` on every row of ``b`` (magnitudes ``m``), both
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
        cls = _classify_rows(b, m, _roots.error_factor(depth, n))
        split = np.flatnonzero((cls == _roots.SPLIT) & (depth < _roots.MAX_DEPTH))
        b_r, m_r = b[split], m[split]
        b_l, m_l = _split_rows(b_r, _roots.SPLITS[0]), _split_rows(m_r, _roots.SPLITS[0])
        lo_s, hi_s, own_s, next_depth = lo[split], hi[split], owner[split], depth[split] + 1.0
        g = _roots.error_factor(next_depth, n)
        c = lo_s + _roots.SPLITS[0] * (hi_s - lo_s)
        for t in _roots.SPLITS[1:]:
            retry = np.flatnonzero(~(np.abs(b_l[:, n]) > g * m_l[:, n]))
            if not retry.size:
                break
            b_again, m_again = b[split[retry]], m[split[retry]]
            b_l[retry], m_l[retry] = _split_rows(b_again, t), _split_rows(m_again, t)
            b_r[retry], m_r[retry] = b_again, m_again
            c[retry] = lo_s[retry] + t * (hi_s[retry] - lo_s[retry])
        ok = (lo_s < c) & (c < hi_s)
        leaf = (cls == _roots.ONE_ROOT) | (cls == _roots.CLUSTER) | (cls == _roots.SPLIT)
        leaf[split[ok]] = False
        leaf &= _roots.leaf_counts(hi, use_y)
        idx = np.flatnonzero(leaf)
        found.append((owner[idx], np.where(cls[idx] == _roots.ONE_ROOT, _roots.ONE_ROOT,
                                           _roots.CLUSTER),
                      lo[idx], hi[idx], b[idx, 0], b[idx, n]))
        c = c[ok]
        owner = np.concatenate((own_s[ok], own_s[ok]))
        lo, hi = np.concatenate((lo_s[ok], c)), np.concatenate((c, hi_s[ok]))
        b, m = np.concatenate((b_l[ok], b_r[ok])), np.concatenate((m_l[ok], m_r[ok]))
        depth = np.concatenate((next_depth[ok], next_depth[ok]))
    who, kind, lo, hi, f_lo, f_hi = (np.concatenate(x) for x in zip(*found, strict=True))
    count = np.bincount(who, minlength=n_rows)
    best = _Leaves(np.full(n_rows, _roots.NO_ROOT),
                   *(np.full(n_rows, np.nan) for _ in range(4)))
    order = np.lexsort((hi, who))  # by row, then from the left: each row's last leaf
    sorted_who = who[order]
    top = order[np.flatnonzero(np.r_[sorted_who[1:] != sorted_who[:-1], who.size > 0])]
    for field, values in zip(best, (kind, lo, hi, f_lo, f_hi), strict=True):
        field[who[top]] = values[top]
    return count, best


def _candidates(sub: NDArray[np.float64], leaves: _Leaves, use_y: bool,
                wanted: NDArray[np.bool_]) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    """:func:`dealsim.kernels.irr_core._candidate` on the rows ``wanted``: isolated roots
    polished on their pieces (all together), clusters unresolved."""
    rate = np.full(sub.shape[0], np.nan)
    state = np.full(sub.shape[0], _core.ABSENT)
    cluster = wanted & (leaves.kind == _roots.CLUSTER)
    rate[cluster] = _core.rate_from_var(leaves.hi[cluster], use_y)
    state[cluster] = _core.UNRESOLVED
    rows = np.flatnonzero(wanted & (leaves.kind == _roots.ONE_ROOT))
    if rows.size:
        lo, hi = leaves.lo[rows], leaves.hi[rows]
        f_lo, f_hi = leaves.f_lo[rows], leaves.f_hi[rows]
        root, ok = _polish(sub, np.ones(sub.shape[0]), rows, _Bracket(
            np.full(rows.size, use_y), lo, hi, f_lo > 0, _core.falsi_start(lo, hi, f_lo, f_hi)))
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
            # Where the first or last flow, or every flow of one sign, vanishes in
            # scaling, the compiled row counts the sign changes of the scaled row
            # (dealsim.kernels.irr_core.irr_row); rows left with one go the one-change
            # way there, and here too.
            tiny = n_periods * 2.0**-1074
            nz = cf[rows] != 0.0
            first_s = sub[np.arange(rows.size), np.argmax(nz, axis=1)]
            last_s = sub[np.arange(rows.size), n_periods - 1 - np.argmax(nz[:, ::-1], axis=1)]
            recount = np.flatnonzero((first_s == 0.0) | (last_s == 0.0) | (
                np.minimum(stats[0, rows], stats[1, rows]) * scale[rows] <= tiny))
            if recount.size:
                once = recount[_sign_changes(sub[recount]) == 1]
                if once.size:
                    part = sub[once]
                    rate[rows[once]], status[rows[once]] = _one_change(
                        part, np.ones(once.size), np.arange(once.size),
                        _flow_sums(part, np.abs(part)),
                        np.argmax(part < 0, axis=1) < np.argmax(part > 0, axis=1))
                    keep = np.ones(rows.size, dtype=bool)
                    keep[once] = False
                    rows, sub = rows[keep], sub[keep]
            if rows.size:
                rate[rows], status[rows] = _several_changes(sub, closest)
    return rate, status


def _sign_changes(rows: NDArray[np.float64]) -> NDArray[np.intp]:
    """Number of sign changes of each row, zeros skipped."""
    sign = np.sign(rows)
    at = np.where(sign != 0, np.arange(rows.shape[1]), 0)
    last = np.maximum.accumulate(at, axis=1)  # the latest non-zero flow so far
    prev = np.take_along_axis(sign, last, axis=1)[:, :-1]
    return np.count_nonzero((sign[:, 1:] != 0) & (prev != 0) & (sign[:, 1:] != prev),
                            axis=1)


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
