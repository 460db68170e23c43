"""Funding calendar: federal holidays (known answers), deadlines (hand counts, a loop
oracle, properties) and the pipeline schedule's flags."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealsim.errors import InvalidParameterError
from dealsim.finance.funding import (
    COMMITMENT_END,
    KOREA_ANNUAL_CAP,
    federal_busdaycalendar,
    funding_deadline,
    funding_schedule,
    us_federal_holidays,
)

# --- holidays: known answers, each weekday checked with datetime ----------------------

# OPM "Federal Holidays 2026": the eleven observed dates (4 Jul 2026 is a Saturday, so
# Independence Day is observed Friday 3 Jul).
OPM_2026 = {
    "2026-01-01": 3,  # New Year's Day, Thursday
    "2026-01-19": 0,  # Birthday of Martin Luther King Jr., third Monday
    "2026-02-16": 0,  # Washington's Birthday, third Monday
    "2026-05-25": 0,  # Memorial Day, last Monday
    "2026-06-19": 4,  # Juneteenth, Friday
    "2026-07-03": 4,  # Independence Day observed, Friday
    "2026-09-07": 0,  # Labor Day, first Monday
    "2026-10-12": 0,  # Columbus Day, second Monday
    "2026-11-11": 2,  # Veterans Day, Wednesday
    "2026-11-26": 3,  # Thanksgiving, fourth Thursday
    "2026-12-25": 4,  # Christmas, Friday
}


def test_2026_holidays_match_opm_and_weekdays():
    got = [str(d) for d in us_federal_holidays(2026, 2026)]
    assert got == sorted(OPM_2026)
    for day, weekday in OPM_2026.items():
        assert dt.date.fromisoformat(day).weekday() == weekday, day
    assert dt.date(2026, 7, 4).weekday() == 5  # the reason for the 3 Jul observance


def test_observed_date_rules():
    # 1 Jan 2022 was a Saturday: observed Friday 31 Dec 2021 (OPM 2021 calendar), and
    # listed under 2021, not 2022.
    assert dt.date(2022, 1, 1).weekday() == 5
    assert "2021-12-31" in {str(d) for d in us_federal_holidays(2021, 2021)}
    assert "2021-12-31" not in {str(d) for d in us_federal_holidays(2022, 2022)}
    # 25 Dec 2027 is a Saturday -> Friday 24 Dec; 1 Jan 2028 is a Saturday -> 31 Dec 2027;
    # 19 Jun 2027 is a Saturday -> Friday 18 Jun; 4 Jul 2027 is a Sunday -> Monday 5 Jul.
    h2027 = {str(d) for d in us_federal_holidays(2027, 2027)}
    assert {"2027-12-24", "2027-12-31", "2027-06-18", "2027-07-05"} <= h2027
    # Juneteenth only from 2021 (Pub. L. 117-17); MLK only from 1986.
    assert not any(str(d).endswith("-06-18") or str(d).endswith("-06-19")
                   for d in us_federal_holidays(2019, 2019))
    assert len(us_federal_holidays(1985, 1985)) == 9
    assert len(us_federal_holidays(2020, 2020)) == 10


def test_inauguration_day_excluded():
    # 20 Jan 2029 (a Saturday) is Inauguration Day: DC-area only, not in the calendar.
    assert "2029-01-20" not in {str(d) for d in us_federal_holidays(2029, 2029)}
    assert "2029-01-19" not in {str(d) for d in us_federal_holidays(2029, 2029)}


@settings(max_examples=40, deadline=None)
@given(st.integers(1986, 2100))
def test_each_year_has_its_holidays_on_weekdays(year):
    days = us_federal_holidays(year, year)
    assert np.is_busday(days).all()  # observed dates never fall on a weekend
    assert np.all(np.diff(days).astype(int) > 0)
    # 11 from 2021 on (10 before); 0-2 may move across the year boundary via 1 Jan.
    expected = 11 if year >= 2021 else 10
    assert expected - 1 <= len(days) <= expected + 1


def test_holiday_errors():
    with pytest.raises(InvalidParameterError, match="start_year must be an integer >= 1971"):
        us_federal_holidays(1900, 2000)
    with pytest.raises(InvalidParameterError, match="end_year must be >= start_year=2026"):
        us_federal_holidays(2026, 2025)


# --- deadlines -------------------------------------------------------------------------


def test_tranche_one_deadline_by_hand():
    # Tranche 1 announced Tue 17 Feb 2026 (deal-facts §2). Counting by hand from Wed 18
    # Feb: Feb 18-20 -> 3, then eight full weeks (Feb 23 - Apr 17) -> 43, Mon 20 Apr -> 44,
    # Tue 21 Apr -> 45; no holiday in between (Washington's Birthday was 16 Feb).
    # 63 calendar days, matching deal-facts §1 "45 business days ≈ 63 calendar days".
    deadline = funding_deadline("2026-02-17")
    assert str(deadline) == "2026-04-21"
    assert (deadline - np.datetime64("2026-02-17")).astype(int) == 63
    assert str(funding_deadline("2026-02-17", calendar_days=True)) == "2026-04-03"


def test_deadline_over_three_holidays_by_hand():
    # Thu 1 Oct 2026: the window spans Columbus Day (12 Oct), Veterans Day (Wed 11 Nov)
    # and Thanksgiving (26 Nov). Hand count: Oct 2 -> 1, Oct 5-9 -> 6, Oct 13-16 -> 10,
    # Oct 19-30 -> 20, Nov 2-6 -> 25, Nov 9-10 -> 27, Nov 12-13 -> 29, Nov 16-20 -> 34,
    # Nov 23-25 -> 37, Nov 27 -> 38, Nov 30-Dec 4 -> 43, Dec 7 -> 44, Dec 8 -> 45.
    assert str(funding_deadline("2026-10-01")) == "2026-12-08"


def _loop_deadline(start: dt.date, n: int, holidays: set[dt.date]) -> dt.date:
    day, count = start, 0
    while count < n:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            count += 1
    return day


HOLIDAYS = {d.astype(dt.date) for d in us_federal_holidays(2020, 2040)}


@settings(max_examples=60, deadline=None)
@given(st.dates(dt.date(2025, 1, 1), dt.date(2035, 12, 31)), st.integers(1, 80))
def test_deadline_equals_day_by_day_count(start, n):
    got = funding_deadline(start, n).astype(dt.date)
    assert got == _loop_deadline(start, n, HOLIDAYS)
    assert np.is_busday(np.datetime64(got), busdaycal=federal_busdaycalendar())


def test_deadline_vectorised_equals_scalar_and_weekend_notice():
    dates = np.array(["2026-02-17", "2026-03-21", "2026-12-24"], dtype="datetime64[D]")
    vec = funding_deadline(dates)
    assert vec.shape == (3,)
    assert [funding_deadline(d) for d in dates] == list(vec)
    # A notice on Saturday 21 Mar 2026 counts from Monday 23 Mar, as one on Friday 20 Mar.
    assert funding_deadline("2026-03-21") == funding_deadline("2026-03-20")


def test_deadline_errors():
    with pytest.raises(InvalidParameterError, match="selection_dates must be dates"):
        funding_deadline("next tuesday")
    with pytest.raises(InvalidParameterError, match="business_days must be an integer >= 1"):
        funding_deadline("2026-02-17", 0)


# --- schedule --------------------------------------------------------------------------


def test_schedule_flags_and_totals():
    pipe = [
        ("late", "2028-12-01", 30e9),
        ("Ohio", "2026-02-17", 33.3e9),
        ("Texas", "2026-02-17", 2.1e9),
        ("Georgia", "2026-02-17", 0.6e9),
        ("big", "2027-03-01", 500e9),
    ]
    s = funding_schedule(pipe, annual_cap=KOREA_ANNUAL_CAP)
    assert [r.project for r in s.rows] == ["Ohio", "Texas", "Georgia", "big", "late"]
    np.testing.assert_allclose([r.cumulative for r in s.rows],
                               [33.3e9, 35.4e9, 36.0e9, 536.0e9, 566.0e9])
    assert [r.over_cap for r in s.rows] == [True, True, True, True, True]
    assert [r.over_total for r in s.rows] == [False, False, False, False, True]
    # 1 Dec 2028 + 45 business days falls in Feb 2029, after the 19 Jan 2029 end.
    assert [r.after_end for r in s.rows] == [False, False, False, False, True]
    assert s.rows[-1].deadline > COMMITMENT_END
    assert s.year_totals() == pytest.approx({2026: 36.0e9, 2027: 500e9, 2029: 30e9})
    assert not s.ok
    text = str(s)
    assert "AFTER_END" in text and "OVER_TOTAL" in text and "2026-04-21" in text
    assert len(s.violations()) == 5 + 1 + 1


def test_schedule_without_caps_is_clean():
    s = funding_schedule([("A", "2026-02-17", 10e9), ("B", "2027-06-01", 15e9)],
                         total_cap=None)
    assert s.ok and s.violations() == [] and "ok" in str(s)


def test_cap_counts_the_deadline_year():
    # Selected in December 2026, due in February 2027: counts towards 2027's cap.
    s = funding_schedule([("A", "2026-12-15", 15e9), ("B", "2027-01-05", 10e9)],
                         annual_cap=KOREA_ANNUAL_CAP)
    assert [r.over_cap for r in s.rows] == [False, True]
    assert s.rows[1].year_total == pytest.approx(25e9)


def test_schedule_errors():
    with pytest.raises(InvalidParameterError, match="pipeline must hold"):
        funding_schedule([])
    with pytest.raises(InvalidParameterError, match="pipeline items must be"):
        funding_schedule([("A", "2026-01-05")])
    with pytest.raises(InvalidParameterError, match="amount of 'A' must be finite and > 0"):
        funding_schedule([("A", "2026-01-05", -1.0)])
    with pytest.raises(InvalidParameterError, match="annual_cap must be finite and > 0"):
        funding_schedule([("A", "2026-01-05", 1.0)], annual_cap=0.0)
