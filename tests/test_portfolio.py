"""simulate_portfolio(): agreement with simulate and with a per-deal loop, the
reproducibility contract, the common factor (statistical checks with stated
tolerances), the loss split, and the example-e smoke test."""

from __future__ import annotations

import dataclasses
import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from _alarm import alarm  # noqa: F401 - fixture
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import dealsim
from dealsim.errors import DeadlineExceeded, InvalidParameterError
from dealsim.model.market import Market
from dealsim.model.portfolio import PARTIES, CommonFactor, FundingSplit
from dealsim.montecarlo.engine import MAX_N
from dealsim.montecarlo.portfolio import simulate_portfolio
from dealsim.montecarlo.run import BLOCK_SIZE
from dealsim.montecarlo.uncertainty import default_uncertainties
from dealsim.presets import ohio_gas_power

OHIO = ohio_gas_power()


def toy(name: str, capex: float, first_year: int, price: float, rc: str = "fossil_thermal"):
    project = dealsim.Project(
        name=name, capex=capex, construction_years=2, first_year=first_year, capacity=1.0,
        capacity_unit="t/yr", utilisation=1.0, price=price, operating_life=12,
        reference_class=rc)
    return dealsim.Deal(project=project, terms=dealsim.DealTerms.japan_2025(), name=name)


A = toy("A", 10e9, 2026, 1.4e9)
B = toy("B", 4e9, 2028, 0.5e9, rc="nuclear")


# --- agreement with the single-deal engine and with a loop over deals -------------------


def test_one_deal_without_common_factor_reproduces_simulate():
    r = simulate_portfolio([OHIO], 700, seed=5, common=None, backend="numpy")
    s = dealsim.simulate(OHIO, 700, seed=5, paths=0, backend="numpy")
    # the portfolio's npv is a BLAS dot product, simulate's a running sum: 1e-13 apart
    np.testing.assert_allclose(r.npv, s.investor_npv, rtol=1e-12)
    np.testing.assert_array_equal(r.irr, s.investor_irr)
    np.testing.assert_array_equal(r.irr_status, s.irr_status)
    np.testing.assert_allclose(r.moic, s.investor_moic, rtol=1e-14)
    np.testing.assert_array_equal(r.projects[OHIO.name]["npv"], s.investor_npv)
    np.testing.assert_array_equal(r.inputs[OHIO.name]["overrun"], s.inputs["overrun"])


@pytest.fixture(scope="module")
def three():
    # levels (Market()): the loop below re-evaluates each deal on its drawn factors with
    # evaluate_draws, which takes the factors it is given (no market paths)
    deals = {k: dataclasses.replace(d, market=Market())
             for k, d in {"ohio": OHIO, "A": A, "B": B}.items()}
    return deals, simulate_portfolio(deals, 600, seed=21, discount_rate=0.05,
                                     scales={"B": 2.5}, keep_inputs=None, paths=600)


def test_portfolio_equals_loop_over_deals(three):
    # Portfolio NPV at one common rate equals the sum of per-deal NPVs (each evaluated
    # separately on the same draws) discounted from each deal's first year to 2026.
    deals, r = three
    rate, scale = 0.05, {"ohio": 1.0, "A": 1.0, "B": 2.5}
    total_npv = np.zeros(r.n)
    total_loss = np.zeros(r.n)
    for name, deal in deals.items():
        ev = dealsim.evaluate_draws(deal, r.inputs[name])
        inv = ev.split.investor * scale[name]
        offset = deal.project.first_year - 2026
        total_npv += dealsim.npv(rate, inv) / (1 + rate) ** offset
        paid, got = -np.minimum(inv, 0).sum(axis=1), np.maximum(inv, 0).sum(axis=1)
        loss = np.maximum(paid - got, 0.0)
        np.testing.assert_allclose(r.projects[name]["loss"], loss, rtol=1e-12, atol=1.0)
        np.testing.assert_allclose(r.projects[name]["npv"], ev.investor_npv * scale[name],
                                   rtol=1e-12)
        # the fused kernel still has its own copy of the IRR: within rounding until it
        # calls dealsim.kernels.irr_numba.irr_row (then bit-identical: assert_array_equal)
        np.testing.assert_allclose(r.projects[name]["irr"], ev.investor_irr, rtol=0,
                                   atol=1e-12)
        total_loss += loss
    np.testing.assert_allclose(r.npv, total_npv, rtol=1e-10, atol=1.0)  # USD
    # The loss split conserves the loss: the parties' shares add up to the deals' losses.
    np.testing.assert_allclose(sum(r.losses[p] for p in PARTIES), total_loss, rtol=1e-12,
                               atol=1.0)


