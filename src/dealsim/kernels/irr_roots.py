"""Root isolation in the Bernstein basis, for IRR rows whose flows change sign more
than once (the steps that :mod:`dealsim.kernels.irr_core` runs on them).

Like :mod:`dealsim.kernels.irr_core`, plain arithmetic written once: numba compiles the
scalar loops (:func:`explore` and what it calls), the numpy path
(:mod:`dealsim.kernels.irr`) runs the same one-line steps (:func:`raise_step`,
:func:`casteljau_step`, :func:`deflate_step`, :func:`error_factor`) on slices of
arrays of pieces, so both give the same bits. Imports nothing from dealsim.

Each side of r = 0 is a polynomial on [0, 1] (x for r >= 0, y for r <= 0), written
in the Bernstein basis of degree n = T - 1: ``P(z) = sum_k b_k C(n,k) z**k (1-z)**(n-k)``.
The number of sign changes of (b_0 .. b_n) bounds the number of roots in (0, 1),
with the same parity (Descartes' rule of signs for the Bernstein basis); de
Casteljau's algorithm gives the coefficients on the two halves of an interval by
averaging only. Splitting until every piece shows 0 sign changes (no root) or 1
(exactly one root, a bracket for Newton) isolates every real root. A coefficient
within its rounding-error bound of zero has an unknown sign and counts either way,
so a piece is declared root-free or single-rooted only when rounding cannot change
that; pieces that stay undecided to :data:`MAX_DEPTH` are clusters of roots (or a
multiple root) closer together than the flows' precision separates.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "CLUSTER",
    "MAX_DEPTH",
    "NO_ROOT",
    "ONE_ROOT",
    "SPLIT",
    "SPLITS",
    "UNIT",
    "casteljau_step",
    "classify",
    "deflate",
    "deflate_step",
    "error_factor",
    "explore",
    "leaf_counts",
    "raise_step",
    "split_at",
    "to_bernstein",
]

#: Unit roundoff of float64.
UNIT = 2.0**-53
#: Deepest subdivision (pieces of about 2**-64 of [0, 1]; a cluster narrower than
#: that is reported, not resolved).
MAX_DEPTH = 64
#: Split points tried in turn (as fractions of the piece): the first at which the
#: polynomial is not within rounding of zero is used, so that no root sits on a split.
SPLITS = (0.5, 0.4375, 0.5625, 0.375, 0.625)
#: Outcomes of :func:`classify`.
NO_ROOT, ONE_ROOT, SPLIT, CLUSTER = 0, 1, 2, 3


def raise_step(a: Any, w: Any, b: Any) -> Any:
    """``a + w b``: one coefficient of ``a + z q(z)`` in the Bernstein basis one degree
    up, from the coefficient ``b`` of ``q`` (weight ``w = k/(d + 1)``)."""
    return a + w * b


def casteljau_step(s: Any, b_left: Any, t: Any, b_right: Any) -> Any:
    """``s b_left + t b_right`` (``s = 1 - t``): one point of de Casteljau's scheme."""
    return s * b_left + t * b_right


def deflate_step(b: Any, b_prev: Any, w: Any) -> Any:
    """``b + w b_prev``: one coefficient of ``P(z)/(1 - z)`` raised back to degree n
    (``w = k/(n - k + 1)``), see :func:`deflate`."""
    return b + w * b_prev


def error_factor(depth: Any, n: int) -> Any:
    """Rounding-error bound of a piece's Bernstein coefficients, per unit of their
    magnitudes (see :func:`explore`): ``b_k`` is within ``error_factor * m_k`` of
    its exact value.

    ``m`` holds the Bernstein coefficients of ``sum_s |a_s| z**s`` carried through the
    same steps, so ``|b_k| <= m_k`` and each rounding of a step is at most ``UNIT``
    times the ``m`` of its result. :func:`to_bernstein`'s ``n`` raises add a product
    with a weight in [0, 1] (three roundings each; eight with a margin); each de
    Casteljau split above the piece carries the errors over by convex combinations
    and adds three roundings at each of its ``n`` levels (four with a margin).
    """
    return (8.0 + 4.0 * depth) * (n + 1) * UNIT


def leaf_counts(hi: Any, use_y: bool) -> Any:
    """Whether a leaf ending at ``hi`` (its end nearest to r = 0) has a representable
    rate: ``representable(rate_from_var(hi, use_y))`` of :mod:`dealsim.kernels.irr_core`,
    written out (``use_y`` is one bool for all pieces)."""
    if use_y:
        return hi - 1.0 > -1.0
    return (1.0 - hi) / hi < np.inf


def to_bernstein(a: Any, b: Any, n: int) -> None:
    """Bernstein coefficients on [0, 1] of ``sum_s a[s] z**s`` (degree ``n``), into ``b``.

    Horner's rule in the Bernstein basis: ``q <- a_j + z q`` raises the degree by one,
    ``b'_0 = a_j``, ``b'_k = a_j + k/(d + 1) b_{k-1}`` (no binomials, weights in
    [0, 1]). Scalar loops (the numpy path runs the same :func:`raise_step` on slices).
    """
    b[0] = a[n]
    for d in range(n):
        aj = a[n - 1 - d]
        for k in range(d + 1, 0, -1):
            b[k] = raise_step(aj, k / (d + 1), b[k - 1])
        b[0] = aj


def deflate(b: Any, n: int) -> None:
    """Replace Bernstein coefficients of ``P`` with ``P(1) = 0`` (``b_n = 0``) by those
    of ``P(z)/(1 - z)``, raised back to degree n: ``b'_k = b_k + k/(n - k + 1) b_{k-1}``
    (``b_n`` is not read: the root at 1 is divided out)."""
    for k in range(n, 0, -1):
        b[k] = deflate_step(b[k] if k < n else 0.0, b[k - 1], k / (n - k + 1))


