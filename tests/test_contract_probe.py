"""Findings of a hostile probe of the library's contract (scenario data, value-object
data, cash-flow input): each test states the property that was broken."""

from __future__ import annotations

import json

import numpy as np
import pytest

import dealsim
from dealsim import Deal
from dealsim.errors import InvalidCashflowsError, InvalidParameterError
from dealsim.montecarlo.uncertainty import Rounded, Uncertainties


def _nested(levels: int) -> dict:
    doc: object = {"distribution": "fixed", "value": 1.0}
    for _ in range(levels):
        doc = {"distribution": "rounded", "base": doc}
    return doc  # type: ignore[return-value]


@pytest.mark.parametrize("load", [
    lambda d: Rounded.from_dict(d),
    lambda d: Uncertainties.from_dict({"marginals": {"overrun": d}}),
    lambda d: Deal.from_dict({"project": d}),
    lambda d: Deal.from_dict({"project": json.loads("[" * 400 + "]" * 400)}),
], ids=["rounded", "uncertainties", "deal", "deal-arrays"])
def test_deep_nesting_is_refused_not_a_recursion_error(load):
    # json.loads accepts 400 levels; the recursive walk would overflow the stack
    with pytest.raises(InvalidParameterError, match="nested deeper than"):
        load(_nested(400))


def test_moderate_nesting_still_loads():
    d = Rounded.from_dict(_nested(3))
    assert isinstance(d, Rounded)


@pytest.mark.parametrize("flows", [
    [-1, np.array(True), 2], [-1.5, True, 2.0], [[-1, 2], [np.bool_(True), 3]],
])
def test_cashflow_elements_that_are_bools_are_refused(flows):
    with pytest.raises(InvalidCashflowsError, match="bool"):
        dealsim.irr(flows)


def test_cashflow_zero_d_arrays_of_numbers_are_fine():
    assert dealsim.irr([-1, np.array(1.0), np.float64(1.0)]) == pytest.approx(0.6180339887)


def test_an_integer_beyond_float64_is_refused_by_name():
    from dealsim import DealTerms

    with pytest.raises(InvalidParameterError, match="deemed_rate: must be a finite number"):
        DealTerms.from_dict({"deemed_rate": 10**400})


@pytest.mark.parametrize("text", ["\ud800", "ok \udfff"])
def test_lone_surrogates_are_refused_where_text_enters(text):
    from dealsim import DealTerms

    with pytest.raises(InvalidParameterError, match="lone surrogates"):
        DealTerms.from_dict({"name": text})
    with pytest.raises(InvalidParameterError, match="lone surrogates"):
        Deal.from_dict({**dealsim.presets.ohio_gas_power().to_dict(), "name": text})
