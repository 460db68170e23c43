"""Issue #11 wired into the shared steps: paths, dispatch, delays, end of life, tax.

Every property is checked on both backends where a simulation is involved (the numpy
block and the compiled kernel run the same steps of ``dealsim.kernels.steps``).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_kernels import assert_paths_agree, blocks

import dealsim
from dealsim import DealTerms, Project
from dealsim.finance.capital_calls import (
    accrued_calls,
    deemed_balance,
    funding_calendar,
    upfront_calls,
)
from dealsim.finance.cashflows import _line_params, build_cashflows
from dealsim.finance.evaluation import _simulation_outputs, evaluate
from dealsim.kernels import steps as _steps
from dealsim.model.fees import DeveloperFee
from dealsim.model.market import Market
from dealsim.model.operations import Operations
from dealsim.model.paths import MeanReverting, PricePaths, SofrPaths, UsdJpyPaths
from dealsim.presets import catalog, ohio_gas_power

pytest.importorskip("numba")

OPS = st.builds(
    Operations,
    funding=st.sampled_from(["grid", "as_spent", "upfront"]),
    dispatch=st.sampled_from(["must_run", "economic"]),
    delay_escalation=st.booleans(),
    delay_cost=st.sampled_from([0.0, 0.02, 0.1]),
    end_of_life=st.sampled_from([0.0, 0.1, -0.05]),
    tax=st.sampled_from(["spv_margin", "investor_share", "none"]),
)
MARKETS = st.sampled_from([
    Market(), Market.paths(), Market(prices=PricePaths(rank_correlation=0.0)),
    Market(sofr=SofrPaths(floor=None)),
    Market(prices=PricePaths(power=MeanReverting(half_life=1.0, volatility=0.5),
                             fuel=MeanReverting(half_life=None, volatility=0.2))),
])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blocks(), OPS, st.integers(1, 4), MARKETS, st.integers(0, 2**32 - 2), st.integers(0, 3))
def test_both_backends_agree_with_paths_and_operations(case, ops, mothball, market, seed,
                                                       block):
    deal, draws, horizon = case
    if ops.dispatch == "economic" and mothball > 1:
        ops = dataclasses.replace(ops, mothball_after=mothball)
    draws = dict(draws, price=np.maximum(draws["price"], 1e-3),
                 fuel=np.maximum(draws["fuel"], 1e-3),
                 usdjpy=np.linspace(120.0, 180.0, draws["price"].size))
    yen = tuple(dataclasses.replace(f, currency="JPY", total=f.total * 150.0)
                for f in deal.fees[:1]) + deal.fees[1:]
    project = deal.project
    if ops.funding == "upfront":  # tranche 1's notice (Feb 2026) must fall on the grid
        project = dataclasses.replace(project, first_year=2026)
    deal = dataclasses.replace(deal, project=project, operations=ops, market=market, fees=yen)
    root = np.random.SeedSequence(seed)
    ref = _simulation_outputs(deal, draws, horizon=horizon, paths=2, backend="numpy",
                              root=root, block=block)
    fast = _simulation_outputs(deal, draws, horizon=horizon, paths=2, backend="numba",
                               root=root, block=block)
    assert_paths_agree(fast, ref, money=1e-12 * deal.project.capex * 10)


def test_full_persistence_paths_are_the_level_model():
    deal = dataclasses.replace(ohio_gas_power(), market=Market())
    flat = dataclasses.replace(deal, market=Market(prices=PricePaths.full_persistence()))
    a = dealsim.simulate(deal, 3000, seed=4, backend="numpy")
    b = dealsim.simulate(flat, 3000, seed=4, backend="numpy")
    np.testing.assert_allclose(b.investor_npv, a.investor_npv, rtol=1e-12)


def test_paths_keep_the_reproducibility_contract_and_move_the_answer():
    deal = dataclasses.replace(ohio_gas_power(), market=Market.paths())
    a = dealsim.simulate(deal, 40, seed=8)
    b = dealsim.simulate(deal, 17, seed=8)
    np.testing.assert_array_equal(b.investor_npv, a.investor_npv[:17])
    levels = dealsim.simulate(dataclasses.replace(deal, market=Market()), 40, seed=8)
    assert not np.allclose(a.investor_npv, levels.investor_npv)
    # the scalar draws are the same: paths start at them
    np.testing.assert_array_equal(a.inputs["price"], levels.inputs["price"])


# --- dispatch ----------------------------------------------------------------------------


def _toy(**kw):
    base = dict(name="gas", capex=100.0, construction_years=1, first_year=2026,
                capacity=1.0, capacity_unit="MW", utilisation=1.0, price=10.0,
                operating_life=4, variable_cost=1.0, fuel_intensity=1.0, fuel_price=5.0,
                fixed_om=2.0)
    base.update(kw)
    return Project(**base)


def test_at_zero_power_price_a_dispatched_gas_plant_costs_what_an_idle_plant_costs():
    p = _toy()
    eco = build_cashflows(p, price_factor=0.0, operations=Operations(dispatch="economic"))
    must = build_cashflows(p, price_factor=0.0, operations=Operations(dispatch="must_run"))
    op = np.arange(eco.net.size) >= 1
    np.testing.assert_array_equal(eco.opex[op], p.fixed_om)      # fixed O&M only
    np.testing.assert_array_equal(eco.revenue, 0.0)
    assert (must.opex[op] > p.fixed_om).all()                       # burns fuel at a loss


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.0, 3.0), min_size=6, max_size=6), st.floats(0.1, 2.0),
       st.sampled_from([0, 2, 3]))
def test_dispatch_equals_a_plain_loop_on_a_price_path(path, fuel, mothball):
    """The vectorised steps on a (T, S) price path equal a plain loop of the rule: run
    where the price covers fuel + variable cost, never run again once mothballed."""
    p = _toy(operating_life=5)
    ops = Operations(dispatch="economic", mothball_after=mothball or None)
    lp = _line_params(p, (), 6, 0, ops, 1.0)
    lines = np.empty((6, 6, 1))
    _steps.scenario_lines(lp, np.zeros(1, dtype=np.int64), np.ones(1), np.ones(1),
                          np.array(path)[:, None], np.full((6, 1), fuel), np.ones(1),
                          np.full((6, 1), 159.0), lines)
    idle, mothballed = 0, False
    for t in range(6):
        if t == 0:
            continue
        run = path[t] * 10.0 >= 1.0 + fuel * 5.0 and not mothballed
        idle = 0 if run else idle + 1
        mothballed = mothballed or (mothball > 0 and idle >= mothball)
        fixed = 2.0 * (0.2 if mothballed else 1.0)
        q = lp.output  # MWh a year of 1 MW at full utilisation
        assert lines[1, t, 0] == pytest.approx(run * q * path[t] * 10.0, rel=1e-12)
        assert lines[2, t, 0] == pytest.approx(run * q * (1.0 + fuel * 5.0) + fixed, rel=1e-12)


def test_nuclear_runs_as_baseload():
    assert Operations.owner(thermal=False).dispatch == "must_run"
    p = _toy(fuel_intensity=0.0, variable_cost=12.0)
    cf = build_cashflows(p, operations=Operations.owner(thermal=False))
    assert (cf.opex[1:] == 12.0 * p.output_per_year + 2.0).all()


# --- delays --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ohio_gas_power", "texas_gulflink", "georgia_diamond",
                                  "smr_tranche2", "gas_tranche2"])
def test_costly_delays_lower_every_presets_npv(name):
    deal = catalog()[name].build()
    nuclear = deal.project.reference_class == "nuclear"
    owner = dataclasses.replace(deal, operations=Operations.owner(thermal=not nuclear))
    npv = evaluate(owner, delay=np.arange(6), horizon=deal.project.base_horizon + 6).investor_npv
    assert (np.diff(npv) < 0).all()


def test_free_delays_raised_ohios_npv_in_the_legacy_model():
    # before issue 11 spend was deferred at no cost, so at a 5.5% discount rate a delay
    # was worth more than the later sales lost; with the default operations it costs
    legacy = dataclasses.replace(ohio_gas_power(), operations=Operations.legacy())
    npv = evaluate(legacy, delay=np.arange(3), horizon=48).investor_npv
    assert (np.diff(npv) > 0).all()
    npv = evaluate(ohio_gas_power(), delay=np.arange(3), horizon=48).investor_npv
    assert (np.diff(npv) < 0).all()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 5), st.integers(5, 40), st.floats(0.0, 0.1), st.floats(0.0, 1.0),
       st.floats(0.0, 1.0), st.floats(20.0, 150.0), st.floats(0.0, 5e7),
       st.sampled_from(["must_run", "economic"]), st.sampled_from([0.0, 0.02]),
       st.sampled_from([0.0, 0.21]), st.floats(1e8, 1e10))
def test_npv_never_rises_with_delay_when_deferring_spend_saves_nothing(
        cy, life, d, up, down, price, fixed, dispatch, cost, tax, capex):
    """Aggregate reading, deemed = discount rate d, every cost (capex, fuel, O&M)
    escalating at >= d and the price at <= d: a delay then cannot make any cost cheaper
    in present value, and NPV is non-increasing in delay. (Outside this domain it is
    not a law: deferring an as-spent call, or a loss-making operating year, at d above
    its escalation e saves (d - e) / (1 + d) of it a year.)"""
    p = Project(name="x", capex=capex, construction_years=cy, first_year=2026,
                capacity=1000.0, capacity_unit="MW", utilisation=0.6, price=price,
                operating_life=life, price_escalation=d * down, variable_cost=3.0,
                fuel_intensity=7.0, fuel_price=3.5, fuel_escalation=d + (0.12 - d) * up,
                fixed_om=fixed, cost_escalation=d + (0.12 - d) * up, tax_rate=tax)
    for funding, slack in (("grid", 1e-9), ("as_spent", (1.0 + d) ** (3 / 365) - 1.0 + 1e-9)):
        # as spent, a delayed call is funded in another calendar year, whose quarterly
        # funding days differ by a few days (holidays, weekends): slack of 3 days'
        # deemed interest on the capital
        deal = dealsim.Deal(project=p, terms=DealTerms(deemed_rate=d),
                            operations=Operations(dispatch=dispatch, delay_escalation=True,
                                                  delay_cost=cost, funding=funding))
        npv = evaluate(deal, delay=np.arange(5), horizon=p.base_horizon + 5).investor_npv
        assert (np.diff(npv) <= slack * capex).all(), funding


# --- the floating deemed rate -------------------------------------------------------------


def _plain_aggregate(net, rates, disc, a, b):
    """The aggregate reading and discounting along a path, one period at a time."""
    bal, pv, factor, out = 0.0, 0.0, 1.0, []
    for t, c in enumerate(net):
        bal = bal * (1.0 + rates[t]) + max(-c, 0.0)
        x = max(c, 0.0)
        if a * x >= bal:
            inv = bal + b * (x - bal / a)
            bal = 0.0
        else:
            inv = a * x
            bal -= a * x
        inv += min(c, 0.0)
        if t > 0:
            factor /= 1.0 + disc[t]
        pv += inv * factor
        out.append(inv)
    return out, bal, pv


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(-50.0, 80.0), min_size=2, max_size=12), st.integers(0, 10_000))
def test_deemed_accrual_and_discounting_follow_the_rate_path(net, seed):
    T = len(net)
    _, rates = SofrPaths().sample(seed=seed, size=1, horizon=T)
    lines = _steps.FeeAndNet(None, np.array(net)[:, None].copy())
    inv, bal = np.empty((T, 1)), np.empty((T, 1))
    sp = _steps.SplitParams(0.5, 0.1, False, 1)
    sums = _steps.scenario_split(sp, rates.T, rates.T, lines, inv, bal)
    want, want_bal, want_pv = _plain_aggregate(net, rates[0], rates[0], 0.5, 0.1)
    np.testing.assert_allclose(inv[:, 0], want, rtol=1e-12, atol=1e-9)
    assert bal[-1, 0] == pytest.approx(want_bal, rel=1e-12, abs=1e-9)
    assert sums[0][0] == pytest.approx(want_pv, rel=1e-12, abs=1e-9)


# --- end of life and tax -------------------------------------------------------------------


def test_end_of_life_amount_falls_in_the_last_operating_year_and_is_split():
    p = _toy(cost_escalation=0.03)
    base = build_cashflows(p)
    eol = build_cashflows(p, operations=Operations(end_of_life=-0.1))
    diff = eol.net - base.net
    np.testing.assert_allclose(diff, [0, 0, 0, 0, -10.0 * 1.03**4], atol=1e-12)
    deal = dealsim.Deal(project=p, terms=DealTerms(),
                        operations=Operations(end_of_life=0.5))
    ev = evaluate(deal)
    np.testing.assert_allclose(ev.split.investor + ev.split.host, ev.lines.net, atol=1e-12)


def test_tax_is_a_labelled_choice():
    deal = ohio_gas_power()
    taxes = {}
    for tax in ("spv_margin", "investor_share", "none"):
        ev = evaluate(dataclasses.replace(deal, operations=Operations(tax=tax)))
        taxes[tax] = ev.lines.tax
    assert taxes["spv_margin"].sum() > 0
    # pass-through: the tax line is Japan's own tax on its distributive share; Ohio's base
    # case never recovers its allocation, so the share is 50% of the SPV-margin tax
    # throughout (the entity's tax, at full rate, on the whole margin)
    np.testing.assert_allclose(taxes["investor_share"], 0.5 * taxes["spv_margin"], rtol=1e-12)
    assert (taxes["none"] == 0).all()


# --- pass-through tax: Japan pays the tax on its own share ---------------------------------


def _pass_through_loop(net, base, rate, a, b):
    """Aggregate reading with Japan's own tax, one period at a time in plain Python:
    the SPV distributes its pre-tax cash ``net``; Japan pays ``base`` (tax on the whole
    margin at the full rate) times its share of the period's distributions (the tier
    in force when nothing is distributed). Returns Japan's flows after tax, the US
    side's flows, Japan's tax and the recovery period."""
    owed, japan, us, tax, rec, seen = 0.0, [], [], [], -1, False
    for t, c in enumerate(net):
        owed = owed * (1 + rate) + max(-c, 0.0)
        cash = max(c, 0.0)
        if a * cash >= owed:
            got = owed + b * (cash - owed / a)
            owed, clear = 0.0, True
        else:
            got = a * cash
            owed, clear = owed - got, False
        share = got / cash if cash > 0 else (b if clear else a)
        tax.append(base[t] * share)
        japan.append(got - tax[-1] + min(c, 0.0))
        us.append(cash - got)
        if clear and seen and rec < 0:
            rec = t
        seen = seen or not clear
    return np.array(japan), np.array(us), np.array(tax), rec


@pytest.mark.parametrize("price", [40.0, 60.0, 90.0])
@pytest.mark.parametrize("rate", [0.0, 0.05])
def test_pass_through_tax_equals_a_plain_loop(price, rate):
    # capex 100 over one year, output 1 a year for 5 years, no costs: pre-tax cash
    # [-100, price x 5], taxable income price - 20 (straight-line depreciation over the
    # 5-year life), tax at 21% on the whole margin = 0.21 (price - 20)
    p = _toy(price=price, operating_life=5, variable_cost=0.0, fuel_intensity=0.0,
             fixed_om=0.0, tax_rate=0.21, capacity_unit="t/yr")
    deal = dealsim.Deal(project=p, terms=DealTerms(deemed_rate=rate), market=Market(),
                        operations=Operations(funding="grid", dispatch="must_run"))
    ev = evaluate(deal)
    net = np.array([-100.0] + [price] * 5)
    base = np.array([0.0] + [0.21 * (price - 20.0)] * 5)
    japan, us, tax, rec = _pass_through_loop(net, base, rate, 0.5, 0.1)
    np.testing.assert_allclose(ev.split.investor, japan, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ev.split.host, us, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ev.lines.tax, tax, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ev.lines.net, net - tax, rtol=1e-12, atol=1e-12)
    assert int(ev.recovered_at) == rec
    # Japan's NPV (at the deemed rate) and MOIC are after its tax
    assert float(ev.investor_npv) == pytest.approx(
        sum(x / (1 + rate) ** t for t, x in enumerate(japan)), rel=1e-12, abs=1e-9)
    assert float(ev.investor_moic) == pytest.approx(japan[japan > 0].sum() / 100.0, rel=1e-12)
    if price == 90.0:  # recovered in period 2 (45 + 45 >= 100): 10% of the income after
        assert rec >= 0 and tax[-1] == pytest.approx(0.1 * base[-1], rel=1e-12)


def test_ohio_2031_japan_bears_its_own_tax():
    # the SPV's cash before tax, C (tax "none"), and the tax on its whole margin, M
    # (entity level, full rate): Ohio never recovers its allocation at the base case, so
    # in 2031 Japan receives C/2 - M/2 and the US side C/2 (the review's $1.0292bn and
    # $1.1553bn; the old default gave each (C - M/2) / 2 = $1.0923bn)
    deal = ohio_gas_power()
    ev = evaluate(deal)
    pre = evaluate(dataclasses.replace(deal, operations=Operations(tax="none")))
    spv = evaluate(dataclasses.replace(deal, operations=Operations(tax="spv_margin")))
    i = list(ev.lines.years).index(2031)
    c, m = pre.lines.net[i], spv.lines.tax[i]
    assert ev.split.investor[i] == pytest.approx(c / 2 - m / 2, rel=1e-12)
    assert ev.split.host[i] == pytest.approx(c / 2, rel=1e-12)
    assert round(ev.split.investor[i] / 1e9, 4) == 1.0292
    assert round(ev.split.host[i] / 1e9, 4) == 1.1553


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_the_us_side_does_not_depend_on_japans_tax(backend):
    # pass-through: the tax rate moves Japan's flows only; the host's NPV and every
    # flow of the host are those of a deal without tax (to float rounding: the tax line
    # is subtracted and added back)
    base = dataclasses.replace(ohio_gas_power(), market=Market())
    flows, npvs = [], []
    for rate in (0.0, 0.21, 0.35):
        deal = dataclasses.replace(base, project=dataclasses.replace(base.project,
                                                                     tax_rate=rate))
        ev = evaluate(deal, overrun=[1.0, 1.3], price_factor=[1.0, 2.5])
        flows.append(ev.split.host)
        draws = {"overrun": np.array([1.0, 1.3]), "price": np.array([1.0, 2.5])}
        npvs.append(_simulation_outputs(deal, draws, horizon=ev.lines.net.shape[-1],
                                        paths=0, backend=backend)["host_npv"])
    for f, n in zip(flows[1:], npvs[1:], strict=True):
        np.testing.assert_allclose(f, flows[0], rtol=1e-12, atol=1e-3)
        np.testing.assert_allclose(n, npvs[0], rtol=1e-12)
    assert not np.allclose(evaluate(base).split.investor,
                           evaluate(dataclasses.replace(base, operations=Operations(
                               tax="none"))).split.investor)


def test_market_fields_refuse_wrong_types():
    with pytest.raises(dealsim.InvalidParameterError, match="market must be a Market"):
        dataclasses.replace(ohio_gas_power(), market=PricePaths())
    with pytest.raises(dealsim.InvalidParameterError, match="operations must be an Operations"):
        dataclasses.replace(ohio_gas_power(), operations="owner")
    assert UsdJpyPaths().process.half_life is None


# --- the fee in yen ------------------------------------------------------------------------


def _yen_ohio():
    """Ohio at levels with the fee in dollars (at ¥159/$) and in yen (the preset's)."""
    deal = dataclasses.replace(ohio_gas_power(), market=Market())
    jpy = deal.fees[0]
    assert jpy.currency == "JPY" and jpy.total == 100e9  # the preset: the yen amount
    return dataclasses.replace(deal, fees=(DeveloperFee.softbank_ohio(),)), deal


def test_yen_fee_at_159_is_todays_dollar_fee_and_moves_with_usdjpy():
    usd, jpy = _yen_ohio()
    a, b = evaluate(usd), evaluate(jpy)
    np.testing.assert_allclose(b.lines.fee, a.lines.fee, rtol=1e-14)  # ¥100bn at ¥159/$
    rates = np.array([120.0, 159.0, 200.0])
    fees = evaluate(jpy, usdjpy=rates).lines.fee.sum(axis=-1)
    np.testing.assert_allclose(fees * rates, 100e9, rtol=1e-12)  # the yen amount is fixed
    assert fees[0] > fees[1] > fees[2]  # a weaker yen makes the fee cheaper in dollars


def test_simulation_converts_the_yen_fee_at_each_scenarios_usdjpy():
    usd, jpy = _yen_ohio()
    for backend in ("numpy", "numba"):
        r = dealsim.simulate(jpy, 2000, seed=3, backend=backend)
        r_usd = dealsim.simulate(usd, 2000, seed=3, backend=backend)
        paid = r.fee_paid
        ratio = r.fee_pv[paid] / r_usd.fee_pv[paid]
        np.testing.assert_allclose(ratio, 159.0 / r.inputs["usdjpy"][paid], rtol=1e-12)
    # a USD/JPY path: each installment at its own year's rate, both backends alike
    path = dataclasses.replace(jpy, market=Market(usdjpy=UsdJpyPaths()))
    a = dealsim.simulate(path, 500, seed=3, backend="numpy")
    b = dealsim.simulate(path, 500, seed=3, backend="numba")
    np.testing.assert_allclose(a.fee_pv, b.fee_pv, rtol=1e-12)
    r = dealsim.simulate(jpy, 500, seed=3)
    assert not np.allclose(a.fee_pv[a.fee_paid], r.fee_pv[r.fee_paid])


# --- funding on the MOU calendar -----------------------------------------------------------


@pytest.mark.parametrize("mode", ["as_spent", "upfront"])
def test_daa_accrues_from_the_funding_dates(mode):
    """No cash is ever distributed (price 0, no O&M): the split's balance equals the
    calendar's accrual of the calls (dealsim.finance.capital_calls, itself checked against a
    plain loop over dated fundings), on both backends' shared steps."""
    p = _toy(price=0.0, variable_cost=0.0, fuel_intensity=0.0, fixed_om=0.0,
             construction_years=3, capex=300.0)
    deal = dealsim.Deal(project=p, terms=DealTerms(deemed_rate=0.06),
                        operations=Operations(funding=mode))
    ev = evaluate(deal)
    T = ev.lines.net.shape[-1]
    cal = funding_calendar(2026, T, mode=mode)
    calls = np.minimum(ev.lines.net, 0.0)[None, :]
    paid = upfront_calls(calls, [3], cal.upfront_period) if mode == "upfront" else calls
    want = deemed_balance(accrued_calls(paid, 0.06, cal), 0.06)[0]
    np.testing.assert_allclose(ev.split.balance, want, rtol=1e-12)
    np.testing.assert_allclose(ev.split.investor, paid[0], rtol=1e-12)
    assert (ev.split.host == 0).all()


def test_funding_ohio_upfront_costs_japan_what_the_issue_says():
    # issue #11: funding all $33.3bn upfront moves Ohio's NPV from -15.6 to -17.3bn
    def ops(funding):
        return dataclasses.replace(Operations.legacy(), funding=funding)

    npv = {f: float(evaluate(dataclasses.replace(ohio_gas_power(), operations=ops(
        f))).investor_npv) / 1e9 for f in ("grid", "as_spent", "upfront")}
    # the issue's -17.3bn booked the upfront call at its year's end; valued from its
    # funding day (21 Apr 2026, 0.70 years of deemed interest on $33.3bn) it is -18.6bn
    assert round(npv["grid"], 1) == -15.6 and round(npv["upfront"], 1) == -18.6
    # as spent, calls arrive during the year: their deemed interest makes the NPV lower
    assert npv["upfront"] < npv["as_spent"] < npv["grid"]
    ev = evaluate(dataclasses.replace(ohio_gas_power(), operations=ops("upfront")))
    assert (ev.split.host >= 0).all()  # the host never pays a call
    assert ev.split.investor[0] == pytest.approx(-33.3e9, rel=1e-12)
