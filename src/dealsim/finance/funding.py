"""The MOU's funding calendar: deadlines after selection, the commitment end, annual caps.

Japan funds a selected project within **45 business days** of the notice of selection
(FT, Bloomberg, Mar 2026; ``docs/sources.md`` §1), counted on a US business-day
calendar (weekdays less US federal holidays). The commitment runs until **19 Jan 2029**
(Hudson Institute; Reuters). Korea's MOU caps its outlay at **$20bn a year** (Newspim).
:func:`funding_schedule` lays a pipeline of projects against these terms and flags what
breaks them.

Known conflict: reports of Sept 2025 said "45 days", the FT/Bloomberg (Mar 2026)
"45 business days" (≈ 63 calendar days). :func:`funding_deadline` supports both
(``calendar_days=True`` for the first).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dealsim.common import validate as v
from dealsim.errors import InvalidParameterError

__all__ = [
    "COMMITMENT_END",
    "FUNDING_BUSINESS_DAYS",
    "JAPAN_COMMITMENT",
    "KOREA_ANNUAL_CAP",
    "FundingSchedule",
    "ScheduleRow",
    "federal_busdaycalendar",
    "funding_deadline",
    "funding_schedule",
    "us_federal_holidays",
]

#: Last day of Japan's commitment period: invested "from time to time" until 19 Jan 2029
#: (Hudson Institute; Reuters JP summary; ``docs/sources.md`` §1).
COMMITMENT_END: np.datetime64 = np.datetime64("2029-01-19", "D")
#: Business days Japan has to fund a project after notice of selection (FT Mar 2026,
#: Bloomberg; ``docs/sources.md`` §1).
FUNDING_BUSINESS_DAYS: int = 45
#: Japan's total commitment, USD (Hudson Institute; ``docs/sources.md`` §1).
JAPAN_COMMITMENT: float = 550e9
#: Korea's annual cap, USD per calendar year (Newspim, Nov 2025; ``docs/sources.md`` §1).
KOREA_ANNUAL_CAP: float = 20e9

#: First year for which the present holiday rules hold (Uniform Monday Holiday Act,
#: effective 1971).
_FIRST_RULE_YEAR = 1971
_WEEKMASK = "1111100"

Date = NDArray[np.datetime64]


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> _dt.date:
    """The ``nth`` (1-based; -1 = last) ``weekday`` (Mon = 0) of a month."""
    if nth > 0:
        first = _dt.date(year, month, 1)
        return first + _dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    last = _dt.date(year + month // 12, month % 12 + 1, 1) - _dt.timedelta(days=1)
    return last - _dt.timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: _dt.date) -> _dt.date:
    """Saturday -> the Friday before, Sunday -> the Monday after (5 U.S.C. 6103(b))."""
    shift = {5: -1, 6: 1}.get(day.weekday(), 0)
    return day + _dt.timedelta(days=shift)


def _holidays_of(year: int) -> list[_dt.date]:
    """Observed dates of the federal holidays whose nominal date is in ``year``."""
    mon, thu = 0, 3
    fixed = [_dt.date(year, 1, 1), _dt.date(year, 7, 4), _dt.date(year, 11, 11),
             _dt.date(year, 12, 25)]
    if year >= 2021:
        fixed.append(_dt.date(year, 6, 19))  # Juneteenth, Pub. L. 117-17 (2021)
    ruled = [
        _nth_weekday(year, 2, mon, 3),   # Washington's Birthday: third Monday of February
        _nth_weekday(year, 5, mon, -1),  # Memorial Day: last Monday of May
        _nth_weekday(year, 9, mon, 1),   # Labor Day: first Monday of September
        _nth_weekday(year, 10, mon, 2),  # Columbus Day: second Monday of October
        _nth_weekday(year, 11, thu, 4),  # Thanksgiving: fourth Thursday of November
    ]
    if year >= 1986:
        ruled.append(_nth_weekday(year, 1, mon, 3))  # Birthday of M. L. King Jr.
    return [_observed(d) for d in fixed] + ruled


def us_federal_holidays(start_year: int, end_year: int) -> Date:
    """Observed US federal holidays falling in ``start_year`` .. ``end_year`` (inclusive).

    Parameters
    ----------
    start_year, end_year : int
        Calendar years, ``1971 <= start_year <= end_year``.

    Returns
    -------
    ndarray of datetime64[D]
        Sorted observed dates. A fixed-date holiday on a Saturday is observed the Friday
        before (so 1 Jan on a Saturday gives 31 Dec of the year before, listed under that
        year), on a Sunday the Monday after.

    Raises
    ------
    InvalidParameterError
        If a year is not an integer, ``start_year < 1971`` or ``end_year < start_year``.

    Notes
    -----
    The eleven holidays of 5 U.S.C. 6103(a): New Year's Day (1 Jan), Birthday of Martin
    Luther King Jr. (third Monday of January, from 1986), Washington's Birthday (third
    Monday of February), Memorial Day (last Monday of May), Juneteenth (19 June, from
    2021), Independence Day (4 July), Labor Day (first Monday of September), Columbus
    Day (second Monday of October), Veterans Day (11 November), Thanksgiving (fourth
    Thursday of November), Christmas (25 December). Observed-date rule: 5 U.S.C.
    6103(b) and Executive Order 11582. Inauguration Day (20 Jan after a presidential
    election, 6103(c)) is a holiday only for federal employees in the Washington DC
    area and is **excluded**; so are one-off closures by executive order.

    References
    ----------
    .. [1] 5 U.S.C. 6103, Holidays; OPM, "Federal Holidays".

    Examples
    --------
    >>> [str(d) for d in us_federal_holidays(2026, 2026)][:4]
    ['2026-01-01', '2026-01-19', '2026-02-16', '2026-05-25']
    >>> str(us_federal_holidays(2026, 2026)[5])  # 4 Jul 2026 is a Saturday
    '2026-07-03'
    >>> [str(d) for d in us_federal_holidays(2021, 2021)][-1]  # 1 Jan 2022 is a Saturday
    '2021-12-31'
    """
    start = v.integer("start_year", start_year, minimum=_FIRST_RULE_YEAR)
    end = v.integer("end_year", end_year, minimum=_FIRST_RULE_YEAR)
    if end < start:
        raise InvalidParameterError(
            f"end_year must be >= start_year={start}; got {end_year!r}")
    days = {d for y in range(start - 1, end + 2) for d in _holidays_of(y)
            if start <= d.year <= end}
    return np.array(sorted(days), dtype="datetime64[D]")


@lru_cache(maxsize=8)
def federal_busdaycalendar(start_year: int = 2020, end_year: int = 2040) -> np.busdaycalendar:
    """A :class:`numpy.busdaycalendar`: Monday to Friday less the federal holidays.

    Parameters
    ----------
    start_year, end_year : int
        Years whose holidays are included (see :func:`us_federal_holidays`). Dates
        outside this range see weekends only.

    Returns
    -------
    numpy.busdaycalendar

    Examples
    --------
    >>> cal = federal_busdaycalendar()
    >>> bool(np.is_busday(np.datetime64("2026-07-03"), busdaycal=cal))
    False
    """
    return np.busdaycalendar(weekmask=_WEEKMASK,
                             holidays=us_federal_holidays(start_year, end_year))


def _year(day: np.datetime64) -> int:
    return int(day.astype("datetime64[Y]").astype(np.int64)) + 1970


def _as_dates(name: str, dates: Any) -> Date:
    try:
        out = np.asarray(dates, dtype="datetime64[D]")
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(
            f"{name} must be dates (datetime64, date or 'YYYY-MM-DD'); got {dates!r}") from exc
    if np.isnat(out).any():
        raise InvalidParameterError(f"{name} must not hold NaT; got {dates!r}")
    return out


def funding_deadline(
    selection_dates: ArrayLike,
    business_days: int = FUNDING_BUSINESS_DAYS,
    *,
    calendar_days: bool = False,
    busdaycal: np.busdaycalendar | None = None,
) -> Any:
    """The last day on which Japan can fund a project selected on ``selection_dates``.

    Parameters
    ----------
    selection_dates : date-like or array of date-like
        Dates of the notice of selection (``datetime64``, :class:`datetime.date` or
        ``"YYYY-MM-DD"`` strings).
    business_days : int
        Days allowed, default 45 (FT Mar 2026, Bloomberg; ``docs/sources.md`` §1).
    calendar_days : bool
        ``True`` reads the term as *calendar* days (the Sept 2025 reports' "45 days"):
        the deadline is simply ``selection + business_days`` days.
    busdaycal : numpy.busdaycalendar, optional
        Default :func:`federal_busdaycalendar` (weekdays less US federal holidays).

    Returns
    -------
    numpy.datetime64 or ndarray of datetime64[D]
        Same shape as ``selection_dates``.

    Raises
    ------
    InvalidParameterError
        If a date cannot be read or ``business_days < 1``.

    Notes
    -----
    Day 1 is the first business day *after* the notice; the deadline is business day
    ``business_days``: ``np.busday_offset(selection, business_days, roll="backward")``
    (a notice given on a weekend or holiday counts from the next business day).

    Examples
    --------
    >>> str(funding_deadline("2026-02-17"))  # tranche 1 announced Tue 17 Feb 2026
    '2026-04-21'
    >>> str(funding_deadline("2026-02-17", calendar_days=True))
    '2026-04-03'
    """
    dates = _as_dates("selection_dates", selection_dates)
    days = v.integer("business_days", business_days, minimum=1)
    if calendar_days:
        out = dates + np.timedelta64(days, "D")
    else:
        cal = busdaycal if busdaycal is not None else federal_busdaycalendar()
        out = np.busday_offset(dates, days, roll="backward", busdaycal=cal)
    return out[()] if out.ndim == 0 else out


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """One project of a :class:`FundingSchedule`; amounts in USD."""

    project: str
    selection: np.datetime64
    deadline: np.datetime64
    amount: float
    cumulative: float
    year_total: float
    after_end: bool
    over_cap: bool
    over_total: bool

    @property
    def ok(self) -> bool:
        """No flag raised."""
        return not (self.after_end or self.over_cap or self.over_total)


@dataclass(frozen=True, slots=True)
class FundingSchedule:
    """A pipeline laid against the funding terms; ``str()`` prints it as a table.

    Attributes
    ----------
    rows : tuple of ScheduleRow
        In order of selection date (ties keep input order).
    commitment_end : numpy.datetime64
    annual_cap, total_cap : float or None
        USD; ``None`` when not tested.
    business_days : int
    calendar_days : bool
    """

    rows: tuple[ScheduleRow, ...]
    commitment_end: np.datetime64
    annual_cap: float | None
    total_cap: float | None
    business_days: int
    calendar_days: bool

    @property
    def ok(self) -> bool:
        """True when no row is flagged."""
        return all(r.ok for r in self.rows)

    def year_totals(self) -> dict[int, float]:
        """Amount funded per calendar year of the deadline, USD."""
        out: dict[int, float] = {}
        for r in self.rows:
            year = _year(r.deadline)
            out[year] = out.get(year, 0.0) + r.amount
        return out

    def violations(self) -> list[str]:
        """One sentence per flag raised."""
        out = []
        for r in self.rows:
            if r.after_end:
                out.append(f"{r.project}: funding deadline {r.deadline} is after the "
                           f"commitment end {self.commitment_end}")
            if r.over_cap:
                out.append(f"{r.project}: {_year(r.deadline)} total {r.year_total / 1e9:.1f}"
                           f" bn exceeds the annual cap {(self.annual_cap or 0) / 1e9:.1f} bn")
            if r.over_total:
                out.append(f"{r.project}: cumulative {r.cumulative / 1e9:.1f} bn exceeds the "
                           f"total commitment {(self.total_cap or 0) / 1e9:.1f} bn")
        return out

    def __str__(self) -> str:
        unit = "calendar" if self.calendar_days else "business"
        head = (f"{'project':<28}{'selected':>12}{'deadline':>12}{'amount':>9}{'cumul.':>9}"
                f"{'year':>9}  flags")
        lines = [f"Funding schedule: deadline {self.business_days} {unit} days after "
                 f"selection; commitment ends {self.commitment_end}; USD bn", head]
        for r in self.rows:
            flags = ",".join(f for f, on in (("AFTER_END", r.after_end), ("OVER_CAP", r.over_cap),
                                            ("OVER_TOTAL", r.over_total)) if on) or "ok"
            lines.append(f"{r.project[:27]:<28}{str(r.selection):>12}{str(r.deadline):>12}"
                         f"{r.amount / 1e9:>9.1f}{r.cumulative / 1e9:>9.1f}"
                         f"{r.year_total / 1e9:>9.1f}  {flags}")
        lines += [f"  ! {msg}" for msg in self.violations()]
        return "\n".join(lines)


def funding_schedule(
    pipeline: Iterable[Sequence[Any]],
    *,
    annual_cap: float | None = None,
    total_cap: float | None = JAPAN_COMMITMENT,
    commitment_end: Any = COMMITMENT_END,
    business_days: int = FUNDING_BUSINESS_DAYS,
    calendar_days: bool = False,
    busdaycal: np.busdaycalendar | None = None,
) -> FundingSchedule:
    """Lay a pipeline of ``(project, selection date, amount)`` against the funding terms.

    Parameters
    ----------
    pipeline : iterable of (str, date-like, float)
        Project name, date of the notice of selection, amount Japan funds (USD, > 0).
    annual_cap : float, optional
        Cap on the amount funded per calendar year (of the deadline), USD. Default
        ``None``: Japan's MOU has no published cap; pass :data:`KOREA_ANNUAL_CAP`
        ($20bn) to test Korea-style terms.
    total_cap : float, optional
        Total commitment, default $550bn (:data:`JAPAN_COMMITMENT`); ``None`` skips it.
    commitment_end : date-like
        Default 19 Jan 2029 (:data:`COMMITMENT_END`).
    business_days, calendar_days, busdaycal
        As in :func:`funding_deadline`.

    Returns
    -------
    FundingSchedule
        Rows sorted by selection date, each flagged ``after_end`` (deadline after
        ``commitment_end``), ``over_cap`` (the running total of its deadline's calendar
        year exceeds ``annual_cap``) and ``over_total`` (cumulative amount exceeds
        ``total_cap``).

    Raises
    ------
    InvalidParameterError
        If the pipeline is empty, an item is not a triple, a date cannot be read, an
        amount is not > 0, or a cap is not > 0.

    Notes
    -----
    The annual cap is tested on the year the money is due (the deadline's year), the
    latest Japan (or Korea) can pay; a labelled reading, since the cap's basis
    (selection, commitment or payment year) is not published.

    Examples
    --------
    >>> s = funding_schedule([("A", "2026-02-17", 15e9), ("B", "2026-10-01", 10e9)],
    ...                      annual_cap=KOREA_ANNUAL_CAP)
    >>> [(r.project, str(r.deadline), r.over_cap) for r in s.rows]
    [('A', '2026-04-21', False), ('B', '2026-12-08', True)]
    """
    items = list(pipeline)
    if not items:
        raise InvalidParameterError(f"pipeline must hold at least one project; got {pipeline!r}")
    names, dates, amounts = [], [], []
    for item in items:
        if not isinstance(item, Sequence) or isinstance(item, str) or len(item) != 3:
            raise InvalidParameterError(
                f"pipeline items must be (project, selection date, amount); got {item!r}")
        names.append(str(item[0]))
        dates.append(_as_dates("selection date", item[1]))
        amounts.append(v.positive(f"amount of {item[0]!r}", item[2]))
    caps = {name: None if cap is None else v.positive(name, cap)
            for name, cap in (("annual_cap", annual_cap), ("total_cap", total_cap))}
    end_arr = _as_dates("commitment_end", commitment_end)
    if end_arr.ndim:
        raise InvalidParameterError(f"commitment_end must be one date; got {commitment_end!r}")
    end = end_arr.reshape(1)[0]
    selected = np.array(dates, dtype="datetime64[D]")
    deadlines = np.atleast_1d(funding_deadline(selected, business_days,
                                               calendar_days=calendar_days, busdaycal=busdaycal))
    order = np.argsort(selected, kind="stable")
    rows, cumulative, per_year = [], 0.0, dict[int, float]()
    for i in order:
        cumulative += amounts[i]
        year = _year(deadlines[i])
        per_year[year] = per_year.get(year, 0.0) + amounts[i]
        rows.append(ScheduleRow(
            project=names[i], selection=selected[i], deadline=deadlines[i], amount=amounts[i],
            cumulative=cumulative, year_total=per_year[year],
            after_end=bool(deadlines[i] > end),
            over_cap=caps["annual_cap"] is not None and per_year[year] > caps["annual_cap"],
            over_total=caps["total_cap"] is not None and cumulative > caps["total_cap"],
        ))
    return FundingSchedule(tuple(rows), end, caps["annual_cap"], caps["total_cap"],
                           v.integer("business_days", business_days, minimum=1),
                           bool(calendar_days))
