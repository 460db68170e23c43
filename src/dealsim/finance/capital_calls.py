"""Japan's capital calls on the MOU calendar, and the DAA accrued from funding dates.

The cash-flow grid is annual: period ``t`` is calendar year ``first_year + t`` and its
flows are booked at the period's end (31 Dec), where the Deemed Allocation Amount
(DAA) takes its year of deemed interest. Money Japan funds *during* a year accrues
deemed interest from the day it arrives. This module says when it arrives and what
it is worth in the DAA at the year end.

Funding dates follow :mod:`dealsim.finance.funding`: Japan funds no sooner than it must --
on the deadline, :data:`~dealsim.finance.funding.FUNDING_BUSINESS_DAYS` (45) US business days
after the notice (FT, Bloomberg, Mar 2026). Two modes (``mode``):

``"as_spent"``
    Each year's call is noticed in ``calls_per_year`` equal parts on the first business
    day of each equal part of the year (quarters by default: an assumption, the
    notice rhythm is not public) and funded on each notice's deadline.
``"upfront"``
    All construction calls are noticed at once on ``selection`` (default 17 Feb 2026,
    the day tranche 1 was announced) and funded on its deadline (21 Apr 2026). The
    amount is the scenario's total construction call, so nothing is left over or
    short; the prefunded cash is assumed to earn nothing in the SPV (assumption).

Day count: actual/365, deemed interest compounding annually (``(1 + r) ** tau``); an
assumption, the DAA day count is a known gap (``docs/sources.md``).
"""

from __future__ import annotations

import datetime as _dt
import functools
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dealsim.common import validate as v
from dealsim.common.arrays import F64
from dealsim.errors import InvalidParameterError
from dealsim.finance.funding import FUNDING_BUSINESS_DAYS, federal_busdaycalendar, funding_deadline

__all__ = [
    "CALLS_PER_YEAR",
    "FUNDING_MODES",
    "TRANCHE1_SELECTION",
    "FundingCalendar",
    "accrued_calls",
    "deemed_balance",
    "funding_calendar",
    "notice_of_selection",
    "upfront_calls",
]

Mode = Literal["as_spent", "upfront"]

#: Allowed values of ``mode``.
FUNDING_MODES: tuple[str, ...] = get_args(Mode)
#: Notices per year in the as-spent mode: quarterly. Assumption.
CALLS_PER_YEAR: int = 4
#: Notice of selection of tranche 1 (Ohio among it): announced 17 Feb 2026 (press;
#: ``docs/sources.md`` §1).
TRANCHE1_SELECTION: np.datetime64 = np.datetime64("2026-02-17", "D")
_DAYS_PER_YEAR = 365.0


@dataclass(frozen=True, slots=True)
class FundingCalendar:
    """When funding arrives, relative to the annual grid.

    Attributes
    ----------
    mode : {"as_spent", "upfront"}
    first_year : int
        Calendar year of period 0.
    notices, funded : ndarray of datetime64[D], shape (T, Q)
        As-spent: notice and funding date of each of the ``Q`` parts of each period's
        call.
    tau : ndarray, shape (T, Q)
        Years (actual/365) from each funding date to the end of its period, in [0, 1).
    upfront_notice, upfront_funded : numpy.datetime64
        The upfront notice (``selection``) and its funding date.
    upfront_period : int
        Grid period of the upfront funding.
    upfront_tau : float
        Years from the upfront funding to the end of its period.
    """

    mode: str
    first_year: int
    notices: NDArray[np.datetime64]
    funded: NDArray[np.datetime64]
    tau: F64
    upfront_notice: np.datetime64
    upfront_funded: np.datetime64
    upfront_period: int
    upfront_tau: float

    @property
    def horizon(self) -> int:
        """Periods on the grid."""
        return int(self.tau.shape[0])


