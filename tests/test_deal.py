"""Deal, evaluate and the Ohio preset: hand-worked answers, traceability, errors."""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy_financial as npf
import pytest

import dealsim
from dealsim.errors import InvalidParameterError
from dealsim.model.operations import Operations
from dealsim.presets import ohio_gas_power


def toy_deal(**terms):
    # net cash [-100, 30, 30, 30, 30, 100]: the waterfall hand example of the issue
    project = dealsim.Project(
        name="toy", capex=100.0, construction_years=1, first_year=2026, capacity=1.0,
        capacity_unit="t/yr", utilisation=1.0, price=30.0, operating_life=5,
    )
    return dealsim.Deal(project=project, terms=dealsim.DealTerms(**terms))


def test_evaluate_reproduces_the_hand_example():
    ev = dealsim.evaluate(toy_deal(), price_factor=1.0)
    np.testing.assert_allclose(ev.lines.net, [-100, 30, 30, 30, 30, 30])
    # 50/50 until the investor's 100 is back (after 200 of cash), then 10% to the investor
    np.testing.assert_allclose(ev.split.investor, [-100, 15, 15, 15, 15, 15])
    assert ev.recovered_at == -1
    ev2 = dealsim.evaluate(toy_deal(), price_factor=np.array([1.0, 2.0]))
    # price x2: net 60 a year; B = 100 cleared in year 4 (30 + 30 + 30 + 10 of year 4's 30)
    # year 4: 10 clears B (takes 20 of cash at 50%), the other 40 splits 10/90 -> 10 + 4
    np.testing.assert_allclose(ev2.split.investor[1], [-100, 30, 30, 30, 14, 6])
    assert ev2.recovered_at.tolist() == [-1, 4]


def test_metrics_match_numpy_financial_on_the_investor_flows():
    # calls on the annual grid: the NPV is numpy-financial's npv of the annual flows (as
    # spent, the default, a call counts from its funding days: tests/test_owner_economics)
    grid = dataclasses.replace(Operations(), funding="grid")
    ev = dealsim.evaluate(dataclasses.replace(ohio_gas_power(), operations=grid))
    # numpy-financial 1.0.0 on the same 1-D flows (its npv discounts from period 0)
    assert float(ev.investor_irr) == pytest.approx(npf.irr(ev.split.investor), abs=1e-10)
    rate = ev.discount_rate
    assert float(ev.investor_npv) == pytest.approx(npf.npv(rate, ev.split.investor), rel=1e-10)
    assert float(ev.host_npv) == pytest.approx(npf.npv(rate, ev.split.host), rel=1e-10)
    assert float(ev.fee_pv) == pytest.approx(npf.npv(rate, ev.lines.fee), rel=1e-10)


def test_batch_evaluate_equals_loop():
    deal = ohio_gas_power()
    over = np.array([0.8, 1.0, 1.755, 2.2])
    rate = np.array([0.03, 0.055, 0.07, 0.09])
    batch = dealsim.evaluate(deal, overrun=over, delay=[0, 1, 2, 3], deemed_rate=rate,
                             horizon=40)
    for i in range(4):
        one = dealsim.evaluate(deal, overrun=over[i], delay=i, deemed_rate=rate[i], horizon=40)
        np.testing.assert_allclose(batch.investor_npv[i], one.investor_npv, rtol=1e-12)
        np.testing.assert_allclose(batch.investor_irr[i], one.investor_irr, rtol=1e-10)
        assert batch.recovered_at[i] == one.recovered_at


def test_overrun_is_borne_by_the_investor():
    # Japan funds all capex: an overrun lowers its NPV one for one in present value
    # while the host's share of operating cash is unchanged until recovery matters.
    # (no tax: a larger capex would otherwise shield some tax through depreciation)
    deal = dataclasses.replace(ohio_gas_power(tax_rate=0.0), discount_rate=0.0)
    ev = dealsim.evaluate(deal, overrun=[1.0, 1.5])
    extra_capex = 0.5 * 33.3e9
    assert ev.investor_npv[0] - ev.investor_npv[1] == pytest.approx(extra_capex, rel=1e-9)
    assert ev.host_npv[1] == pytest.approx(ev.host_npv[0], rel=1e-9)


def test_ohio_preset_traces_to_deal_facts():
    deal = ohio_gas_power()
    p = deal.project
    assert p.capex == 33.3e9 and p.capacity == 9200.0  # deal-facts §2
    assert p.fuel_intensity == pytest.approx(9.447)      # EIA aeroderivative, deal-facts §6
    assert deal.terms.share_before == 0.5 and deal.terms.share_after == 0.1  # para. 13
    assert deal.fees[0].capacity_target == 9200.0        # fee only if 9.2 GW (FT)
    assert p.assumptions and p.sources
    labelled = " ".join(p.assumptions)
    for word in ("power price", "gas price", "capacity factor", "configuration"):
        assert word in labelled


