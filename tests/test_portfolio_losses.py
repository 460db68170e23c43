"""Portfolio losses are named for what they are: the nominal capital shortfall and the
economic loss (its present value), each checked against an independent computation."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import dealsim
from dealsim.errors import InvalidParameterError
from dealsim.model.market import Market
from dealsim.model.operations import Operations
from dealsim.model.portfolio import PARTIES
from dealsim.montecarlo.portfolio import simulate_portfolio
from dealsim.presets import ohio_gas_power

OHIO = ohio_gas_power()
# the independent loop below discounts annual flows at one rate per scenario: levels
# (Market()) and calls on the annual grid, where that is what the model computes
OHIO_GRID = dataclasses.replace(OHIO, market=Market(),
                                operations=dataclasses.replace(Operations(), funding="grid"))
N = 600


def _total(parts):
    return np.sum([parts[p] for p in PARTIES], axis=0)


@pytest.fixture(scope="module")
def ohio_pair():
    r = simulate_portfolio([OHIO_GRID], N, seed=8, common=None)
    s = dealsim.simulate(OHIO_GRID, N, seed=8, paths=N, backend="numpy")
    return r, s


def test_economic_loss_is_minus_the_npv_on_the_deemed_path():
    # the default deal: a floating deemed rate, calls valued from their funding dates;
    # the economic loss is still the unrecovered allocation in PV, i.e. max(-NPV, 0)
    r = simulate_portfolio([OHIO], 300, seed=8, common=None)
    s = dealsim.simulate(OHIO, 300, seed=8, paths=0)
    np.testing.assert_allclose(r.npv, s.investor_npv, rtol=1e-12)
    np.testing.assert_allclose(_total(r.economic_losses), np.maximum(-s.investor_npv, 0.0),
                               rtol=1e-9, atol=1.0)
    assert (r.npv < 0).mean() > 0.5  # the case this test is about


def test_shortfall_and_economic_loss_against_the_flows(ohio_pair):
    r, s = ohio_pair
    flows = s.paths["investor"]  # Japan's flows, one row per scenario
    rate = s.inputs["deemed_rate"]
    # nominal: capital not returned = paid in - received, when positive
    shortfall = np.maximum(-flows.sum(axis=1), 0.0)
    # economic: the same at the deemed rate, discounted to the first year (a plain loop)
    t = np.arange(flows.shape[1])
    economic = np.array([max(-(f / (1 + r_) ** t).sum(), 0.0) for f, r_ in zip(flows, rate,
                                                                             strict=True)])
    np.testing.assert_allclose(_total(r.losses), shortfall, rtol=1e-9, atol=1.0)
    assert r.capital_shortfalls is r.losses
    np.testing.assert_allclose(_total(r.economic_losses), economic, rtol=1e-9, atol=1.0)
    np.testing.assert_allclose(r.projects[OHIO_GRID.name]["economic_loss"], economic, rtol=1e-9,
                               atol=1.0)
    # at the deemed rate the economic loss is minus the NPV wherever that is negative
    np.testing.assert_allclose(_total(r.economic_losses), np.maximum(-s.investor_npv, 0.0),
                               rtol=1e-9, atol=1.0)


def test_economic_loss_understated_by_the_shortfall(ohio_pair):
    # issue 10: Ohio's mean shortfall ~$7bn against a mean economic loss ~$20bn; with
    # 600 scenarios the ratio's sampling error is a few percent, so 2x is a safe floor.
    r, _ = ohio_pair
    assert _total(r.economic_losses).mean() > 2.0 * _total(r.losses).mean()
    table, econ = r.loss_table(), r.economic_loss_table()
    assert set(table) == set(econ) == set(PARTIES)
    for p in PARTIES:
        assert econ[p][0] == pytest.approx(r.economic_losses[p].mean())
        assert econ[p][1] == pytest.approx(r.economic_losses[p].std(ddof=1) / np.sqrt(N))


def test_at_a_zero_rate_the_economic_loss_is_the_shortfall():
    r = simulate_portfolio([OHIO], 300, seed=3, common=None, loss_rate=0.0)
    for p in PARTIES:
        np.testing.assert_allclose(r.economic_losses[p], r.losses[p], rtol=1e-9, atol=1.0)


def test_a_later_deal_is_discounted_to_the_grid_start():
    late = dataclasses.replace(OHIO_GRID, discount_rate=0.05, project=dataclasses.replace(
        OHIO.project, first_year=2029), name="late")
    r = simulate_portfolio({"early": OHIO, "late": late}, 300, seed=4, loss_rate=0.05)
    assert int(r.years[0]) == 2026
    own = np.maximum(-r.projects["late"]["npv"], 0.0)  # at 5%, to 2029
    np.testing.assert_allclose(r.projects["late"]["economic_loss"], own / 1.05**3,
                               rtol=1e-9, atol=1.0)


@pytest.mark.parametrize("bad", ["0.05", True, -1.0, float("nan")])
def test_loss_rate_is_validated(bad):
    with pytest.raises(InvalidParameterError, match="loss_rate"):
        simulate_portfolio([OHIO], 10, seed=1, loss_rate=bad)


def test_summary_names_both_losses(ohio_pair):
    text = ohio_pair[0].summary()
    assert "nominal capital shortfall" in text and "present value" in text
    assert "E[shortfall] bn" in text and "E[economic] bn" in text
    assert "p_total_loss" in text
