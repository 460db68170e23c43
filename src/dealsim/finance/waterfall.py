"""Net project cash -> investor / host flows under a two-tier Deemed Allocation split.

The split is a scan over periods (a Python loop over ``T``, typically 20-100
iterations) vectorised across every scenario: exact with capital calls at any
time. Each period is one call of :func:`dealsim.kernels.steps.waterfall_period`, the same
step the Monte Carlo block and its compiled kernel run, on cache-sized blocks of
scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dealsim.common import validate as _validate
from dealsim.errors import InvalidCashflowsError, InvalidParameterError
from dealsim.kernels import steps as _steps
from dealsim.kernels.steps import SplitParams
from dealsim.model.terms import DealTerms

__all__ = ["WaterfallResult", "waterfall"]

#: Scenarios scanned together. Per-period vectors of 16384 float64 (128 kB) keep the
#: block's working set in cache while amortising numpy's per-call overhead (measured
#: on 2 cores: 2048 was ~1.5x slower, 65536 no faster).
_BLOCK = 16384


@dataclass(frozen=True, slots=True)
class WaterfallResult:
    """What :func:`waterfall` returns.

    Attributes
    ----------
    investor : ndarray of float64, shape ``net_cash.shape``
        Investor's flows in its own sign convention: negative = paid in (capital
        calls), positive = received.
    host : ndarray of float64, shape ``net_cash.shape``
        Host's (US side's) receipts; 0 in capital-call periods.
        ``investor + host == net_cash`` to float rounding.
    recovered_at : ndarray of int64, shape ``net_cash.shape[:-1]``
        First period at whose end the unrecovered balance is 0 after having been
        positive; -1 if never. 0-d for 1-D input.
    balance : ndarray of float64, shape ``net_cash.shape``, or None
        Unrecovered Deemed Allocation balance at the end of each period (for the
        scheduled reading: outstanding principal + arrears). ``None`` when
        :func:`waterfall` was called with ``keep_balance=False``.
    """

    investor: NDArray[np.float64]
    host: NDArray[np.float64]
    recovered_at: NDArray[np.int64]
    balance: NDArray[np.float64] | None


def _deemed_rates(value: ArrayLike, lead: tuple[int, ...]) -> float | NDArray[np.float64]:
    """Validate ``deemed_rate``: a scalar, or an array broadcastable to ``lead`` (flat)."""
    arr = _validate.numeric_array("deemed_rate", value)
    if arr.ndim == 0:
        return _validate.rate("deemed_rate", arr.item())
    arr = _validate.as_factor("deemed_rate", value, low=-1.0, low_open=True)
    try:
        out = np.broadcast_to(arr, lead)
    except ValueError as exc:
        raise InvalidParameterError(
            f"deemed_rate must be a scalar or broadcastable to net_cash.shape[:-1] = {lead}; "
            f"got shape {arr.shape}"
        ) from exc
    return np.ascontiguousarray(out, dtype=np.float64).reshape(-1)


def _check_finite(inv: NDArray[np.float64], bal: NDArray[np.float64] | None,
                  net: NDArray[np.float64]) -> None:
    """Raise if the split overflowed float64 (a balance beyond ~1.8e308)."""
    if np.isfinite(inv).all() and (bal is None or np.isfinite(bal).all()):
        return
    bad = tuple(int(i) for i in np.argwhere(~np.isfinite(inv if bal is None else inv + bal))[0])
    raise InvalidCashflowsError(
        f"net_cash: the deemed-allocation balance overflows float64 in scenario {bad[0]} "
        f"at period {bad[1]} (net cash up to {np.abs(net).max():.3g} in size, compounded at "
        "the deemed rate); express the cash flows in larger units (e.g. USD bn)")


def _split_params(terms: DealTerms) -> SplitParams:
    """The :class:`dealsim.kernels.steps.SplitParams` of ``terms``."""
    return SplitParams(share_before=float(terms.share_before),
                       share_after=float(terms.share_after),
                       scheduled=terms.reading == "scheduled",
                       amortisation_periods=int(terms.amortisation_periods))


def _waterfall_core(
    net: NDArray[np.float64], rate: float | NDArray[np.float64], sp: SplitParams,
    *, keep_balance: bool, disc: float | NDArray[np.float64] | None = None,
    fee: NDArray[np.float64] | None = None, tax: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64] | None, NDArray[np.int64],
           NDArray[np.float64]]:
    """The split of ``(S, T)`` net cash (checked), block by block, period by period.

    Runs :func:`dealsim.kernels.steps.scenario_split`, the Monte Carlo block's own pass.
    ``rate`` (deemed) and ``disc`` (discount, default ``rate``) are floats or ``(S,)``;
    ``fee`` is ``(S, T)`` or None (no fees); ``tax`` ``(S, T)``, read with
    ``sp.investor_tax``, when the split overwrites it and ``net`` with the investor's
    own tax and the cash after it (:func:`dealsim.kernels.steps.scenario_split`). Returns
    ``(investor, balance or None, recovered_at, sums)`` with ``sums`` of shape
    ``(6, S)``: investor and host NPVs at ``disc``, fee PV, fee total, the investor's
    gross receipts and payments. Each block of scenarios is worked on as strided
    ``(T, w)`` views of the ``(S, T)`` arrays (measured: faster than copying each block
    into contiguous scratch and back).
    """
    S, T = net.shape
    inv = np.empty((S, T))
    bal = np.empty((S, T)) if keep_balance else None
    rec = np.empty(S, dtype=np.int64)
    sums = np.empty((6, S))

    def part(x: Any, lo: int, hi: int) -> Any:
        return np.full(hi - lo, float(x)) if np.ndim(x) == 0 else x[lo:hi]

    with np.errstate(all="ignore"):  # an overflow is reported by the caller
        for lo in range(0, S, _BLOCK):
            hi = min(lo + _BLOCK, S)
            r = np.broadcast_to(part(rate, lo, hi), (T, hi - lo))
            d = r if disc is None else np.broadcast_to(part(disc, lo, hi), (T, hi - lo))
            lines = _steps.FeeAndNet(None if fee is None else fee[lo:hi].T, net[lo:hi].T,
                                     None if tax is None else tax[lo:hi].T)
            out = _steps.scenario_split(
                sp, r, d, lines, inv[lo:hi].T,
                _steps.Discard() if bal is None else bal[lo:hi].T)
            sums[:, lo:hi] = out[:6]
            rec[lo:hi] = out[6]
    return inv, bal, rec, sums


def waterfall(
    net_cash: ArrayLike,
    terms: DealTerms,
    *,
    deemed_rate: ArrayLike | None = None,
    keep_balance: bool = True,
) -> WaterfallResult:
    """Split net project cash between the investor and the host, period by period.

    Parameters
    ----------
    net_cash : array_like of float, shape ``(..., T)``
        Net project cash per period, time on the last axis, any leading scenario
        axes. Negative = the project needs money and the investor pays it in
        (a capital call); positive = distributable cash.
    terms : DealTerms
        Shares, reading and (default) deemed rate.
    deemed_rate : float or array_like, shape broadcastable to ``net_cash.shape[:-1]``, optional
        Deemed interest rate per period (decimal, > -1), one per scenario if an
        array. ``None`` (default) uses ``terms.deemed_rate``.
    keep_balance : bool, default True
        Return the per-period balance in ``result.balance``. Pass ``False`` to save
        one ``net_cash``-sized array (320 MB at 1e6 x 40); ``balance`` is then None.

    Returns
    -------
    WaterfallResult
        ``investor`` and ``host`` (shape of ``net_cash``), ``recovered_at``
        (int64, shape ``net_cash.shape[:-1]``) and ``balance``.

    Raises
    ------
    InvalidCashflowsError
        If ``net_cash`` is not numeric, has no periods or holds NaN/inf.
    InvalidParameterError
        If ``terms`` is not a DealTerms, or ``deemed_rate`` is not finite, is <= -1
        or does not broadcast to ``net_cash.shape[:-1]``.

    Notes
    -----
    Let ``c_t`` be net cash, ``r`` the deemed rate, ``a = share_before``,
    ``b = share_after``, ``call_t = max(-c_t, 0)`` and ``x_t = max(c_t, 0)``. In a
    period with ``c_t < 0`` the investor pays ``c_t`` in and nothing is distributed
    (``investor_t = c_t``, ``host_t = 0``).

    **Aggregate reading** (``terms.reading == "aggregate"``). One unrecovered
    balance ``B`` (``B_{-1} = 0``)::

        D_t = B_{t-1} * (1 + r) + call_t          # deemed interest, then the call
        if a * x_t >= D_t:                        # cash clears the balance
            investor_t = D_t + b * (x_t - D_t / a);  B_t = 0
        else:
            investor_t = a * x_t;                    B_t = D_t - a * x_t
        (plus c_t in a capital-call period, where x_t = 0)

    ``B`` falls only by what the investor receives in the first tier, so clearing
    ``B`` takes ``B / a`` of cash (2 x B at 50/50). A later capital call raises
    ``B`` and reopens the first tier.

    **Scheduled reading** (``terms.reading == "scheduled"``); all choices below are
    ASSUMPTIONS, the primary clause is not public. Outstanding principal ``P``
    (not yet due) and arrears ``A`` (due, unpaid), ``N = amortisation_periods``:

    - *Start.* The schedule starts in the first period with ``c_t > 0`` while
      ``P_{t-1} > 0`` (the first distributable period after capital was called).
      Before it, deemed interest is capitalised: ``P_t = P_{t-1} (1 + r) + call_t``
      and nothing is due.
    - *Installment.* From the start, in every period (capital-call periods
      included), with ``k`` periods elapsed since the start and
      ``n = max(N - k, 1)``::

          due_t = max(r * P_{t-1} + P_{t-1} / n + (1 + r) * A_{t-1}, 0)
          P_t   = P_{t-1} - P_{t-1} / n + call_t

      i.e. deemed interest on the principal, straight-line principal over the
      periods left, and arrears carried forward with deemed interest (the floor
      at 0 only matters for a negative rate ``r < -1/n``, whose excess credit is
      forgone). Capital
      called after the start is thus re-amortised over the remaining periods;
      after period ``N`` of the schedule any principal (e.g. from a late call)
      falls due in full the next period.
    - *Split.* Cash up to ``due_t / a`` (twice the amount due at 50/50) is split
      ``a / (1 - a)``; the excess ``b / (1 - b)``. ``A_t = due_t - a * x_t`` if
      that is positive, else 0. Only first-tier receipts pay the schedule down.
    - ``balance = P + A`` and ``recovered_at`` is the first period at whose end
      ``P + A == 0`` after having been positive.

    Both readings obey ``balance_t = (1 + r) balance_{t-1} + call_t - first-tier
    receipts_t`` (the scheduled one while ``due_t`` is not floored); they differ
    in how much cash the first tier may take per period (the whole balance vs.
    the installment due). With ``amortisation_periods=1``
    the scheduled reading equals the aggregate one.

    References
    ----------
    .. [1] MOU on Strategic Investments, para. 13, quoted in the Cabinet written
           answer of 28 Nov 2025 (内閣衆質219第80号, shugiin.go.jp).
    .. [2] Deemed Allocation Amount as principal plus interest, shortfalls carried
           forward: R. Katz; OhmyNews worked example; St. Louis Fed (``docs/sources.md``).
           The two readings are an assumption: the text is ambiguous.

    Examples
    --------
    The aggregate reading at a zero deemed rate: 100 paid in, then 2 x 100 of cash
    must be distributed 50/50 before the 90/10 split.

    >>> from dealsim.model.terms import DealTerms
    >>> res = waterfall([-100, 30, 30, 30, 30, 100], DealTerms())
    >>> res.investor
    array([-100.,   15.,   15.,   15.,   15.,   42.])
    >>> res.host
    array([ 0., 15., 15., 15., 15., 58.])
    >>> int(res.recovered_at)
    5

    The same cash under the scheduled reading (10% deemed rate, 4 periods):

    >>> sched = DealTerms(deemed_rate=0.1, reading="scheduled", amortisation_periods=4)
    >>> res = waterfall([-100, 60, 100, 20, 80, 100], sched)
    >>> res.investor.round(10)
    array([-100.  ,   30.  ,   40.4 ,   10.  ,   40.  ,   18.36])
    >>> res.balance.round(10)
    array([100. ,  80. ,  50. ,  45. ,   9.5,   0. ])

    One deemed rate per scenario (2 scenarios, 3 periods):

    >>> waterfall([[-10, 4, 30], [-10, 4, 30]], DealTerms(),
    ...           deemed_rate=[0.0, 0.5]).investor
    array([[-10. ,   2. ,   9.4],
           [-10. ,   2. ,  15. ]])
    >>> res = waterfall([[-10, 4, 30], [-10, 4, 30]], DealTerms(), deemed_rate=[0.0, 0.5])
    >>> res.recovered_at
    array([ 2, -1])
    """
    net = _validate.as_cashflows("net_cash", net_cash)
    if not isinstance(terms, DealTerms):
        raise InvalidParameterError(
            f"terms must be a DealTerms; got {type(terms).__name__} {_validate._short(terms)}"
        )
    lead = net.shape[:-1]
    r_all = _deemed_rates(terms.deemed_rate if deemed_rate is None else deemed_rate, lead)
    inv, bal, rec, _ = _waterfall_core(net.reshape(-1, net.shape[-1]), r_all,
                                       _split_params(terms), keep_balance=keep_balance)
    _check_finite(inv, bal, net)
    investor = inv.reshape(net.shape)
    return WaterfallResult(
        investor=investor,
        host=np.subtract(net, investor),
        recovered_at=rec.reshape(lead),
        balance=None if bal is None else bal.reshape(net.shape),
    )
