"""Market (path models of a simulation) and Operations (dispatch, delays, end of life, tax)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealsim.errors import InvalidParameterError
from dealsim.model.market import Market, block_paths
from dealsim.model.operations import Operations, delay_spend_table
from dealsim.model.paths import PricePaths, SofrPaths

DRAWS = {"price": np.array([0.8, 1.0, 1.3]), "fuel": np.array([1.1, 0.9, 1.0]),
         "deemed_rate": np.array([0.05, 0.055, 0.07]), "usdjpy": np.array([150.0, 155.0, 160.0]),
         "overrun": np.array([1.0, 1.2, 1.5])}


def test_levels_market_is_todays_model():
    out = block_paths(Market(), np.random.SeedSequence(3), 0, DRAWS, 6)
    assert sorted(out) == ["deemed_rate", "fuel", "price", "usdjpy"]
    for name, path in out.items():
        assert path.shape == (3, 6)
        assert (path == DRAWS[name][:, None]).all()


def test_paths_start_at_the_draws_and_depend_on_seed_and_block_only():
    root = np.random.SeedSequence(3)
    a = block_paths(Market.paths(), root, 2, DRAWS, 8)
    b = block_paths(Market.paths(), np.random.SeedSequence(3), 2, DRAWS, 8)
    c = block_paths(Market.paths(), root, 3, DRAWS, 8)
    # year 0 is the draw; the price factors' on the median scale of their centred law
    # (x exp(-sd**2 / 2), sd 0.2 and 0.3) and the fuel's mixed with the power's log
    # deviation at the stationary correlation rho = 2 sin(0.7 pi / 6), like an innovation
    rho = 2 * np.sin(0.7 * np.pi / 6)
    lp, lf = np.log(DRAWS["price"]), np.log(DRAWS["fuel"])
    start = {"deemed_rate": DRAWS["deemed_rate"], "usdjpy": DRAWS["usdjpy"],
             "price": np.exp(lp - 0.02),
             "fuel": np.exp(-0.045 + rho * 0.3 / 0.2 * lp + np.sqrt(1 - rho**2) * lf)}
    for name in a:
        np.testing.assert_allclose(a[name][:, 0], start[name], rtol=1e-14)
        assert (a[name] == b[name]).all()
        assert not (a[name][:, 1:] == c[name][:, 1:]).any()
    # a market with only prices leaves the deemed rate a level
    p = block_paths(Market(prices=PricePaths()), root, 2, DRAWS, 8)
    assert (p["deemed_rate"] == DRAWS["deemed_rate"][:, None]).all()
    assert (p["price"] == a["price"]).all()


def test_market_refuses_wrong_types():
    with pytest.raises(InvalidParameterError, match="prices must be a PricePaths or None"):
        Market(prices=SofrPaths())  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.01, 1.0), min_size=1, max_size=5), st.integers(0, 6),
       st.floats(0.0, 0.1), st.floats(0.0, 0.1))
def test_delay_spend_table_costs_more_with_every_year_of_delay(profile, max_delay, esc, cost):
    total = sum(profile)
    prof = tuple(p / total for p in profile)
    n = len(prof)
    t = delay_spend_table(prof, max_delay, n + max_delay + 2, escalation=esc, delay_cost=cost)
    sums = t.sum(axis=1)
    assert sums[0] == pytest.approx(1.0, rel=1e-12)
    assert (np.diff(sums) >= -1e-12).all()
    for d in range(max_delay + 1):
        assert (t[d, n + d:] == 0).all()
        # escalation on the deferred part, plus the cost of d years of delay
        assert sums[d] >= 1.0 + cost * d - 1e-12
        assert sums[d] <= (1.0 + esc) ** d + cost * d + 1e-12
    plain = delay_spend_table(prof, max_delay, n + max_delay + 2, escalation=0.0, delay_cost=0.0)
    np.testing.assert_allclose(plain.sum(axis=1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("kwargs, match", [
    (dict(tax="half"), "tax must be one of"),
    (dict(dispatch="must_run", mothball_after=2), "mothball_after needs dispatch='economic'"),
    (dict(dispatch="economic", mothball_after=0), "mothball_after"),
    (dict(delay_escalation=1), "delay_escalation must be True or False"),
    (dict(delay_cost=-0.1), "delay_cost"),
    (dict(end_of_life=-1.0), "end_of_life must be > -1"),
    (dict(mothball_fixed_share=1.5), "mothball_fixed_share"),
])
def test_operations_refuse_bad_values(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        Operations(**kwargs)
