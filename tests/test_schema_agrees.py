"""Property: a scenario document passes the published JSON Schema exactly when
:func:`dealsim.interfaces.scenario.from_dict` accepts it (one source for both).

The documents vary what the schema can express -- kinds (integers written as floats,
bools, strings, null), unknown keys, missing keys, enums -- over values whose ranges are
valid, since ranges (``capex > 0``, a correlation matrix being positive definite) are
checked by the classes, not the schema (:func:`dealsim.interfaces.scenario.schema`).
"""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dealsim.interfaces.scenario import ScenarioError, from_dict, schema
from dealsim.presets import ohio_gas_power

jsonschema = pytest.importorskip("jsonschema")
VALIDATOR = jsonschema.Draft202012Validator(schema())
FULL_DEAL = ohio_gas_power().to_dict()

ABSENT = object()
# wrong kinds only: a number of the right kind but out of range (-3) is refused by the
# classes, not the schema (see the module docstring)
JUNK = st.sampled_from([None, True, False, "x", "1", [], {}, [1], 1.5])


def maybe(values, bad=(), junk=True):
    """A key's value: mostly absent or one of ``values``; now and then (1 in 20 each)
    one of ``bad`` or (with ``junk``) a wrong kind, so that about half the documents
    are valid."""
    def pick(i):  # hypothesis favours small draws: the usual values come first
        if i == 19 and junk:
            return JUNK
        if i == 18 and bad:
            return st.sampled_from(bad)
        return st.just(ABSENT) if i >= 12 else st.sampled_from(values)
    return st.integers(0, 19).flatmap(pick)


def rarely(strategy, usual):
    """``strategy`` 1 time in 20, else ``usual``."""
    return st.integers(0, 19).flatmap(lambda i: strategy if i == 19 else usual)


def table(**fields):
    """A dict strategy from ``key=strategy`` pairs, dropping keys drawn as ABSENT."""
    return st.fixed_dictionaries(fields).map(
        lambda d: {k: v for k, v in d.items() if v is not ABSENT})


INTEGERS = [1, 7, 20, 100, 1.0, 20.0, 100.0, 1e6]
BAD_INTEGERS = [0, 2.5, -1, -1.0, 0.0]
simulation = table(n=maybe(INTEGERS, BAD_INTEGERS), seed=maybe([0, *INTEGERS], [-1, 2.5]),
                   within_years=maybe(INTEGERS, BAD_INTEGERS),
                   sampler=maybe(["random", "lhs", "sobol"], ["halton", "Sobol"]))

bound = [0.5, None, 0, 1]
normal = table(distribution=st.just("normal"), mu=rarely(JUNK, st.sampled_from([1, 1.0])),
               sd=rarely(st.just(ABSENT), st.just(0.1)),
               low=maybe([0.5, None, 0]), high=maybe([1.5, None, 2]), source=maybe(["a"]))
logt = table(distribution=st.just("logstudentt"), center=st.just(1.1),
             scale=rarely(JUNK, st.just(0.2)), df=rarely(st.just(ABSENT), st.just(3)),
             cap=maybe([5.0, None, 4]))
lognormal = table(distribution=maybe(["lognormal"], ["lognormol"], junk=False),
                  median=maybe([1.2]), mean=maybe([1.3], junk=False),
                  sigma=rarely(JUNK, st.just(0.3)))
rounded = table(distribution=st.just("rounded"),
                base=rarely(JUNK, st.just({"distribution": "uniform", "low": 0, "high": 4})),
                step=maybe([1, 1.0]), low=maybe([0, None]), high=maybe([10, None]))
uncertainties = rarely(
    st.one_of(st.just({"overun": {"distribution": "fixed", "value": 1.0}}), JUNK),
    table(reference_class=maybe(["fossil_thermal", "nuclear"], ["fosil"]),
          capacity=st.one_of(st.just(ABSENT), rarely(JUNK, normal)),
          overrun=st.one_of(st.just(ABSENT), logt, lognormal),
          delay=st.one_of(st.just(ABSENT), rounded)))