def test_annual_aggregates_are_consistent(three):
    _, r = three
    calls, receipts = r.paths["calls"], r.paths["receipts"]
    assert calls.shape == (600, r.years.size)
    np.testing.assert_allclose(calls.sum(axis=1), r.paid_in, rtol=1e-12)
    np.testing.assert_allclose(receipts.sum(axis=1), r.received, rtol=1e-12)
    np.testing.assert_allclose(r.annual["calls_mean"], calls.mean(axis=0), rtol=1e-12,
                               atol=1e-3)
    np.testing.assert_allclose(r.annual["calls_std"], calls.std(axis=0, ddof=1), rtol=1e-6,
                               atol=1e3)
    np.testing.assert_array_equal(r.worst_call, calls.max(axis=1))
    np.testing.assert_array_equal(r.worst_call_year, r.years[np.argmax(calls, axis=1)])
    np.testing.assert_array_equal(r.moic >= 1, r.received >= r.paid_in)
    # Nothing is called before the earliest deal starts construction (2026).
    assert r.years[0] == 2026 and r.start_years == {"ohio": 2026, "A": 2026, "B": 2028}
    p, se = r.probabilities()["p_recover_capital"]
    assert p == pytest.approx(np.mean(r.moic >= 1)) and se > 0


def test_start_year_override_shifts_the_flows():
    base = simulate_portfolio([A], 300, seed=2, common=None, paths=300)
    moved = simulate_portfolio([A], 300, seed=2, common=None, paths=300,
                               start_years=[2029])
    assert moved.years[0] == 2029 and moved.years.size == base.years.size
    np.testing.assert_array_equal(moved.paths["calls"], base.paths["calls"])
    # Alongside a deal starting in 2026 the moved deal's flows sit 3 columns later.
    pair = simulate_portfolio({"early": A, "late": A}, 300, seed=2, common=None, paths=300,
                              start_years={"late": 2029})
    assert pair.years[0] == 2026 and pair.years.size == base.years.size + 3


def test_scale_is_the_same_as_a_proportionally_larger_project():
    # The documented claim behind `scales`: multiplying capex, capacity, fixed O&M and
    # the fee by s multiplies every investor flow by s (the waterfall is linear).
    s = 1.7
    p = OHIO.project
    big = dataclasses.replace(
        OHIO, project=dataclasses.replace(p, capex=p.capex * s, capacity=p.capacity * s,
                                          fixed_om=p.fixed_om * s),
        fees=tuple(dataclasses.replace(f, total=f.total * s,
                                       capacity_target=f.capacity_target * s)
                   for f in OHIO.fees))
    draws = {"overrun": np.array([0.9, 1.3]), "delay": np.array([0.0, 2.0]),
             "capacity": np.array([1.0, 0.8])}
    small_flows = dealsim.evaluate_draws(OHIO, draws).split.investor
    np.testing.assert_allclose(dealsim.evaluate_draws(big, draws).split.investor,
                               s * small_flows, rtol=1e-9, atol=1.0)
    one = simulate_portfolio([OHIO], 200, seed=4, common=None)
    two = simulate_portfolio([OHIO], 200, seed=4, common=None, scales=[s])
    np.testing.assert_allclose(two.npv, s * one.npv, rtol=1e-12)
    np.testing.assert_allclose(two.paid_in, s * one.paid_in, rtol=1e-12)
    np.testing.assert_allclose(two.irr, one.irr, rtol=1e-10, atol=1e-14)  # Newton's last bits


# --- reproducibility contract ------------------------------------------------------------


@pytest.fixture(scope="module")
def two_blocks():
    return simulate_portfolio([A, B], BLOCK_SIZE + 300, seed=9, paths=0)


def _same(a, b, rows):
    for name in ("npv", "irr", "irr_status", "moic", "paid_in", "worst_call"):
        np.testing.assert_array_equal(getattr(a, name)[rows], getattr(b, name)[rows], name)
    for p in PARTIES:
        np.testing.assert_array_equal(a.losses[p][rows], b.losses[p][rows], p)
    for deal in a.inputs:
        for k, x in a.inputs[deal].items():
            np.testing.assert_array_equal(x[rows], b.inputs[deal][k][rows], k)


def test_first_k_scenarios_do_not_depend_on_n(two_blocks):
    _same(simulate_portfolio([A, B], 250, seed=9, paths=0), two_blocks, slice(0, 250))


