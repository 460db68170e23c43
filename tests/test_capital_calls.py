"""Japan's capital calls on the MOU calendar and the DAA accrued from funding dates."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealsim.errors import InvalidParameterError
from dealsim.finance.capital_calls import (
    accrued_calls,
    deemed_balance,
    funding_calendar,
    upfront_calls,
)
from dealsim.finance.funding import federal_busdaycalendar, funding_deadline
from dealsim.model.paths import SofrPaths


def test_funding_dates_follow_the_calendar():
    """Each part is noticed on the first business day of its quarter and funded exactly
    45 federal business days later (the FT/Bloomberg term), within its year."""
    cal = funding_calendar(2026, 6)
    bdc = federal_busdaycalendar()
    for t in range(6):
        for q, month in enumerate((1, 4, 7, 10)):
            first = np.datetime64(dt.date(2026 + t, month, 1))
            notice, funded = cal.notices[t, q], cal.funded[t, q]
            assert np.is_busday(notice, busdaycal=bdc)
            assert np.busday_count(first, notice, busdaycal=bdc) == 0  # first business day
            # business days after the notice, up to and including the funding day
            one = np.timedelta64(1, "D")
            assert np.busday_count(notice + one, funded + one, busdaycal=bdc) == 45
            assert np.is_busday(funded, busdaycal=bdc)
            assert str(funded)[:4] == str(2026 + t)
    # tranche 1 announced Tue 17 Feb 2026 -> funded 21 Apr 2026 (dealsim.finance.funding doctest)
    assert str(cal.upfront_funded) == "2026-04-21" == str(funding_deadline("2026-02-17"))
    assert cal.upfront_period == 0
    assert cal.upfront_tau == pytest.approx(254 / 365, rel=1e-15)  # 21 Apr -> 31 Dec


def _independent_daa(events, rates, first_year, T):
    """Plain loop over dated fundings: each grows at (1 + r_y) ** (days to 31 Dec / 365)
    in its own year and a full year at (1 + r_k) in every later year."""
    out = [0.0] * T
    for date, amount in events:
        y = date.year - first_year
        end = dt.date(date.year, 12, 31)
        value = amount * (1.0 + rates[y]) ** ((end - date).days / 365.0)
        for k in range(y, T):
            if k > y:
                value *= 1.0 + rates[k]
            out[k] += value
    return out


def _as_date(d) -> dt.date:
    return dt.date.fromisoformat(str(d))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0.0, 5e9), min_size=8, max_size=8), st.integers(0, 10_000),
       st.sampled_from([1, 2, 4]), st.sampled_from(["as_spent", "upfront"]))
def test_daa_accrual_matches_an_independent_loop_on_a_rate_path(amounts, seed, q, mode):
    T, first = 8, 2026
    calls = -np.array([amounts])
    calls[0, 5:] = 0.0  # construction in periods 0-4; operation from 5
    _, rates = SofrPaths().sample(seed=seed, size=1, horizon=T)
    cal = funding_calendar(first, T, mode=mode, calls_per_year=q)
    paid = upfront_calls(calls, [5], cal.upfront_period) if mode == "upfront" else calls
    got = deemed_balance(accrued_calls(paid, rates, cal), rates)[0]
    if mode == "upfront":
        events = [(_as_date(cal.upfront_funded), -paid[0, cal.upfront_period])]
    else:
        events = [(_as_date(cal.funded[t, k]), -calls[0, t] / q)
                  for t in range(T) for k in range(q)]
    want = _independent_daa(events, list(rates[0]), first, T)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-3)


def test_upfront_funding_accrues_more_than_as_spent():
    calls = -np.array([[10.0, 10.0, 10.0, 0.0]])
    cal = funding_calendar(2026, 4, mode="upfront")
    up = deemed_balance(accrued_calls(upfront_calls(calls, [3], 0), 0.055, cal), 0.055)
    cal_s = funding_calendar(2026, 4)
    spent = deemed_balance(accrued_calls(calls, 0.055, cal_s), 0.055)
    assert up[0, -1] > spent[0, -1] > 30.0 * 1.0  # earlier money, more deemed interest
    # at a zero rate the DAA is just the money paid in, whatever the dates
    zero = deemed_balance(accrued_calls(upfront_calls(calls, [3], 0), 0.0, cal), 0.0)
    assert zero[0, -1] == 30.0


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e9, 1e9), min_size=6, max_size=6), st.integers(1, 6))
def test_upfront_calls_keep_the_total_and_move_construction_calls_to_the_start(cf, end):
    calls = np.array([cf])
    out = upfront_calls(calls, [end], 0)
    assert out.sum() == pytest.approx(calls.sum(), rel=1e-12, abs=1e-3)
    assert (out[0, 1:end] >= 0).all()           # no construction call after the prefund
    np.testing.assert_array_equal(out[0, end:], calls[0, end:])


def test_refusals():
    with pytest.raises(InvalidParameterError, match="mode must be one of"):
        funding_calendar(2026, 3, mode="monthly")
    with pytest.raises(InvalidParameterError, match="calls_per_year must be 1, 2, 3 or 4"):
        funding_calendar(2026, 3, calls_per_year=12)
    with pytest.raises(InvalidParameterError, match="selection must be funded within"):
        funding_calendar(2027, 3, mode="upfront", selection="2026-02-17")
    with pytest.raises(InvalidParameterError, match="period must not be after"):
        upfront_calls([[-1.0, -1.0, 0.0]], [2], 1)
    cal = funding_calendar(2026, 3)
    with pytest.raises(InvalidParameterError, match="rates must be finite"):
        accrued_calls([[-1.0, 0.0, 0.0]], -1.5, cal)
    with pytest.raises(InvalidParameterError, match="calls must be"):
        accrued_calls([-1.0, 0.0, 0.0], 0.05, cal)