def test_table_and_summary_read_one_scenario():
    ev = dealsim.evaluate(ohio_gas_power())
    table = ev.table()
    lines = str(table).splitlines()  # title, header, one line a year, total, note
    assert lines[2].startswith("2026") and lines[-2].startswith("total")
    assert "investor IRR" in ev.summary()
    # the frame holds the same numbers unscaled (USD), with units for every column
    df = table.to_pandas()
    assert df.loc["total", "capex"] == pytest.approx(ev.lines.capex.sum())
    assert set(df.attrs["units"]) == set(df.columns)
    batch = dealsim.evaluate(ohio_gas_power(), overrun=[1.0, 1.2])
    with pytest.raises(InvalidParameterError, match="one scenario"):
        batch.table()


@pytest.mark.parametrize(("build", "field"), [
    (lambda: dealsim.Deal(project="x", terms=dealsim.DealTerms()), "project"),
    (lambda: dealsim.Deal(project=ohio_gas_power().project, terms=None), "terms"),
    (lambda: dataclasses.replace(ohio_gas_power(), discount_rate=-1.5), "discount_rate"),
    (lambda: ohio_gas_power(fee="huge"), "fee"),
    (lambda: ohio_gas_power(configuration="steam"), "configuration"),
    (lambda: dealsim.evaluate(ohio_gas_power(), deemed_rate=-2.0), "deemed_rate"),
    (lambda: dealsim.evaluate(ohio_gas_power(), discount_rate=np.nan), "discount_rate"),
])
def test_errors_name_the_field(build, field):
    with pytest.raises(InvalidParameterError, match=field):
        build()


def test_fee_longer_than_operating_life_is_refused():
    fee = dealsim.DeveloperFee(total=1.0, installments=40, capacity_target=1.0)
    with pytest.raises(InvalidParameterError, match="fees"):
        dataclasses.replace(ohio_gas_power(), fees=(fee,))


# --- review findings: stored types, shapes, rates that broadcast -----------------------


def test_validated_numbers_are_stored_and_strings_refused():
    assert type(dealsim.DealTerms(deemed_rate=1).deemed_rate) is float
    assert dealsim.DealTerms(amortisation_periods=3.0).amortisation_periods == 3
    assert type(dealsim.DeveloperFee(total=3, installments=3.0, capacity_target=1)
                .installments) is int
    for build, field in [
        (lambda: dealsim.DealTerms(share_after="0.1"), "share_after"),
        (lambda: dealsim.DealTerms(deemed_rate=True), "deemed_rate"),
        (lambda: dealsim.DeveloperFee(total="628e6", installments=15, capacity_target=1.0),
         "total"),
        (lambda: dataclasses.replace(ohio_gas_power(), discount_rate="0.08"), "discount_rate"),
    ]:
        with pytest.raises(InvalidParameterError, match=field):
            build()


def test_rates_take_part_in_the_scenario_shape():
    deal = ohio_gas_power()
    ev = dealsim.evaluate(deal, overrun=[1.0, 1.2, 1.3], deemed_rate=[[0.05], [0.06]])
    assert ev.investor_npv.shape == (2, 3) and ev.lines.net.shape[:-1] == (2, 3)
    one = dealsim.evaluate(deal, overrun=1.2, deemed_rate=0.06)
    assert ev.investor_npv[1, 1] == pytest.approx(float(one.investor_npv), rel=1e-12)
    assert dealsim.evaluate_draws(deal, {"deemed_rate": [0.05, 0.06]}).investor_npv.shape == (2,)


@pytest.mark.parametrize("kwargs", [
    dict(overrun=[1, 2], price_factor=[1, 2, 3]),
    dict(overrun=[1, 1.2, 1.3], discount_rate=[0.05, 0.06]),
])
def test_shape_mismatch_names_the_factors(kwargs):
    with pytest.raises(InvalidParameterError, match="broadcast together"):
        dealsim.evaluate(ohio_gas_power(), **kwargs)


def test_fee_flows_validate_capacity_and_cod():
    fee = dealsim.DeveloperFee(total=3, installments=3, capacity_target=1, rule="pro_rata")
    for kwargs, field in [(dict(cod=0, capacity=-1), "capacity"),
                          (dict(cod=0, capacity=np.nan), "capacity"),
                          (dict(cod=-1, capacity=1), "cod"), (dict(cod=0.5, capacity=1), "cod")]:
        with pytest.raises(InvalidParameterError, match=field):
            fee.flows(horizon=3, **kwargs)


def test_npv_with_an_overflowing_discount_factor_is_not_nan():
    # (1 - 0.99)**-200 overflows; a zero flow must still contribute 0, not inf * 0 = NaN
    assert dealsim.npv(-0.99, [1.0] + [0.0] * 200) == 1.0
    assert dealsim.npv(np.array([-0.99]), [1.0] + [0.0] * 200)[0] == 1.0
    assert dealsim.npv(-0.99, [1.0] + [0.0] * 199 + [1.0]) == np.inf