def test_thread_pool_is_bit_identical(two_blocks):
    with ThreadPoolExecutor(max_workers=2) as pool:
        threaded = simulate_portfolio([A, B], BLOCK_SIZE + 300, seed=9, paths=0,
                                      executor=pool)
    _same(threaded, two_blocks, slice(None))
    np.testing.assert_array_equal(threaded.annual["calls_mean"],
                                  two_blocks.annual["calls_mean"])


def test_default_backend_uses_the_compiled_path_of_simulate():
    pytest.importorskip("numba")
    r = simulate_portfolio([OHIO], 700, seed=5, common=None)
    s = dealsim.simulate(OHIO, 700, seed=5, paths=0)
    assert r.backend == s.backend == "numba"
    # the portfolio generates the shared market paths with numpy's steps (vectorised exp),
    # simulate inside its compiled kernel: the factors can differ in the last ulp
    np.testing.assert_allclose(r.projects[OHIO.name]["npv"], s.investor_npv, rtol=1e-13)
    np.testing.assert_allclose(r.projects[OHIO.name]["irr"], s.investor_irr, rtol=1e-10,
                               atol=1e-14)
    np.testing.assert_allclose(r.npv, s.investor_npv, rtol=1e-12)  # numpy npv of the flows


def test_cancel_and_deadline_return_the_prefix(two_blocks):
    cut = simulate_portfolio([A, B], BLOCK_SIZE + 300, seed=9, paths=0,
                             progress=lambda done, total: False)
    assert (cut.n, cut.requested, cut.partial) == (BLOCK_SIZE, BLOCK_SIZE + 300, True)
    _same(cut, two_blocks, slice(0, BLOCK_SIZE))
    assert np.isfinite(cut.annual["calls_mean"]).all()  # means over the rows done
    with pytest.raises(DeadlineExceeded) as exc:
        simulate_portfolio([A, B], BLOCK_SIZE + 300, seed=9, paths=0, deadline=1e-9,
                           on_stop="raise")
    _same(exc.value.result, two_blocks, slice(0, BLOCK_SIZE))


@pytest.mark.usefixtures("alarm")
def test_huge_n_is_refused_quickly():
    with pytest.raises(InvalidParameterError, match="at most"):
        simulate_portfolio([A, B], 1e300, seed=1)
    with pytest.raises(InvalidParameterError, match="GiB"):
        simulate_portfolio([A, B], MAX_N, seed=1)


def test_seed_changes_the_draws():
    a = simulate_portfolio([A, B], 50, seed=1)
    b = simulate_portfolio([A, B], 50, seed=2)
    assert not np.array_equal(a.inputs["A"]["overrun"], b.inputs["A"]["overrun"])


# --- the common factor: statistical checks -------------------------------------------------

N_STAT = 4000


def _rank_corr(strength: float) -> float:
    r = simulate_portfolio([A, B], N_STAT, seed=31, common=CommonFactor(strength=strength),
                           keep_inputs=("overrun",))
    return float(stats.spearmanr(r.inputs["A"]["overrun"], r.inputs["B"]["overrun"])[0])


@pytest.mark.parametrize("strength", [0.0, 0.5, 0.9])
def test_rank_correlation_of_overruns_matches_the_copula(strength):
    # Bivariate normal: Spearman = (6/pi) asin(rho/2) (0, 0.483, 0.891). Tolerance 4
    # standard errors of Spearman's rho, se <= 1/sqrt(n - 1) = 0.0158 at n = 4000.
    target = 6 / math.pi * math.asin(strength / 2)
    assert abs(_rank_corr(strength) - target) < 4 / math.sqrt(N_STAT - 1)


def test_common_factor_keeps_each_marginal():
    # B's overrun is nuclear (mean factor 2.2, deal-facts §5): with a strong common factor
    # its sample mean stays within 4 standard errors of the reference-class mean.
    r = simulate_portfolio([A, B], N_STAT, seed=8, common=CommonFactor(strength=0.9))
    x = r.inputs["B"]["overrun"]
    dist = default_uncertainties("nuclear")["overrun"]
    assert abs(x.mean() - dist.mean) < 4 * x.std(ddof=1) / math.sqrt(x.size)
    assert dist.mean == pytest.approx(2.2)


def test_full_strength_makes_identical_deals_move_together():
    r = simulate_portfolio({"x": A, "y": A}, 300, seed=6, common=CommonFactor(strength=1.0))
    np.testing.assert_array_equal(r.inputs["x"]["overrun"], r.inputs["y"]["overrun"])
    assert not np.array_equal(r.inputs["x"]["delay"], r.inputs["y"]["delay"])


