"""The optional numba kernel (extra ``fast``) against the numpy path it mirrors."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import dealsim
from dealsim import DealTerms, DeveloperFee, _kernels
from dealsim.deal import _simulation_outputs
from dealsim.errors import InvalidParameterError
from dealsim.montecarlo import _horizon
from dealsim.presets import ohio_gas_power
from dealsim.uncertainty import default_uncertainties, sampler_uniforms

pytest.importorskip("numba")

PRO_RATA = DeveloperFee(total=2e9, installments=5, capacity_target=9000.0, rule="pro_rata",
                        start_offset=2)
DEALS = {
    "default": ohio_gas_power(),
    "original fee, no tax": ohio_gas_power(fee="original", tax_rate=0.0),
    "pro-rata fee, fixed discount rate": dataclasses.replace(
        ohio_gas_power(fee="none"), fees=(PRO_RATA,), discount_rate=0.08),
    # a price so low that many scenarios never recover: NaN IRRs, -1 recoveries
    "weak": ohio_gas_power(power_price=40.0, terms=DealTerms(deemed_rate=0.1)),
}


def draws_for(deal, size=3000, seed=5):
    unc = default_uncertainties(deal.project.reference_class)
    u = sampler_uniforms("random", np.random.SeedSequence(seed), block=0, size=size,
                         dim=unc.dim)
    return unc.transform(u), _horizon(deal, unc)


@pytest.mark.parametrize("name", list(DEALS))
def test_kernel_matches_numpy_path(name):
    deal = DEALS[name]
    draws, horizon = draws_for(deal)
    ref = _simulation_outputs(deal, draws, horizon=horizon, paths=0, backend="numpy")
    fast = _kernels.simulation_outputs(deal, draws, horizon=horizon)
    assert fast is not None
    for key in ("irr_status", "recovered_at", "fee_paid"):
        np.testing.assert_array_equal(fast[key], ref[key], err_msg=key)
    # rates absolutely within 1e-12; money relative to the capital at stake (NPVs are
    # sums of terms of the size of capex that cancel)
    np.testing.assert_allclose(fast["investor_irr"], ref["investor_irr"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(fast["investor_moic"], ref["investor_moic"], rtol=1e-12)
    money = deal.project.capex * 1e-12
    for key in ("investor_npv", "host_npv", "fee_pv"):
        np.testing.assert_allclose(fast[key], ref[key], rtol=0, atol=money, err_msg=key)
    if name == "weak":  # the comparison covered undefined IRRs and unrecovered balances
        assert np.isnan(ref["investor_irr"]).any() and (ref["recovered_at"] < 0).any()


def test_backend_choice_is_explicit_and_recorded():
    deal = ohio_gas_power()
    assert _kernels.resolve("auto", deal) == "numba"
    assert _kernels.resolve("numpy", deal) == "numpy"
    scheduled = ohio_gas_power(terms=DealTerms.japan_2025(reading="scheduled"))
    assert _kernels.resolve("auto", scheduled) == "numpy"
    with pytest.raises(InvalidParameterError, match="backend"):
        _kernels.resolve("gpu", deal)
    with pytest.raises(InvalidParameterError, match="aggregate"):
        _kernels.resolve("numba", scheduled)
    fast = dealsim.simulate(deal, 500, seed=3, backend="numba")
    ref = dealsim.simulate(deal, 500, seed=3, backend="numpy")
    assert (fast.backend, ref.backend) == ("numba", "numpy")
    np.testing.assert_allclose(fast.investor_irr, ref.investor_irr, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(fast.recovered_at, ref.recovered_at)
    np.testing.assert_allclose(fast.investor_npv, ref.investor_npv, rtol=0,
                               atol=deal.project.capex * 1e-12)


def test_scheduled_reading_falls_back_to_numpy():
    deal = ohio_gas_power(terms=DealTerms.japan_2025(reading="scheduled"))
    draws, horizon = draws_for(deal, size=10)
    assert _kernels.simulation_outputs(deal, draws, horizon=horizon) is None


def test_kernel_rejects_bad_factors():
    deal = ohio_gas_power()
    with pytest.raises(InvalidParameterError, match="overrun"):
        _kernels.simulation_outputs(deal, {"overrun": np.array([1.0, -1.0])}, horizon=43)


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
