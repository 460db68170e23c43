"""Extreme but valid inputs: the value objects' bounds, a hypothesis property that any deal
within them runs without a RuntimeWarning, and the NPV at high discount rates against a
plain loop over the dated flows."""

from __future__ import annotations

import dataclasses
import datetime
import importlib.util
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dealsim
from dealsim.common import validate as v
from dealsim.errors import InvalidParameterError
from dealsim.finance.capital_calls import funding_calendar
from dealsim.kernels.irr_core import IrrStatus
from dealsim.model.market import Market
from dealsim.model.paths import SofrPaths
from dealsim.model.project import INTENSITY_MAX
from dealsim.presets import catalog, ohio_gas_power

# --- the bounds: refused outside, naming the field and echoing the value ------------------

OHIO = ohio_gas_power()


def _project(**kw: Any) -> Callable[[], Any]:
    return lambda: dataclasses.replace(OHIO.project, **kw)


def _fee(**kw: Any) -> Callable[[], Any]:
    return lambda: dataclasses.replace(OHIO.fees[0], **kw)


OUTSIDE = [
    # (what builds the object, field, value): the probe's failure points and the edges
    (_project(capex=1e-300), "capex", 1e-300),  # MOIC's received / paid overflowed
    (_project(capex=1e-4), "capex", 1e-4),
    (_project(capex=1e16), "capex", 1e16),
    (_project(fixed_om=1e300), "fixed_om", 1e300),
    (_project(price=1e300), "price", 1e300),  # the revenue's sum overflowed
    (_project(variable_cost=2e15), "variable_cost", 2e15),
    (_project(fuel_price=1e16), "fuel_price", 1e16),
    (_project(fuel_intensity=2e6), "fuel_intensity", 2e6),
    (_project(capacity=1e-4), "capacity", 1e-4),
    (_project(capacity=2e9), "capacity", 2e9),
    (_project(cost_escalation=1e10), "cost_escalation", 1e10),  # inf * 0 = NaN
    (_project(price_escalation=10.5), "price_escalation", 10.5),
    (_project(fuel_escalation=-1.0), "fuel_escalation", -1.0),
    (lambda: dataclasses.replace(OHIO.terms, deemed_rate=1e300), "deemed_rate", 1e300),
    (lambda: dataclasses.replace(OHIO.terms, deemed_rate=-0.6), "deemed_rate", -0.6),
    (lambda: dataclasses.replace(OHIO, discount_rate=1e300), "discount_rate", 1e300),
    # near -1 the NPV's factor 1 / (1 + r) a year overflowed to inf in simulate
    (lambda: dataclasses.replace(OHIO, discount_rate=-0.999999999), "discount_rate",
     -0.999999999),
    (lambda: SofrPaths(spread=1e300), "spread", 1e300),
    (lambda: SofrPaths(spread=-0.75, floor=0.0), "spread", -0.75),
    (_fee(total=1e300), "total", 1e300),
    (_fee(capacity_target=1e-300), "capacity_target", 1e-300),
    (lambda: dealsim.Project.power_plant(
        name="x", capex=1e9, capacity_mw=100.0, heat_rate=1e12, gas_price=3.0,
        power_price=50.0, capacity_factor=0.5, variable_om=1.0, fixed_om_per_kw_year=10.0,
        construction_years=2, first_year=2026, operating_life=20), "heat_rate", 1e12),
]


@pytest.mark.parametrize(("build", "field", "value"), OUTSIDE,
                         ids=[f"{f}={x!r}" for _, f, x in OUTSIDE])
def test_numbers_outside_their_bounds_are_refused_by_name(build, field, value):
    with pytest.raises(InvalidParameterError) as info:
        build()
    message = str(info.value)
    assert message.startswith(f"{field} must be in ")
    assert message.endswith(f"got {value!r}")


@pytest.mark.parametrize("field", ["capex", "price", "fixed_om", "capacity"])
def test_the_edges_are_allowed(field):
    low = {"capex": v.MONEY_MIN, "capacity": v.CAPACITY_MIN}.get(field, 0.0)
    high = v.CAPACITY_MAX if field == "capacity" else v.MONEY_MAX
    for x in (low, high):
        assert getattr(dataclasses.replace(OHIO.project, **{field: x}), field) == x


