"""The validation promise (issue 13 §11): strings, bools and complex numbers are refused at
the boundary -- never parsed, never coerced -- wherever a number enters, and constructors
fail early with the field's name. Each case is one the probe found silently converted."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import dealsim
from dealsim import DealTerms, Uncertainties
from dealsim.errors import CorrelationError, InvalidCashflowsError, InvalidParameterError
from dealsim.montecarlo.uncertainty import Uniform
from dealsim.presets import ohio_gas_power

DEAL = ohio_gas_power()
TWO = {"a": Uniform(0.0, 1.0), "b": Uniform(0.0, 1.0)}


@pytest.mark.parametrize("call, error, message", [
    (lambda: dealsim.evaluate(DEAL, overrun="1.5"), InvalidParameterError,
     r"overrun must be real numbers, not str; got '1.5'"),
    (lambda: dealsim.evaluate(DEAL, delay=True), InvalidParameterError,
     r"delay must be real numbers, not bool; got True"),
    (lambda: dealsim.evaluate(DEAL, price_factor=[1.0, "2"]), InvalidParameterError,
     r"price_factor must be real numbers, not str"),
    (lambda: dealsim.evaluate(DEAL, overrun=1 + 0j), InvalidParameterError,
     r"overrun must be real numbers, not complex"),
    (lambda: dealsim.evaluate(DEAL, overrun=[1.0, None]), InvalidParameterError,
     r"overrun must be numeric; got \[1.0, None\]"),
    (lambda: dealsim.evaluate(DEAL, deemed_rate="0.05"), InvalidParameterError,
     r"deemed_rate must be real numbers, not str"),
    (lambda: dealsim.irr([-100, "60", "60"]), InvalidCashflowsError,
     r"cashflows must be real numbers, not str"),
    (lambda: dealsim.irr(np.array([-100, 60, 60], dtype=complex)), InvalidCashflowsError,
     r"cashflows must be real numbers, not complex"),
    (lambda: dealsim.irr([-100, True, 60]), InvalidCashflowsError,
     r"cashflows must be numeric|not bool"),
    (lambda: dealsim.npv(["0.1", "0.2"], [[-1.0, 2.0], [-1.0, 2.0]]), InvalidParameterError,
     r"rate must be real numbers, not str"),
    (lambda: dealsim.npv("0.1", [-1.0, 2.0]), InvalidParameterError,
     r"rate must be a real number; got '0.1'"),
    (lambda: dealsim.waterfall([-1.0, 2.0], DealTerms(), deemed_rate="0.05"),
     InvalidParameterError, r"deemed_rate must be real numbers, not str"),
    (lambda: dealsim.waterfall([-1.0, 2.0], DealTerms(), deemed_rate=[True]),
     InvalidParameterError, r"deemed_rate must be real numbers, not bool"),
    (lambda: Uncertainties(TWO, {("a", "b"): "0.5"}), CorrelationError,
     r"correlation\[\('a', 'b'\)\] must be real numbers, not str"),
    (lambda: Uncertainties(TWO, {("a", "b"): True}), CorrelationError,
     r"must be real numbers, not bool"),
    (lambda: Uncertainties(TWO, {("a", "b"): [0.5]}), CorrelationError,
     r"must be a number; got \[0.5\]"),
    (lambda: dataclasses.replace(DEAL, name=5), InvalidParameterError,
     r"name must be a str; got 5"),
    (lambda: dataclasses.replace(DEAL, fees=None), InvalidParameterError,
     r"fees must be a tuple of DeveloperFee objects; got None"),
    (lambda: dataclasses.replace(DEAL, sources="one source"), InvalidParameterError,
     r"sources must be a tuple of str"),
    (lambda: dataclasses.replace(DEAL.project, spend_profile="ab"), InvalidParameterError,
     r"spend_profile must be real numbers, not str; got 'ab'"),
    (lambda: dataclasses.replace(DEAL.project, spend_profile=[[0.5, 0.5]]),
     InvalidParameterError, r"spend_profile must be a flat sequence"),
    (lambda: dataclasses.replace(DEAL.project, reference_class="bogus"), InvalidParameterError,
     r"reference_class must be None or one of \[.*'nuclear'.*\]; got 'bogus'"),
    (lambda: dataclasses.replace(DEAL.fees[0], name=None), InvalidParameterError,
     r"name must be a str; got None"),
])
def test_strings_bools_complex_and_bad_fields_are_refused(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_real_numbers_of_every_numeric_dtype_are_accepted():
    base = dealsim.evaluate(DEAL, overrun=1.25, delay=1).investor_npv
    for over, delay in [(np.float32(1.25), np.int8(1)), (np.array([1.25]), np.uint16(1)),
                        (5 / 4, 1.0)]:
        assert np.asarray(dealsim.evaluate(DEAL, overrun=over, delay=delay).investor_npv
                          ).reshape(-1)[0] == pytest.approx(float(base), rel=1e-12)
    assert dealsim.irr([-100, 60, 60]) == pytest.approx(dealsim.irr(np.array([-100.0, 60, 60])))