def notice_of_selection(first_year: int) -> np.datetime64:
    """The notice of selection of a project whose construction starts in ``first_year``.

    Tranche 1's announcement (17 Feb 2026) for a 2026 start, else 1 Jan of the first
    year (assumption: the notice of a later project's selection is not public).

    Examples
    --------
    >>> str(notice_of_selection(2026)), str(notice_of_selection(2027))
    ('2026-02-17', '2027-01-01')
    """
    first = v.integer("first_year", first_year, minimum=1971)
    return TRANCHE1_SELECTION if first == 2026 else np.datetime64(f"{first:04d}-01-01", "D")


def _year_end(year: int) -> np.datetime64:
    return np.datetime64(_dt.date(year, 12, 31), "D")


def _tau(funded: Any, year_end: Any) -> Any:
    return (np.asarray(year_end, dtype="datetime64[D]") - funded).astype(np.int64) / _DAYS_PER_YEAR


def funding_calendar(
    first_year: int,
    horizon: int,
    *,
    mode: Mode = "as_spent",
    selection: Any = TRANCHE1_SELECTION,
    calls_per_year: int = CALLS_PER_YEAR,
    business_days: int = FUNDING_BUSINESS_DAYS,
    busdaycal: np.busdaycalendar | None = None,
) -> FundingCalendar:
    """The funding dates of a grid of ``horizon`` years from ``first_year``.

    Parameters
    ----------
    first_year : int
        Calendar year of period 0 (``Project.first_year``).
    horizon : int
        Periods (T >= 1).
    mode : {"as_spent", "upfront"}
        See the module notes. Both calendars are computed; ``mode`` is recorded for
        :func:`upfront_calls`/:func:`accrued_calls` callers.
    selection : date-like
        Notice of selection for the upfront mode (default 17 Feb 2026).
    calls_per_year : {1, 2, 3, 4}
        Notices per year in the as-spent mode (default 4, quarterly; assumption). At
        most 4 so that every part is funded within its year.
    business_days : int
        Days from notice to funding (default 45).
    busdaycal : numpy.busdaycalendar, optional
        Default: weekdays less US federal holidays.

    Returns
    -------
    FundingCalendar
        With the default ``busdaycal``, one calendar per set of arguments, kept and
        shared between calls (a simulation asks once per block): its arrays are
        read-only.

    Raises
    ------
    InvalidParameterError
        On an unknown mode, ``calls_per_year`` outside 1..4, or (upfront) a selection
        whose funding date is not within the grid.

    Examples
    --------
    >>> cal = funding_calendar(2026, 3)
    >>> [str(d) for d in cal.funded[0]]
    ['2026-03-10', '2026-06-04', '2026-09-03', '2026-12-08']
    >>> str(cal.upfront_funded), cal.upfront_period, round(cal.upfront_tau, 4)
    ('2026-04-21', 0, 0.6959)
    """
    key = (first_year, horizon, mode, _date_key(selection), calls_per_year, business_days)
    if busdaycal is None and all(type(k) in (int, str) for k in key):
        return _default_calendar(*key)  # the same calendar for every block of a run
    return _calendar(first_year, horizon, mode=mode, selection=selection,
                     calls_per_year=calls_per_year, business_days=business_days,
                     busdaycal=busdaycal)


def _date_key(date: Any) -> Any:
    """A hashable key of one date (its ISO string), or ``date`` itself if it is not one."""
    try:
        d = np.asarray(date, dtype="datetime64[D]")
    except (TypeError, ValueError):
        return date
    return str(d) if d.ndim == 0 else date


@functools.lru_cache(maxsize=32)
def _default_calendar(first_year: int, horizon: int, mode: Mode, selection: str,
                      calls_per_year: int, business_days: int) -> FundingCalendar:
    """:func:`funding_calendar` on the default holiday calendar, kept (read-only)."""
    cal = _calendar(first_year, horizon, mode=mode, selection=selection,
                    calls_per_year=calls_per_year, business_days=business_days,
                    busdaycal=None)
    for arr in (cal.notices, cal.funded, cal.tau):
        arr.setflags(write=False)
    return cal