def test_terms_name_refuses_a_lone_surrogate():
    # the shared validate.text, like every other name: JSON can spell it, no encoder can
    with pytest.raises(InvalidParameterError, match=r"^name must be valid Unicode text"):
        dealsim.DealTerms(name="\ud800")
    with pytest.raises(InvalidParameterError, match=r"^sources\[0\] must be valid Unicode"):
        dealsim.DealTerms(sources=("\udfff",))


# --- property: within the bounds, no RuntimeWarning, finite or NaN-with-status ------------

DEALS = {name: p.build() for name, p in catalog().items() if p.kind == "deal"}
BACKENDS = ["numpy"] + (["numba"] if importlib.util.find_spec("numba") else [])


def log_uniform(low: float, high: float) -> st.SearchStrategy[float]:
    """Log-uniform over [low, high] (0 < low), the edges themselves drawn often."""
    inner = st.floats(math.log10(low), math.log10(high)).map(
        lambda e: min(high, max(low, 10.0 ** e)))
    return st.sampled_from([low, high]) | inner


def amount(high: float) -> st.SearchStrategy[float]:
    """An amount in [0, high]: 0, or log-uniform from 1e-300."""
    return st.just(0.0) | log_uniform(1e-300, high)


def rate(low: float, high: float) -> st.SearchStrategy[float]:
    """A rate in [low, high] whose growth factor 1 + r is log-uniform."""
    return log_uniform(1.0 + low, 1.0 + high).map(lambda g: min(high, max(low, g - 1.0)))


FIELDS: dict[str, st.SearchStrategy[float]] = {
    "project.capex": log_uniform(v.MONEY_MIN, v.MONEY_MAX),
    "project.price": amount(v.MONEY_MAX),
    "project.variable_cost": amount(v.MONEY_MAX),
    "project.fuel_price": amount(v.MONEY_MAX),
    "project.fixed_om": amount(v.MONEY_MAX),
    "project.fuel_intensity": amount(INTENSITY_MAX),
    "project.capacity": log_uniform(v.CAPACITY_MIN, v.CAPACITY_MAX),
    "project.price_escalation": rate(-1.0 + 1e-12, v.RATE_MAX),
    "project.fuel_escalation": rate(-1.0 + 1e-12, v.RATE_MAX),
    "project.cost_escalation": rate(-1.0 + 1e-12, v.RATE_MAX),
    "terms.deemed_rate": rate(v.DISCOUNT_MIN, v.RATE_MAX),
    "deal.discount_rate": rate(v.DISCOUNT_MIN, v.RATE_MAX),
    "sofr.spread": rate(v.DISCOUNT_MIN, v.RATE_MAX),
    "fee.total": amount(v.MONEY_MAX),
    "fee.capacity_target": log_uniform(v.CAPACITY_MIN, v.CAPACITY_MAX),
}

changes = st.lists(st.sampled_from(sorted(FIELDS)), min_size=1, max_size=4,
                   unique=True).flatmap(lambda keys: st.fixed_dictionaries(
                       {k: FIELDS[k] for k in keys}))


def with_changes(deal: dealsim.Deal, change: dict[str, float]) -> dealsim.Deal:
    """``deal`` with the fields of ``change`` (``"project.capex"``: ...) replaced."""
    by: dict[str, dict[str, float]] = {}
    for key, x in change.items():
        owner, field = key.split(".")
        by.setdefault(owner, {})[field] = x
    terms = dataclasses.replace(deal.terms, **by.get("terms", {}))
    market = deal.market
    if market.sofr is not None:  # the SOFR path stays centred on the terms' deemed rate
        sofr = dataclasses.replace(market.sofr, **by.get("sofr", {}))
        process = dataclasses.replace(sofr.process, mean=terms.deemed_rate - sofr.spread)
        market = dataclasses.replace(market, sofr=dataclasses.replace(sofr, process=process))
    return dataclasses.replace(
        deal, project=dataclasses.replace(deal.project, **by.get("project", {})),
        terms=terms, market=market, **by.get("deal", {}),
        fees=tuple(dataclasses.replace(f, **by.get("fee", {})) for f in deal.fees))