correlation = rarely(st.sampled_from([
    [{"pair": ["overrun", "delay"], "rho": "0.5"}], [{"pair": ["overrun", "delay"], "rho": None}],
    [{"pair": ["overrun"], "rho": 0.5}], [{"pair": ["overrun", "delay"], "rho": 0.5, "note": 1}],
    "x", {}]), st.sampled_from([ABSENT, None, [], [{"pair": ["overrun", "delay"], "rho": 0.5}],
                                [{"pair": ["overrun", "delay"], "rho": 0}]]))


def _full_deal(change):
    key, value = change
    if key == ("project", "first_year") and value == 3.3e10:
        value = 2026.5  # (a year out of range is the right kind: a whole year is not)
    deal = copy.deepcopy(FULL_DEAL)
    if key is not None:
        section, field = key
        target = deal if section is None else deal[section]
        if value is ABSENT:
            target.pop(field, None)
        else:
            target[field] = value
    return deal


def _in_range(change):
    """False for a number outside its field's range (a discount rate beyond [-0.5, 10], a
    first year beyond 3000): the class refuses it, the schema does not say ranges."""
    key, value = change
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    low, high = {(None, "discount_rate"): (-0.5, 10), ("project", "first_year"): (1, 3000)
                 }.get(key, (-float("inf"), float("inf")))
    return not (number and not low <= value <= high)


full_deal = st.tuples(
    st.sampled_from([None, None, None, (None, "discount_rate"), ("project", "capex"),
                     ("project", "first_year"), ("project", "name"), (None, "name"),
                     ("terms", "reading"), ("project", "capex_typo")]),
    st.sampled_from([ABSENT, None, True, "1", 2026, 2026.0, 0.05, 3.3e10, "aggregate"]),
).filter(_in_range).map(_full_deal)
preset_deal = table(
    preset=rarely(st.sampled_from(["ohio_gas_powr", None, ABSENT]), st.just("ohio_gas_power")),
    name=maybe(["Ohio, high price"]),
    # (a negative number is the right kind, refused by its range: not junk here)
    discount_rate=maybe([0.06, None, 0], ["0.06", True, [0.06]], junk=False),
    options=maybe([{}, {"power_price": 95}, {"power_price": 95.0},
                   {"power_price": "95"}, {"configuration": "combined_cycle"},
                   {"configuration": "combined"}, {"power_prise": 95.0}]),
    terms=maybe([{}, {"deemed_rate": 0.05}, {"deemed_rate": 0}, {"deemed_rate": None},
                 {"reading": "scheduled"}, {"reading": "yearly"}, {"deemed_rat": 0.05},
                 {"amortisation_periods": 4.0}, {"amortisation_periods": 4.5}]))
document = table(
    schema_version=maybe([1, 1.0], [2, "1"]),
    deal=rarely(st.one_of(JUNK, st.just(ABSENT)), st.one_of(preset_deal, full_deal)),
    simulation=rarely(JUNK, st.one_of(simulation, st.just(ABSENT))),
    uncertainties=st.one_of(uncertainties, st.just(ABSENT)),
    correlation=correlation,
    extra=rarely(st.just(1), st.just(ABSENT)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document)
def test_schema_accepts_exactly_what_from_dict_accepts(doc):
    passes_schema = VALIDATOR.is_valid(doc)
    try:
        from_dict(doc)
    except ScenarioError as exc:
        assert not passes_schema, f"schema passes, from_dict refuses: {exc}"
    else:
        errors = [e.message for e in VALIDATOR.iter_errors(doc)][:3]
        assert passes_schema, f"from_dict accepts, schema refuses: {errors}"


@pytest.mark.parametrize("extra", [
    {"simulation": {"within_years": 20.0, "seed": 1.0, "n": 100.0}},
    {"uncertainties": {"capacity": {"distribution": "normal", "mu": 1, "sd": 0.1,
                                    "low": None, "high": None}}},
    {"uncertainties": {"overrun": {"distribution": "logstudentt", "center": 1.1,
                                   "scale": 0.2, "df": 3, "cap": None}}},
    {"correlation": None},
])
def test_the_probes_findings_pass_both(extra):
    doc = {"deal": {"preset": "ohio_gas_power"}, **extra}
    assert VALIDATOR.is_valid(doc)
    s = from_dict(doc)
    if "simulation" in extra:
        assert s.simulation == {"within_years": 20, "seed": 1, "n": 100}
        assert all(type(x) is int for x in s.simulation.values())