def _calendar(first_year: int, horizon: int, *, mode: Mode, selection: Any,
              calls_per_year: int, business_days: int,
              busdaycal: np.busdaycalendar | None) -> FundingCalendar:
    if mode not in FUNDING_MODES:
        raise InvalidParameterError(f"mode must be one of {FUNDING_MODES}; got {mode!r}")
    first = v.integer("first_year", first_year, minimum=1971)
    T = v.integer("horizon", horizon, minimum=1)
    q = v.integer("calls_per_year", calls_per_year, minimum=1)
    if q > 4:
        raise InvalidParameterError(f"calls_per_year must be 1, 2, 3 or 4; got {calls_per_year!r}")
    cal = busdaycal if busdaycal is not None else federal_busdaycalendar(
        min(first, 2020), max(first + T + 1, 2040))
    months = [1 + 12 * k // q for k in range(q)]
    starts = np.array([[_dt.date(first + t, m, 1) for m in months] for t in range(T)],
                      dtype="datetime64[D]")
    notices = np.busday_offset(starts, 0, roll="forward", busdaycal=cal)
    funded = np.asarray(funding_deadline(notices, business_days, busdaycal=cal),
                        dtype="datetime64[D]").reshape(T, q)
    ends = np.array([_year_end(first + t) for t in range(T)], dtype="datetime64[D]")[:, None]
    tau = _tau(funded, ends)
    if (tau < 0).any():  # pragma: no cover - impossible for q <= 4 and 45 business days
        raise InvalidParameterError(
            f"business_days={business_days!r} pushes a quarterly call past its year end")
    sel = np.asarray(selection, dtype="datetime64[D]")
    if sel.ndim:
        raise InvalidParameterError(f"selection must be one date; got {selection!r}")
    up = np.datetime64(funding_deadline(sel, business_days, busdaycal=cal), "D")
    up_year = int(up.astype("datetime64[Y]").astype(np.int64)) + 1970
    period = up_year - first
    if mode == "upfront" and not 0 <= period < T:
        raise InvalidParameterError(
            f"selection must be funded within the grid {first}..{first + T - 1}; "
            f"{str(sel)!r} is funded on {up}")
    return FundingCalendar(
        mode=str(mode), first_year=first, notices=notices, funded=funded, tau=tau,
        upfront_notice=np.datetime64(str(sel), "D"), upfront_funded=up, upfront_period=period,
        upfront_tau=float(_tau(up, _year_end(up_year))),
    )


def upfront_calls(calls: ArrayLike, construction_end: ArrayLike, period: int) -> F64:
    """Move every construction call to the upfront funding period.

    Parameters
    ----------
    calls : array_like, shape (S, T)
        The investor's calls per period (<= 0, dealsim's sign; 0 where none).
    construction_end : array_like of int, shape (S,)
        First period that is *not* construction (the commercial-operation period,
        ``construction_years + delay``): calls before it are prefunded, calls from it
        on stay as spent.
    period : int
        The upfront funding period (:attr:`FundingCalendar.upfront_period`); must not
        be after the first construction call.

    Returns
    -------
    ndarray, shape (S, T)
        The calls as paid: the construction total in ``period``, 0 in the other
        construction periods, later calls unchanged. Row sums are unchanged.

    Examples
    --------
    >>> upfront_calls([[-3.0, -2.0, -1.0, 5.0, -1.0]], [3], 0)
    array([[-6.,  0.,  0.,  5., -1.]])
    """
    cf = np.asarray(calls, dtype=np.float64)
    end = np.asarray(construction_end, dtype=np.int64)
    if cf.ndim != 2 or end.shape != cf.shape[:1]:
        raise InvalidParameterError(
            f"calls must be (S, T) and construction_end (S,); got {cf.shape} and {end.shape}")
    t = np.arange(cf.shape[1])
    building = t < end[:, None]
    early = building & (t < period) & (cf < 0)
    if early.any():
        raise InvalidParameterError(
            f"period must not be after the first construction call; got period={period!r} "
            f"with a call in period {int(np.argwhere(early)[0, 1])}")
    construction = np.where(building, np.minimum(cf, 0.0), 0.0)
    out = np.where(building & (cf < 0), 0.0, cf)
    out[:, period] += construction.sum(axis=1)
    return out


def _growth(rates: ArrayLike, shape: tuple[int, ...]) -> F64:
    r = np.asarray(rates, dtype=np.float64)
    bad = ~np.isfinite(r) | (r <= -1.0)
    if bad.any():
        raise InvalidParameterError(
            f"rates must be finite decimal rates > -1; got {float(r[bad].flat[0])!r}")
    if r.ndim == 1 and len(shape) == 2:  # one rate per scenario
        r = r[:, None]
    try:
        return np.broadcast_to(1.0 + r, shape)
    except ValueError as exc:
        raise InvalidParameterError(
            f"rates must be a scalar, (S,) or (S, T) broadcastable to {shape}; got shape "
            f"{r.shape}") from exc


def accrued_calls(calls: ArrayLike, rates: ArrayLike, calendar: FundingCalendar) -> F64:
    """Each period's calls as the DAA counts them at the period's end.

    Parameters
    ----------
    calls : array_like, shape (S, T)
        Calls as paid (<= 0), e.g. from :func:`upfront_calls` in the upfront mode.
    rates : float or array_like
        Deemed rates: a scalar, one per scenario ``(S,)`` or a path ``(S, T)``.
    calendar : FundingCalendar
        Its ``mode`` decides the dates: as-spent, each period's call in ``Q`` equal
        parts funded on ``calendar.funded[t]``; upfront, the call in the upfront
        period funded on ``calendar.upfront_funded`` and any later call as spent.

    Returns
    -------
    ndarray, shape (S, T)
        ``call_t * mean_q (1 + r_t) ** tau[t, q]`` (as-spent) -- the call grown by
        deemed interest from its funding dates to the period's end.

    Examples
    --------
    >>> cal = funding_calendar(2026, 2, calls_per_year=1)
    >>> x = accrued_calls([[-100.0, 0.0]], 0.1, cal)
    >>> bool(np.isclose(x[0, 0], -100 * 1.1 ** cal.tau[0, 0]))
    True
    """
    cf = np.asarray(calls, dtype=np.float64)
    if cf.ndim != 2 or cf.shape[1] != calendar.horizon:
        raise InvalidParameterError(
            f"calls must be (S, {calendar.horizon}); got shape {cf.shape}")
    g = _growth(rates, cf.shape)
    factor = np.mean(g[:, :, None] ** calendar.tau[None, :, :], axis=2)
    if calendar.mode == "upfront":
        p = calendar.upfront_period
        factor = np.array(factor)
        factor[:, p] = g[:, p] ** calendar.upfront_tau
    return cf * factor


def deemed_balance(accrued: ArrayLike, rates: ArrayLike) -> F64:
    """The DAA before any distribution: ``B_t = B_{t-1} (1 + r_t) - accrued_t``.

    Parameters
    ----------
    accrued : array_like, shape (S, T)
        Calls as the DAA counts them (:func:`accrued_calls`; <= 0).
    rates : float or array_like
        Deemed rates: scalar, ``(S,)`` or ``(S, T)`` (``r_t`` accrues over period t).

    Returns
    -------
    ndarray, shape (S, T)
        Balances (>= 0) at each period's end.

    Examples
    --------
    >>> deemed_balance([[-100.0, 0.0, -10.0]], [[0.0, 0.1, 0.2]])
    array([[100., 110., 142.]])
    """
    acc = np.asarray(accrued, dtype=np.float64)
    g = _growth(rates, acc.shape)
    out = np.empty_like(acc)
    b = np.zeros(acc.shape[0])
    for t in range(acc.shape[1]):
        b = b * g[:, t] - acc[:, t]
        out[:, t] = b
    return out