def assert_defined(result: Any) -> None:
    """NPVs finite; MOIC finite or NaN (nothing paid in); IRR NaN exactly where its status
    says there is none."""
    for name in ("investor_npv", "host_npv", "fee_pv"):
        x = np.asarray(getattr(result, name), dtype=np.float64)
        assert np.isfinite(x).all(), name
    assert not np.isinf(np.asarray(result.investor_moic, dtype=np.float64)).any()
    irr = np.atleast_1d(np.asarray(result.investor_irr, dtype=np.float64))
    status = np.atleast_1d(np.asarray(result.irr_status))
    has_rate = np.isin(status, [IrrStatus.CONVERGED, IrrStatus.MULTIPLE_ROOTS])
    np.testing.assert_array_equal(np.isnan(irr), ~has_rate)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(name=st.sampled_from(sorted(DEALS)), change=changes)
def test_any_deal_within_the_bounds_runs_without_warnings(name, change):
    deal = with_changes(DEALS[name], change)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert_defined(dealsim.evaluate(deal))
        for backend in BACKENDS:
            assert_defined(dealsim.simulate(deal, 64, seed=1, paths=0, backend=backend))


# --- the NPV at high discount rates: a plain loop over the dated flows --------------------


def npv_by_hand(deal: dealsim.Deal, r: float) -> float:
    """Japan's NPV at ``r`` on 31 Dec of the first year, flow by flow: a call in four equal
    parts, each from its funding day (t - tau years, tau actual/365 to its year's end);
    a receipt at its year's end (t years)."""
    ev = dealsim.evaluate(deal)
    flows = ev.split.investor
    assert np.array_equal(flows < 0, ev.lines.net < 0)  # calls are the years of net < 0
    first = deal.project.first_year
    funded = funding_calendar(first, flows.size).funded
    total = 0.0
    for t, flow in enumerate(flows.tolist()):
        if flow >= 0:
            total += flow * (1.0 + r) ** -t
            continue
        year_end = datetime.date(first + t, 12, 31)
        for day in funded[t].tolist():  # datetime.date
            tau = (year_end - day).days / 365.0
            total += flow / funded.shape[1] * (1.0 + r) ** -(t - tau)
    return total


@pytest.mark.parametrize("r", [0.055, 5.0, 9.9, v.RATE_MAX])
@pytest.mark.parametrize("via", ["discount_rate", "deemed_rate"])
def test_npv_at_high_rates_is_the_dated_flows_discounted(r, via):
    # the reported anomaly: at a 1e300 rate the NPV was about -5e252, not near -capex.
    # Not a power of the wrong sign: the NPV is a value on 31 Dec of the first year
    # (period 0 undiscounted), and a call funded in March of that year is carried
    # forward to it, (1 + r) ** tau with tau ~ 0.8; at r = 1e300 that is 1e240. Within
    # the bound (r <= 10) it is at most 11x, and the kernel agrees with the hand loop.
    if via == "discount_rate":
        deal = dataclasses.replace(OHIO, discount_rate=r)
    else:
        deal = dataclasses.replace(OHIO, terms=dataclasses.replace(OHIO.terms, deemed_rate=r))
    ev = dealsim.evaluate(deal)
    assert float(ev.investor_npv) == pytest.approx(npv_by_hand(deal, r), rel=1e-12)


def test_npv_on_the_annual_grid_is_numpy_financials():
    # funding="grid": each call at its year's end, so the NPV is npf.npv of the flows
    deal = dataclasses.replace(OHIO, discount_rate=9.9,
                               operations=dataclasses.replace(OHIO.operations, funding="grid"))
    ev = dealsim.evaluate(deal)
    assert float(ev.investor_npv) == pytest.approx(npf.npv(9.9, ev.split.investor), rel=1e-12)
    # and the calls' first year dominates: near the first year's call, not the capex
    assert abs(float(ev.investor_npv)) < OHIO.project.capex


@pytest.mark.parametrize("backend", BACKENDS)
def test_simulated_npv_at_a_high_rate_matches_evaluate(backend):
    # the Monte Carlo's kernel (each backend) on the same draws: levels, not paths, so
    # evaluate_draws sees what the block saw
    deal = dataclasses.replace(OHIO, discount_rate=9.9, market=Market())
    res = dealsim.simulate(deal, 200, seed=3, paths=0, backend=backend)
    ev = dealsim.evaluate_draws(deal, res.inputs)
    np.testing.assert_allclose(res.investor_npv, ev.investor_npv, rtol=1e-10)
    capex = OHIO.project.capex
    assert (np.abs(res.investor_npv) > capex).mean() > 0.5  # carried forward, as by hand
