"""The SoftBank fee in yen, converted installment by installment."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealsim.errors import InvalidParameterError
from dealsim.finance.yen_fee import YenFee
from dealsim.model.fees import DeveloperFee


def test_at_159_yen_it_is_todays_dollar_fee():
    # DeveloperFee.softbank_ohio converts ¥100bn at ¥159/$ (deal-facts FX line)
    yf = YenFee.softbank_ohio()
    usd = DeveloperFee.softbank_ohio()
    got = yf.usd_flows(cod=[3], capacity=[1.0 * 9200], horizon=25, usdjpy=159.0)
    want = usd.flows(cod=[3], capacity=[9200.0], horizon=25)
    np.testing.assert_allclose(got, want, rtol=1e-14)
    assert yf.at_fixed_rate(159.0).total == pytest.approx(usd.total, rel=1e-14)


@settings(max_examples=50, deadline=None)
@given(st.floats(80.0, 250.0), st.floats(1.001, 1.5))
def test_dollar_value_moves_inversely_with_usdjpy(rate, up):
    """Yen value is fixed: usd * usdjpy is the yen installment; a weaker yen (more yen per
    dollar) makes every installment cheaper in dollars."""
    yf = YenFee.softbank_ohio()
    a = yf.usd_flows(cod=[2], capacity=[9200.0], horizon=20, usdjpy=rate)
    b = yf.usd_flows(cod=[2], capacity=[9200.0], horizon=20, usdjpy=rate * up)
    paid = a > 0
    np.testing.assert_allclose(a[paid] * rate, yf.fee.total / yf.fee.installments, rtol=1e-12)
    assert (b[paid] < a[paid]).all()


def test_each_installment_at_its_years_rate():
    yf = YenFee(DeveloperFee(total=600.0, installments=3, capacity_target=1.0, start_offset=1))
    path = np.array([[100.0, 110.0, 120.0, 150.0, 200.0, 300.0]])
    got = yf.usd_flows(cod=[1], capacity=[1.0], horizon=6, usdjpy=path)
    np.testing.assert_allclose(got, [[0.0, 0.0, 200 / 120, 200 / 150, 200 / 200, 0.0]])
    per_scenario = yf.usd_flows(cod=[1, 1], capacity=[1.0, 1.0], horizon=6,
                                usdjpy=[100.0, 200.0])
    np.testing.assert_allclose(per_scenario[1] * 2, per_scenario[0])


def test_refusals():
    yf = YenFee.softbank_ohio()
    with pytest.raises(InvalidParameterError, match="usdjpy must be yen per dollar > 0"):
        yf.usd_flows(cod=[1], capacity=[9200.0], horizon=20, usdjpy=0.0)
    with pytest.raises(InvalidParameterError, match="usdjpy must be a scalar"):
        yf.usd_flows(cod=[1], capacity=[9200.0], horizon=20, usdjpy=np.ones((1, 3)))
    with pytest.raises(InvalidParameterError, match="fee must be a DeveloperFee"):
        YenFee(100.0)  # type: ignore[arg-type]
