"""Project, fees and build_cashflows: known answers, properties, errors."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealsim.errors import InvalidParameterError
from dealsim.finance.cashflows import build_cashflows
from dealsim.model.fees import DeveloperFee
from dealsim.model.operations import Operations
from dealsim.model.project import Project


def toy(**kw):
    base = dict(
        name="toy", capex=100.0, construction_years=2, first_year=2026, capacity=10.0,
        capacity_unit="t/yr", utilisation=0.5, price=4.0, operating_life=4,
        variable_cost=1.0, fuel_intensity=0.5, fuel_price=2.0, fixed_om=3.0,
    )
    base.update(kw)
    return Project(**base)


# --- known answers (worked by hand) --------------------------------------------------


def test_hand_example_line_items():
    # output 10 t/yr * 0.5 = 5 t; revenue 5*4 = 20; variable 5*(1 + 0.5*2) = 10; fixed 3
    lines = build_cashflows(toy())
    np.testing.assert_allclose(lines.capex, [50, 50, 0, 0, 0, 0])
    np.testing.assert_allclose(lines.revenue, [0, 0, 20, 20, 20, 20])
    np.testing.assert_allclose(lines.opex, [0, 0, 13, 13, 13, 13])
    np.testing.assert_allclose(lines.net, [-50, -50, 7, 7, 7, 7])
    assert lines.cod == 2
    assert list(lines.years) == [2026, 2027, 2028, 2029, 2030, 2031]


def test_hand_example_escalation_and_tax():
    # escalation 10%: revenue in year t = 20 * 1.1**t; tax 50% on revenue - opex - dep,
    # dep = 100 / 4 = 25 per operating year
    p = toy(price_escalation=0.1, tax_rate=0.5, fixed_om=0.0, variable_cost=0.0,
            fuel_intensity=0.0)
    lines = build_cashflows(p)
    rev = np.array([0, 0, 20 * 1.1**2, 20 * 1.1**3, 20 * 1.1**4, 20 * 1.1**5])
    np.testing.assert_allclose(lines.revenue, rev)
    np.testing.assert_allclose(lines.tax, 0.5 * np.maximum(rev - np.r_[0, 0, 25, 25, 25, 25], 0))
    assert lines.tax[2] == 0.0  # 24.2 - 25 < 0: no tax, no carry-forward


def test_power_plant_units():
    # 100 MW at CF 0.5 -> 438,000 MWh; heat rate 10,000 Btu/kWh = 10 MMBtu/MWh at $3
    p = Project.power_plant(
        name="p", capex=1e8, capacity_mw=100, heat_rate=10_000, gas_price=3.0,
        power_price=50.0, capacity_factor=0.5, variable_om=2.0, fixed_om_per_kw_year=10.0,
        construction_years=1, first_year=2026, operating_life=2,
    )
    lines = build_cashflows(p)
    assert lines.revenue[1] == pytest.approx(438_000 * 50)
    assert lines.opex[1] == pytest.approx(438_000 * (2 + 30) + 10 * 100_000)


def test_delay_stretches_construction_and_keeps_total():
    # the legacy model: a delay stretches the same nominal spend (the default escalates
    # the deferred spend and adds a cost per year of delay: tests/test_owner_economics.py)
    lines = build_cashflows(toy(spend_profile=(0.25, 0.75)), delay=2,
                            operations=Operations.legacy())
    # cumulative curve kept: at 1/4 of the way 0.125 spent, at 1/2 0.25, at 3/4 0.625
    np.testing.assert_allclose(lines.capex[:4], [12.5, 12.5, 37.5, 37.5])
    assert lines.capex.sum() == pytest.approx(100.0)
    assert lines.cod == 4
    assert lines.revenue[:4].sum() == 0 and (lines.revenue[4:8] > 0).all()


# --- properties ----------------------------------------------------------------------

factor = st.floats(0.2, 3.0)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(factor, st.integers(0, 4), st.floats(0.0, 1.0), factor, factor),
             min_size=1, max_size=6),
    st.floats(0.0, 0.4),
)
def test_batch_equals_loop(rows, tax):
    p = toy(tax_rate=tax, price_escalation=0.03, fuel_escalation=0.01)
    fee = DeveloperFee(total=12.0, installments=3, capacity_target=9.0)
    over, dly, cap, pf, ff = (np.array(c) for c in zip(*rows, strict=True))
    batch = build_cashflows(p, overrun=over, delay=dly, capacity_achieved=cap, price_factor=pf,
                            fuel_factor=ff, fees=(fee,), horizon=12)
    for i in range(len(rows)):
        one = build_cashflows(p, overrun=over[i], delay=dly[i], capacity_achieved=cap[i],
                              price_factor=pf[i], fuel_factor=ff[i], fees=(fee,), horizon=12)
        for name in ("capex", "revenue", "opex", "tax", "fee", "net"):
            np.testing.assert_allclose(getattr(batch, name)[i], getattr(one, name), rtol=1e-12,
                                       atol=1e-12, err_msg=name)


@settings(max_examples=40, deadline=None)
@given(factor, st.integers(0, 6))
def test_capex_total_is_overrun_times_base(over, delay):
    lines = build_cashflows(toy(), overrun=over, delay=delay, operations=Operations.legacy())
    assert lines.capex.sum() == pytest.approx(100.0 * over, rel=1e-12)
    # the default: 2% of capex per year of delay on top, and the deferred spend escalated
    costly = build_cashflows(toy(), overrun=over, delay=delay)
    assert costly.capex.sum() >= 100.0 * over * (1.0 + 0.02 * delay) * (1 - 1e-12)
    net = lines.revenue - lines.opex - lines.tax - lines.fee - lines.capex
    np.testing.assert_allclose(lines.net, net, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 5))
def test_delay_shifts_operations_with_escalation(delay):
    p = toy(price_escalation=0.05)
    base, late = build_cashflows(p, horizon=12), build_cashflows(p, delay=delay, horizon=12)
    np.testing.assert_allclose(late.revenue[2 + delay: 6 + delay],
                               base.revenue[2:6] * 1.05**delay, rtol=1e-12)


def test_shapes_broadcast_over_scenario_axes():
    lines = build_cashflows(toy(), overrun=np.ones((3, 1)), price_factor=np.ones(4))
    assert lines.net.shape == (3, 4, 6) and lines.cod.shape == (3, 4)


# --- fees ----------------------------------------------------------------------------


def test_fee_all_or_nothing_and_pro_rata():
    fee = DeveloperFee(total=12.0, installments=3, capacity_target=10.0)
    full = build_cashflows(toy(), fees=(fee,))
    short = build_cashflows(toy(), capacity_achieved=0.9, fees=(fee,))
    np.testing.assert_allclose(full.fee, [0, 0, 4, 4, 4, 0])
    assert short.fee.sum() == 0.0
    pro = dataclasses.replace(fee, rule="pro_rata")
    assert build_cashflows(toy(), capacity_achieved=0.9, fees=(pro,)).fee.sum() == \
        pytest.approx(12.0 * 0.9)


def test_softbank_presets_trace_to_facts():
    reduced, original = DeveloperFee.softbank_ohio(), DeveloperFee.softbank_ohio_original()
    # deal-facts §3: ¥1tn ≈ $6.3bn; cut by more than 90% -> at most a tenth
    assert original.total == pytest.approx(6.3e9, rel=0.01)
    assert reduced.total <= 0.1 * original.total + 1e-6
    assert 15 <= reduced.installments <= 20 and reduced.capacity_target == 9200.0


# --- errors name the field ------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (dict(capex=0.0), "capex"),
        (dict(capex=float("nan")), "capex"),
        (dict(construction_years=0), "construction_years"),
        (dict(utilisation=1.5), "utilisation"),
        (dict(capacity_unit="GW"), "capacity_unit"),
        (dict(spend_profile=(0.5, 0.6)), "spend_profile"),
        (dict(spend_profile=(1.0,)), "spend_profile"),
        (dict(tax_rate=1.0), "tax_rate"),
        (dict(price_escalation=-1.0), "price_escalation"),
        (dict(operating_life=2.5), "operating_life"),
    ],
)
def test_project_errors_name_field(change, field):
    with pytest.raises(InvalidParameterError, match=field):
        toy(**change)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        (dict(overrun=0.0), "overrun"),
        (dict(overrun=[1.0, np.nan]), "overrun"),
        (dict(delay=1.5), "delay"),
        (dict(delay=-1), "delay"),
        (dict(capacity_achieved=-0.1), "capacity_achieved"),
        (dict(price_factor="x"), "price_factor"),
        (dict(horizon=3), "horizon"),
    ],
)
def test_build_cashflows_errors_name_field(kwargs, field):
    with pytest.raises(InvalidParameterError, match=field):
        build_cashflows(toy(), **kwargs)


def test_fee_beyond_horizon_is_refused():
    fee = DeveloperFee(total=1.0, installments=10, capacity_target=1.0)
    with pytest.raises(InvalidParameterError, match="horizon"):
        build_cashflows(toy(), fees=(fee,))
