"""The two backends of one Monte Carlo block (numpy and the numba kernel) and their edges.

Both run the same steps (:mod:`dealsim.kernels.steps`), so the cross-path property test below
(hypothesis) is a check of the orchestration and of numba's scalar arithmetic; the
independent references are elsewhere: the plain-Python waterfall in test_waterfall.py
and ``evaluate`` (line items, public ``irr``/``npv``/``moic``) here.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import math
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dealsim
from dealsim import DealTerms, DeveloperFee, Project
from dealsim.errors import InvalidCashflowsError, InvalidParameterError
from dealsim.finance.cashflows import _line_params
from dealsim.finance.evaluation import _simulation_outputs
from dealsim.finance.waterfall import _split_params
from dealsim.kernels import block as _kernels
from dealsim.kernels import steps as _steps
from dealsim.model.market import Market
from dealsim.model.operations import Operations
from dealsim.montecarlo.run import _horizon
from dealsim.montecarlo.uncertainty import default_uncertainties, sampler_uniforms
from dealsim.presets import ohio_gas_power

pytest.importorskip("numba")

KEYS = ("investor_irr", "irr_status", "investor_npv", "host_npv", "investor_moic",
        "recovered_at", "fee_paid", "fee_pv")


def draws_for(deal, size=3000, seed=5):
    unc = default_uncertainties(deal.project.reference_class)
    u = sampler_uniforms("random", np.random.SeedSequence(seed), block=0, size=size,
                         dim=unc.dim)
    return unc.transform(u), _horizon(deal, unc)


def assert_paths_agree(fast, ref, money):
    """Every per-scenario output: exact for codes and flags, 1e-12 for rates and money."""
    for key in ("irr_status", "recovered_at", "fee_paid"):
        np.testing.assert_array_equal(fast[key], ref[key], err_msg=key)
    np.testing.assert_allclose(fast["investor_irr"], ref["investor_irr"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(fast["investor_moic"], ref["investor_moic"], rtol=1e-12)
    # money: ``money`` (a scale of the deal's capital) or 1e-12 of the largest amount
    # compared, whichever is larger (a balance that costs keep growing can dwarf capex)
    for key in ("investor_npv", "host_npv", "fee_pv", "path:investor", "path:balance"):
        if key in ref:
            scale = float(np.max(np.abs(ref[key]), initial=0.0))
            np.testing.assert_allclose(fast[key], ref[key], rtol=0,
                                       atol=max(money, 1e-12 * scale), err_msg=key)


# --- cross-path property: many deals, both backends ------------------------------------

money_el = st.floats(0.0, 200.0)
rate_el = st.floats(-0.05, 0.2)


@st.composite
def deals(draw):
    """A deal with every Project, DealTerms and DeveloperFee field drawn."""
    c_years = draw(st.integers(1, 4))
    life = draw(st.integers(3, 12))
    profile = draw(st.lists(st.floats(0.0, 1.0), min_size=c_years, max_size=c_years))
    total = sum(profile)
    spend = tuple(x / total for x in profile) if total > 0.1 else None
    if spend is not None:
        spend = spend[:-1] + (1.0 - math.fsum(spend[:-1]),)
        spend = spend if min(spend) >= 0 else None
    project = Project(
        name="drawn", capex=draw(st.floats(10.0, 1000.0)), construction_years=c_years,
        first_year=draw(st.integers(2000, 2040)), capacity=draw(st.floats(1.0, 100.0)),
        capacity_unit=draw(st.sampled_from(["MW", "bbl/d", "t/yr"])),
        utilisation=draw(st.floats(0.05, 1.0)), price=draw(st.floats(0.0, 0.05)),
        operating_life=life, spend_profile=spend, price_escalation=draw(rate_el),
        variable_cost=draw(st.floats(0.0, 0.02)), fuel_intensity=draw(st.floats(0.0, 2.0)),
        fuel_price=draw(st.floats(0.0, 0.01)), fuel_escalation=draw(rate_el),
        fixed_om=draw(money_el), cost_escalation=draw(rate_el),
        tax_rate=draw(st.sampled_from([0.0, 0.21, draw(st.floats(0.0, 0.9))])),
        depreciation_years=draw(st.integers(1, 2 * life)),
    )
    fees = []
    for _ in range(draw(st.integers(0, 2))):
        installments = draw(st.integers(1, life))
        fees.append(DeveloperFee(
            total=draw(money_el), installments=installments,
            capacity_target=project.capacity * draw(st.sampled_from([0.5, 1.0, 1.2])),
            rule=draw(st.sampled_from(["all_or_nothing", "pro_rata"])),
            start_offset=draw(st.integers(0, life - installments))))
    terms = DealTerms(
        deemed_rate=draw(rate_el), share_before=draw(st.floats(0.05, 1.0)),
        share_after=draw(st.floats(0.0, 1.0)),
        reading=draw(st.sampled_from(["aggregate", "scheduled"])),
        amortisation_periods=draw(st.integers(1, 25)))
    discount = draw(st.one_of(st.none(), rate_el))
    ops = Operations(
        dispatch=draw(st.sampled_from(["economic", "must_run"])),
        delay_escalation=draw(st.booleans()), delay_cost=draw(st.floats(0.0, 0.1)),
        end_of_life=draw(st.floats(-0.5, 0.5)),
        tax=draw(st.sampled_from(["investor_share", "spv_margin", "none"])),
        funding=draw(st.sampled_from(["as_spent", "upfront", "grid"])))
    market = draw(st.sampled_from([Market(), Market.paths()]))
    return dealsim.Deal(project=project, terms=terms, fees=tuple(fees), discount_rate=discount,
                        operations=ops, market=market)


@st.composite
def blocks(draw):
    """A deal and a block of draws: delays, capacities at and around the fee targets
    (the all-or-nothing tolerance), prices low enough for capital calls after operation
    starts, and one deemed rate per scenario."""
    deal = draw(deals())
    n = draw(st.integers(1, 12))
    max_delay = draw(st.integers(0, 3))
    uniform = st.floats(0.0, 1.0)
    u = np.array([[draw(uniform) for _ in range(7)] for _ in range(n)])
    cap = np.where(u[:, 2] < 0.3, 1.0, np.where(u[:, 2] < 0.4, 1.0 - 5e-10, 0.5 + u[:, 2]))
    draws = {
        "overrun": 0.5 + 2.0 * u[:, 0],
        "delay": np.floor(u[:, 1] * (max_delay + 1)).clip(0, max_delay),
        "capacity": cap,
        "price": 3.0 * u[:, 3],
        "fuel": 2.0 * u[:, 4],
        "utilisation": 0.5 + u[:, 5],
        "deemed_rate": -0.05 + 0.25 * u[:, 6],
    }
    return deal, draws, deal.project.base_horizon + max_delay + draw(st.integers(0, 2))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blocks(), st.integers(0, 3))
def test_numba_and_numpy_paths_agree_on_every_output(case, paths):
    deal, draws, horizon = case
    root = np.random.SeedSequence(11)
    ref = _simulation_outputs(deal, draws, horizon=horizon, paths=paths, backend="numpy",
                              root=root)
    fast = _simulation_outputs(deal, draws, horizon=horizon, paths=paths, backend="numba",
                               root=root)
    assert set(fast) == set(ref) and set(KEYS) <= set(ref)
    assert_paths_agree(fast, ref, money=1e-12 * deal.project.capex * 10)


def test_capital_calls_after_operation_are_covered():
    # net < 0 in operating years (costs above revenue): both backends, both readings
    for reading in ("aggregate", "scheduled"):
        deal = ohio_gas_power(power_price=20.0,
                              terms=DealTerms.japan_2025(reading=reading))
        draws, horizon = draws_for(deal, size=500)
        ev = dealsim.evaluate_draws(deal, {k: x[:50] for k, x in draws.items()},
                                    horizon=horizon)
        cod = ev.lines.cod[:, None]
        t = np.arange(horizon)
        assert ((ev.lines.net < 0) & (t >= cod)).any()
        root = np.random.SeedSequence(4)
        ref = _simulation_outputs(deal, draws, horizon=horizon, paths=3, backend="numpy",
                                  root=root)
        fast = _simulation_outputs(deal, draws, horizon=horizon, paths=3, backend="numba",
                                   root=root)
        assert_paths_agree(fast, ref, money=deal.project.capex * 1e-12)


PRO_RATA = DeveloperFee(total=2e9, installments=5, capacity_target=9000.0, rule="pro_rata",
                        start_offset=2)
# evaluate takes the factors it is given (no market paths): levels here, so that a
# block and evaluate see the same factors; the operations are the defaults
DEALS = {name: dataclasses.replace(deal, market=Market()) for name, deal in {
    "default": ohio_gas_power(),
    "scheduled": ohio_gas_power(terms=DealTerms.japan_2025(reading="scheduled")),
    "original fee, no tax": ohio_gas_power(fee="original", tax_rate=0.0),
    "pro-rata fee, fixed discount rate": dataclasses.replace(
        ohio_gas_power(fee="none"), fees=(PRO_RATA,), discount_rate=0.08),
    # a price so low that many scenarios never recover: NaN IRRs, -1 recoveries
    "weak": ohio_gas_power(power_price=40.0, terms=DealTerms(deemed_rate=0.1)),
    "legacy operations": ohio_gas_power(power_price=40.0),
}.items()}
DEALS["legacy operations"] = dataclasses.replace(DEALS["legacy operations"],
                                                 operations=Operations.legacy())


@pytest.mark.parametrize("name", list(DEALS))
@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_block_equals_evaluate(name, backend):
    # evaluate is the other route: line items, the public waterfall core, public irr/npv
    deal = DEALS[name]
    draws, horizon = draws_for(deal, size=400)
    out = _simulation_outputs(deal, draws, horizon=horizon, paths=5, backend=backend)
    ev = dealsim.evaluate_draws(deal, draws, horizon=horizon)
    ref = {"investor_irr": ev.investor_irr, "irr_status": ev.irr_status,
           "investor_npv": ev.investor_npv, "host_npv": ev.host_npv,
           "investor_moic": ev.investor_moic, "recovered_at": ev.recovered_at,
           "fee_paid": ev.fee_paid, "fee_pv": ev.fee_pv,
           "path:investor": ev.split.investor[:5], "path:balance": ev.split.balance[:5]}
    # NPVs: BLAS dot products against running sums; relative to the capital at stake
    assert_paths_agree(out, ref, money=deal.project.capex * 1e-12)
    if name == "weak":  # the comparison covered undefined IRRs and unrecovered balances
        assert np.isnan(ref["investor_irr"]).any() and (ref["recovered_at"] < 0).any()


# --- backend choice: explicit, recorded, never a silent fallback -------------------------


def test_backend_choice_is_explicit_and_recorded(monkeypatch):
    assert _kernels.resolve("auto") == "numba"
    assert _kernels.resolve("numpy") == "numpy"
    assert _kernels.resolve("numba") == "numba"
    with pytest.raises(InvalidParameterError, match="backend must be one of"):
        _kernels.resolve("gpu")
    scheduled = DEALS["scheduled"]
    fast = dealsim.simulate(scheduled, 500, seed=3, backend="numba")
    auto = dealsim.simulate(scheduled, 500, seed=3)
    ref = dealsim.simulate(scheduled, 500, seed=3, backend="numpy")
    assert (fast.backend, auto.backend, ref.backend) == ("numba", "numba", "numpy")
    np.testing.assert_array_equal(auto.investor_npv, fast.investor_npv)
    np.testing.assert_allclose(fast.investor_irr, ref.investor_irr, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(fast.recovered_at, ref.recovered_at)
    # without numba: "auto" says numpy, "numba" says why it cannot run
    monkeypatch.setattr(_kernels, "available", lambda: False)
    assert _kernels.resolve("auto") == "numpy"
    with pytest.raises(InvalidParameterError, match="needs numba, which is not importable"):
        _kernels.resolve("numba")
    assert dealsim.simulate(scheduled, 50, seed=3).backend == "numpy"


def test_kernel_layer_knows_no_deal():
    # the kernel receives NamedTuples of parameters, never a Deal
    deal = DEALS["default"]
    draws, horizon = draws_for(deal, size=10)
    lp = _line_params(deal.project, deal.fees, horizon, horizon - deal.project.base_horizon)
    assert type(lp).__module__ == "dealsim.kernels.steps"
    assert type(_split_params(deal.terms)).__module__ == "dealsim.kernels.steps"
    def relative_imports(module):
        tree = ast.parse(Path(module.__file__).read_text())
        return {node.module or "" for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.level}

    assert relative_imports(_steps) == set()  # the steps import nothing from dealsim
    kernel = relative_imports(_kernels) | relative_imports(
        importlib.import_module("dealsim.kernels.fused"))
    assert kernel <= {"_steps", "errors", "metrics", "_irr_core", "_irr_numba",
                      "_kernels_numba", ""}, kernel


# --- edges: bad draws, absurd delays, overflow in the user's terms -----------------------


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_bad_draws_name_the_factor(backend):
    deal = DEALS["default"]
    with pytest.raises(InvalidParameterError, match="overrun"):
        _simulation_outputs(deal, {"overrun": np.array([1.0, -1.0])}, horizon=43, paths=0,
                            backend=backend)
    with pytest.raises(InvalidParameterError, match="delay must be whole years"):
        _simulation_outputs(deal, {"delay": np.array([0.5])}, horizon=43, paths=0,
                            backend=backend)
    with pytest.raises(InvalidParameterError, match="limited to MAX_DELAY=100 years"):
        _simulation_outputs(deal, {"delay": np.array([2.0])}, horizon=10**9, paths=0,
                            backend=backend)
    with pytest.raises(InvalidParameterError, match="delays up to 0 years; got a delay of 2"):
        _simulation_outputs(deal, {"delay": np.array([2.0])}, horizon=deal.project.base_horizon,
                            paths=0, backend=backend)


def test_absurd_delays_and_horizons_are_refused_quickly():
    deal = DEALS["default"]
    start = time.perf_counter()
    for delay in (1e6, 2**62, 101):
        with pytest.raises(InvalidParameterError, match=r"delay must be in \[0, 100\]"):
            dealsim.evaluate(deal, delay=delay)
    with pytest.raises(InvalidParameterError, match="horizon must be <= 1000"):
        dealsim.evaluate(deal, horizon=10**9)
    assert time.perf_counter() - start < 2.0  # no grid of 1e6 years was built
    assert dealsim.evaluate(deal, delay=100).lines.net.shape[-1] == deal.project.base_horizon + 100


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_overflow_is_reported_in_the_users_terms(backend):
    deal = DEALS["default"]
    with pytest.raises(InvalidParameterError, match=r"revenue is inf .* price_factor=1e\+300"):
        dealsim.evaluate(deal, price_factor=1e300)
    with pytest.raises(InvalidParameterError, match=r"revenue is inf .*price_factor=1e\+300"):
        _simulation_outputs(deal, {"price": np.array([1.0, 1e300])}, horizon=43, paths=0,
                            backend=backend)
    # the largest capex the class allows (1e15), times an overrun that overflows it
    huge = dataclasses.replace(deal, project=dataclasses.replace(deal.project, capex=1e15))
    with pytest.raises(InvalidParameterError,
                       match=r"capex is inf .*overrun=1e\+300, project.capex=1000000000000000.0"):
        _simulation_outputs(huge, {"overrun": np.array([1e300])}, horizon=43, paths=0,
                            backend=backend)


def test_overflowing_balance_raises_instead_of_nan():
    for reading in ("aggregate", "scheduled"):
        terms = DealTerms(reading=reading)
        with pytest.raises(InvalidCashflowsError, match="balance overflows float64"):
            dealsim.waterfall([-1e308, -1e308, 1.0], terms)
    # large but representable: fine, and no RuntimeWarning (pytest turns them into errors)
    res = dealsim.waterfall([-1e307, -1e307, 1.0], DealTerms(reading="scheduled"))
    assert np.isfinite(res.investor).all()


# --- the compiled IRR (the public irr's compiled path) ------------------------------------


def test_compiled_irr_matches_numpy_irr():
    rng = np.random.default_rng(8)
    cf = rng.normal(size=(20000, 25))  # > 2 x 8192 rows: the threaded split runs too
    cf[:1000, :4] = -np.abs(cf[:1000, :4]) * 10  # conventional rows
    cf[1000:1100] = np.abs(cf[1000:1100])        # no sign change
    cf[1100] = [-100, 230, -132] + [0.0] * 22    # two roots: 10% and 20%
    ref = dealsim.irr(cf, full_output=True, backend="numpy")
    fast = dealsim.irr(cf, full_output=True, backend="numba")
    np.testing.assert_array_equal(fast.status, ref.status)
    np.testing.assert_allclose(fast.rate, ref.rate, rtol=0, atol=1e-12)
    assert fast.rate[1100] == pytest.approx(0.10)
    with pytest.raises(InvalidParameterError, match="backend"):
        dealsim.irr(cf, backend="gpu")