def split_at(b: Any, left: Any, n: int, s: float, t: float) -> None:
    """de Casteljau at ``t`` (``s = 1 - t``): ``left`` gets the coefficients on the left
    part of the piece, ``b`` (overwritten) those on the right part; ``left[n] == b[0]``
    is the polynomial at the split point."""
    for level in range(n):
        left[level] = b[0]
        for k in range(n - level):
            b[k] = casteljau_step(s, b[k], t, b[k + 1])
    left[n] = b[0]


def classify(b: Any, m: Any, n: int, g: float) -> int:
    """What the Bernstein coefficients ``b`` (error bound ``g m_k`` each) say about a
    piece.

    :data:`NO_ROOT` where every coefficient has a certain sign and all agree;
    :data:`ONE_ROOT` where the end values have certain, opposite signs and at most one
    coefficient lies between the leading run of the first sign and the trailing run
    of the other (the sign changes are then 1 however rounding went); :data:`CLUSTER`
    where no coefficient has a certain sign; else :data:`SPLIT`.
    """
    all_pos = all_neg = True
    any_sure = False
    for k in range(n + 1):
        e = g * m[k]
        pos, neg = b[k] > e, b[k] < -e
        all_pos = all_pos and pos
        all_neg = all_neg and neg
        any_sure = any_sure or pos or neg
    if all_pos or all_neg:
        return NO_ROOT
    if not any_sure:
        return CLUSTER
    first_pos, first_neg = b[0] > g * m[0], b[0] < -(g * m[0])
    if (first_pos and b[n] < -(g * m[n])) or (first_neg and b[n] > g * m[n]):
        lead = 1
        while lead <= n and ((b[lead] > g * m[lead]) if first_pos
                             else (b[lead] < -(g * m[lead]))):
            lead += 1
        trail = 1
        while trail <= n and ((b[n - trail] < -(g * m[n - trail])) if first_pos
                              else (b[n - trail] > g * m[n - trail])):
            trail += 1
        if lead + trail >= n:
            return ONE_ROOT
    return SPLIT


def explore(b_root: Any, m_root: Any, n: int, use_y: bool, limit: int, stack: Any,
            pieces: Any, work: Any) -> tuple[int, int, float, float, float, float]:
    """Isolate the roots in (0, 1) of the polynomial with Bernstein coefficients
    ``b_root`` on [0, 1], depth first, right piece first.

    ``m_root``: the Bernstein coefficients of the magnitudes (``sum_s |a_s| z**s``),
    split alongside: they bound the rounding errors (:func:`error_factor`). Leaves
    (isolated roots and clusters whose rate is representable) come out from the
    right, the first is the one nearest to r = 0 on that side; the search stops at the
    ``limit``-th. Scratch: ``stack`` ``(MAX_DEPTH + 2, 2, n + 1)``, ``pieces``
    ``(MAX_DEPTH + 2, 3)``, ``work`` ``(6, n + 1)``.

    Returns ``(count, kind, lo, hi, f_lo, f_hi)``: the number of leaves found (at most
    ``limit``), and the first one: its kind (:data:`ONE_ROOT`, :data:`CLUSTER`, or
    :data:`NO_ROOT` if there is none), its piece and the polynomial at its ends.
    """
    b, m, b_r, m_r, b_l, m_l = work[0], work[1], work[2], work[3], work[4], work[5]
    for k in range(n + 1):
        stack[0, 0, k], stack[0, 1, k] = b_root[k], m_root[k]
    pieces[0, 0], pieces[0, 1], pieces[0, 2] = 0.0, 1.0, 0.0
    top = 0
    count, kind = 0, NO_ROOT
    best_lo = best_hi = f_lo = f_hi = np.nan
    while top >= 0 and count < limit:
        for k in range(n + 1):
            b[k], m[k] = stack[top, 0, k], stack[top, 1, k]
        lo, hi, depth = pieces[top, 0], pieces[top, 1], pieces[top, 2]
        top -= 1
        cls = classify(b, m, n, error_factor(depth, n))
        if cls == NO_ROOT:
            continue
        if cls == SPLIT and depth < MAX_DEPTH:
            t = c = 0.5
            g = error_factor(depth + 1.0, n)
            for t in SPLITS:
                for k in range(n + 1):
                    b_r[k], m_r[k] = b[k], m[k]
                split_at(b_r, b_l, n, 1.0 - t, t)
                split_at(m_r, m_l, n, 1.0 - t, t)
                c = lo + t * (hi - lo)
                if abs(b_l[n]) > g * m_l[n]:
                    break
            if lo < c < hi:  # left below, right on top: the right is searched first
                for k in range(n + 1):
                    stack[top + 1, 0, k], stack[top + 1, 1, k] = b_l[k], m_l[k]
                    stack[top + 2, 0, k], stack[top + 2, 1, k] = b_r[k], m_r[k]
                pieces[top + 1, 0], pieces[top + 1, 1] = lo, c
                pieces[top + 2, 0], pieces[top + 2, 1] = c, hi
                pieces[top + 1, 2] = pieces[top + 2, 2] = depth + 1.0
                top += 2
                continue
        if leaf_counts(hi, use_y):
            if count == 0:
                kind = ONE_ROOT if cls == ONE_ROOT else CLUSTER
                best_lo, best_hi, f_lo, f_hi = lo, hi, b[0], b[n]
            count += 1
    return count, kind, best_lo, best_hi, f_lo, f_hi