def test_common_factor_widens_the_portfolio_spread():
    # Same marginals, positive dependence: the spread of total capital paid in grows.
    lo = simulate_portfolio([A, B, OHIO], 3000, seed=12, common=CommonFactor(strength=0.0))
    hi = simulate_portfolio([A, B, OHIO], 3000, seed=12, common=CommonFactor(strength=0.9))
    assert hi.paid_in.std() > 1.1 * lo.paid_in.std()
    assert hi.paid_in.mean() == pytest.approx(lo.paid_in.mean(), rel=0.05)


# --- loss split ----------------------------------------------------------------------------


def test_funding_split_known_answer():
    # Loss 10 on 100 paid in; equity 1.5% first loss = 1.5; the remaining 8.5 split
    # JBIC 0.5, NEXI 0.5 * 0.9 = 0.45, banks 0.05.
    got = FundingSplit().allocate(np.array([10.0]), np.array([100.0]))
    assert {k: float(x[0]) for k, x in got.items()} == pytest.approx(
        {"equity": 1.5, "jbic": 4.25, "nexi": 3.825, "banks": 0.425})
    small = FundingSplit().allocate(np.array([1.0]), np.array([100.0]))
    assert float(small["equity"][0]) == 1.0 and float(small["jbic"][0]) == 0.0


@settings(max_examples=60, deadline=None)
@given(st.floats(0, 0.99), st.floats(0, 1), st.floats(0, 1), st.booleans(),
       st.floats(0, 1e12), st.floats(0, 1e12))
def test_loss_split_conserves_and_pro_rata_matches_shares(eq, jbic, nexi, first, loss,
                                                          paid):
    f = FundingSplit(equity_share=eq, jbic_share=jbic, nexi_cover=nexi,
                     equity_first_loss=first)
    parts = f.allocate(np.array(loss), np.array(paid))
    assert sum(float(x) for x in parts.values()) == pytest.approx(loss, rel=1e-12, abs=1e-3)
    assert all(float(x) >= 0 for x in parts.values())
    assert sum(f.shares().values()) == pytest.approx(1.0)
    if not first:
        for k, share in f.shares().items():
            assert float(parts[k]) == pytest.approx(loss * share, rel=1e-12, abs=1e-3)


def test_no_loss_when_every_deal_pays_back():
    rich = toy("rich", 1e9, 2026, 5e9)
    r = simulate_portfolio([rich], 300, seed=1)
    assert (r.moic > 1).all()
    assert all((r.losses[p] == 0).all() for p in PARTIES)
    assert r.probabilities()["p_any_loss"] == (0.0, 0.0)


def test_summary_and_table_print_the_numbers(three):
    _, r = three
    text = r.summary()
    assert "seed = 21" in text and "p_recover_capital" in text and "nexi" in text
    table = r.annual_table()
    assert "2026" in table and "cP50" in table


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, match", [
    (dict(deals=[A, A]), "deal names must be unique"),
    (dict(deals=[]), "deals must hold at least one Deal"),
    (dict(deals=[A, "B"]), "deals must hold Deal objects"),
    (dict(deals={"a": A}, start_years={"b": 2027}), r"start_years names unknown deals \['b'\]"),
    (dict(deals=[A, B], scales=[1.0]), r"scales must have one entry per deal \(2\); got 1"),
    (dict(deals=[A], scales=[-1.0]), r"scales\['A'\] must be finite and > 0"),
    (dict(deals=[A], n=0), "n must be an integer >= 1"),
    (dict(deals=[A], common="strong"), "common must be a CommonFactor or None"),
    (dict(deals=[A], sampler="mc"), "sampler must be one of"),
    (dict(deals=[A], uncertainties=[3]), r"uncertainties\['A'\] must be an Uncertainties"),
])
def test_errors_name_the_argument(kwargs, match):
    args = dict(n=10, seed=1) | kwargs
    with pytest.raises(InvalidParameterError, match=match):
        simulate_portfolio(args.pop("deals"), args.pop("n"), **args)


def test_parameter_object_errors():
    with pytest.raises(InvalidParameterError, match=r"strength must be in \[0, 1\]; got 1.5"):
        CommonFactor(strength=1.5)
    with pytest.raises(InvalidParameterError, match="variables must be distinct"):
        CommonFactor(variables=("overrun", "overrun"))
    with pytest.raises(InvalidParameterError, match=r"nexi_cover must be in \[0, 1\]"):
        FundingSplit(nexi_cover=1.2)
    with pytest.raises(InvalidParameterError, match=r"equity_share must be in \[0, 1\)"):
        FundingSplit(equity_share=1.0)


# --- example e smoke test ---------------------------------------------------------------------
