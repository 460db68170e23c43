"""The service contract's input side (issue 13 §1, §2): one scenario schema for TOML, JSON
and dicts; value objects round-trip through JSON; misspelt names are refused."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dealsim
from dealsim import Deal, DealTerms, Project
from dealsim.errors import InvalidParameterError, UnknownNameError
from dealsim.interfaces.scenario import ScenarioError, from_dict, load_scenario, schema
from dealsim.model.fees import DeveloperFee
from dealsim.montecarlo.distributions import Distribution
from dealsim.montecarlo.uncertainty import Uncertainties, default_uncertainties
from dealsim.presets import ohio_gas_power

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))
VALIDATOR = jsonschema.Draft202012Validator(schema())


def json_trip(data):
    return json.loads(json.dumps(data, allow_nan=False))


# --- the schema -----------------------------------------------------------------------


def test_schema_file_is_the_generated_schema():
    # regenerate with: dealsim schema > docs/scenario.schema.json
    on_disk = json.loads((ROOT / "docs" / "scenario.schema.json").read_text(encoding="utf-8"))
    assert on_disk == schema()


def test_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(schema())


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_scenario_validates_against_the_schema(path):
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    assert list(VALIDATOR.iter_errors(doc)) == []
    assert load_scenario(path).deal.name


GOOD = {"deal": {"preset": "ohio_gas_power", "options": {"power_price": 95}},
        "simulation": {"n": 1000, "seed": 3, "sampler": "sobol"},
        "uncertainties": {"overrun": {"distribution": "lognormal", "mean": 1.2, "sigma": 0.3},
                          "delay": {"distribution": "rounded", "low": 0, "high": 5,
                                    "base": {"distribution": "uniform", "low": 0, "high": 4}}},
        "correlation": [{"pair": ["overrun", "delay"], "rho": 0.5}]}

BAD = [  # each refused by the schema and by from_dict
    {"deal": {"preset": "ohio_gas_power"}, "extra": 1},
    {"deal": {"preset": "nowhere"}},
    {"deal": {"preset": "ohio_gas_power", "options": {"power": 1}}},
    {"deal": {"preset": "ohio_gas_power", "options": {"fee": [1]}}},
    {"deal": {"preset": "ohio_gas_power", "options": {"power_price": "95"}}},
    {"deal": {"preset": "ohio_gas_power", "terms": {"share_befor": 0.4}}},
    {"deal": {"preset": "ohio_gas_power"}, "simulation": {"n": 0}},
    {"deal": {"preset": "ohio_gas_power"}, "simulation": {"seed": "one"}},
    {"deal": {"preset": "ohio_gas_power"}, "simulation": {"sampler": "halton"}},
    {"deal": {"preset": "ohio_gas_power"},
     "uncertainties": {"overun": {"distribution": "fixed", "value": 2.0}}},
    {"deal": {"preset": "ohio_gas_power"},
     "uncertainties": {"price": {"distribution": "cauchy"}}},
    {"deal": {"preset": "ohio_gas_power"},
     "uncertainties": {"price": {"distribution": "uniform", "low": 1}}},
    {"deal": {"preset": "ohio_gas_power"},
     "uncertainties": {"price": {"distribution": "lognormal", "median": "1", "sigma": 1}}},
    {"deal": {"preset": "ohio_gas_power"}, "correlation": [{"pair": ["overrun"], "rho": 0.5}]},
    {"deal": {"preset": "ohio_gas_power"}, "schema_version": 2},
    {"simulation": {"n": 5}},
]


def test_a_good_request_passes_both():
    assert list(VALIDATOR.iter_errors(GOOD)) == []
    s = from_dict(json_trip(GOOD), source="request")
    assert s.simulation == {"n": 1000, "seed": 3, "sampler": "sobol"}
    assert s.uncertainties["overrun"].mean == pytest.approx(1.2, rel=1e-12)
    assert s.uncertainties.correlation == {("overrun", "delay"): 0.5}


@pytest.mark.parametrize("doc", BAD, ids=lambda d: json.dumps(d)[:60])
def test_bad_requests_are_refused_by_the_schema_and_the_library(doc):
    assert list(VALIDATOR.iter_errors(doc)), "the schema let it through"
    with pytest.raises(ScenarioError, match=r"^request: "):
        from_dict(doc, source="request")


def test_a_whole_deal_is_a_scenario_deal_too():
    deal = ohio_gas_power()
    doc = json_trip({"deal": deal.to_dict(), "simulation": {"n": 10}})
    assert list(VALIDATOR.iter_errors(doc)) == []
    assert from_dict(doc).deal == deal
    doc["deal"]["project"]["capexx"] = 1.0
    assert list(VALIDATOR.iter_errors(doc))
    with pytest.raises(ScenarioError, match=r"deal.project: unknown key 'capexx'; "
                                            r"did you mean 'capex'\?"):
        from_dict(doc, source="request")


def test_json_scenario_file_equals_its_toml(tmp_path):
    toml = ROOT / "examples" / "ohio.toml"
    doc = tomllib.loads(toml.read_text(encoding="utf-8"))
    path = tmp_path / "ohio.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    a, b = load_scenario(toml), load_scenario(path)
    assert (a.deal, a.uncertainties, a.simulation) == (b.deal, b.uncertainties, b.simulation)
    path.write_text('{"deal": {"preset": "ohio_gas_power", "discount_rate": NaN}}')
    with pytest.raises(ScenarioError, match="ohio.json: not valid JSON: NaN is not a number"):
        load_scenario(path)


def test_deeply_nested_tables_are_refused_quickly():
    doc: dict = {"deal": {"preset": "ohio_gas_power"}}
    inner = doc["deal"]
    for _ in range(5000):
        inner["options"] = {}
        inner = inner["options"]
    with pytest.raises(ScenarioError, match="nested deeper than 8 levels"):
        from_dict(doc)


# --- round trips (hypothesis properties) -----------------------------------------------

texts = st.text(max_size=12)
words = st.lists(texts, max_size=3).map(tuple)
terms = st.builds(
    DealTerms, deemed_rate=st.floats(-0.5, 0.5), share_before=st.floats(0.01, 1.0),
    share_after=st.floats(0.0, 1.0), reading=st.sampled_from(["aggregate", "scheduled"]),
    amortisation_periods=st.integers(1, 40), name=texts, sources=words)
fees = st.builds(
    DeveloperFee, total=st.floats(0.0, 1e10), installments=st.integers(1, 20),
    capacity_target=st.floats(1e-3, 1e5), rule=st.sampled_from(["all_or_nothing", "pro_rata"]),
    start_offset=st.integers(0, 5), name=texts, sources=words, assumptions=words)


@st.composite
def projects(draw):
    years = draw(st.integers(1, 4))
    profile = draw(st.none() | st.just((1.0 / years,) * years))
    return Project(
        name=draw(texts), capex=draw(st.floats(1.0, 1e11)), construction_years=years,
        first_year=draw(st.integers(1990, 2100)), capacity=draw(st.floats(0.1, 1e5)),
        capacity_unit=draw(st.sampled_from(["MW", "bbl/d", "t/yr"])),
        utilisation=draw(st.floats(0.01, 1.0)), price=draw(st.floats(0.0, 1e4)),
        operating_life=draw(st.integers(25, 60)), spend_profile=profile,
        price_escalation=draw(st.floats(-0.05, 0.1)), tax_rate=draw(st.floats(0.0, 0.5)),
        depreciation_years=draw(st.none() | st.integers(1, 40)),
        reference_class=draw(st.none() | st.sampled_from(["nuclear", "fossil_thermal"])),
        sources=draw(words), assumptions=draw(words))


deals = st.builds(Deal, project=projects(), terms=terms,
                  fees=st.lists(fees, max_size=2).map(tuple),
                  discount_rate=st.none() | st.floats(-0.5, 0.5), name=texts, sources=words)
pos = st.floats(0.05, 5.0)
distributions = st.one_of(
    st.builds(dealsim.Fixed, st.floats(-10, 10), source=texts),
    st.builds(lambda lo, w: dealsim.Uniform(lo, lo + w), st.floats(-5, 5), pos),
    st.builds(dealsim.Normal, st.floats(-5, 5), pos, st.none() | st.just(-100.0), st.none()),
    st.builds(dealsim.LogNormal, pos, pos, source=texts),
    st.builds(lambda lo, a, b: dealsim.Triangular(lo, lo + a, lo + a + b), st.floats(-5, 5),
              pos, pos),
    st.builds(lambda lo, a, b: dealsim.Pert(lo, lo + a, lo + a + b), st.floats(-5, 5),
              pos, pos),
    st.builds(dealsim.LogStudentT, pos, pos, pos, st.none() | st.just(50.0)),
    st.builds(lambda m: dealsim.Rounded(dealsim.LogNormal(m, 0.8), low=0.0, high=10.0), pos),
    st.builds(lambda p: dealsim.PointMass(1.0, p, dealsim.Uniform(0.7, 1.0)), st.floats(0.0, 1.0)),
)


@settings(max_examples=60, deadline=None)
@given(deals)
def test_deal_round_trips_through_json(deal):
    data = json_trip(deal.to_dict())
    assert Deal.from_dict(data) == deal
    assert from_dict({"deal": data}).deal == deal
    assert list(VALIDATOR.iter_errors({"deal": data})) == []


@settings(max_examples=40, deadline=None)
@given(st.one_of(terms, fees, projects()))
def test_parts_round_trip_through_json(obj):
    assert type(obj).from_dict(json_trip(obj.to_dict())) == obj


@settings(max_examples=60, deadline=None)
@given(distributions)
def test_distributions_round_trip_through_json(dist):
    data = json_trip(dist.to_dict())
    assert Distribution.from_dict(data) == dist
    assert type(dist).from_dict(data) == dist
    assert list(VALIDATOR.iter_errors({"deal": {"preset": "ohio_gas_power"},
                                       "uncertainties": {"price": data}})) == []


@settings(max_examples=20, deadline=None)
@given(st.dictionaries(st.sampled_from(["overrun", "delay", "price", "usdjpy"]),
                       distributions, min_size=1))
def test_uncertainties_round_trip_through_json(marginals):
    unc = Uncertainties(marginals)
    assert Uncertainties.from_dict(json_trip(unc.to_dict())) == unc


def test_default_uncertainties_round_trip_with_their_correlation():
    unc = default_uncertainties("nuclear")
    back = Uncertainties.from_dict(json_trip(unc.to_dict()))
    assert back == unc and back.correlation == {("overrun", "delay"): 0.6}


@pytest.mark.parametrize("data, message", [
    ({"distribution": "lognormal", "median": 1.0, "sigma": 0.3, "sigmaa": 1},
     r"unknown key 'sigmaa'; did you mean 'sigma'\?"),
    ({"distribution": "lognormall", "median": 1.0},
     r"distribution must be one of .*; did you mean 'lognormal'\?"),
    ({"distribution": "rounded", "base": {"distribution": "uniform", "low": "0", "high": 1}},
     r"^base.low: must be a finite number; got '0'"),
    ({"distribution": "fixed", "value": True}, r"^value: must be a finite number; got True"),
    ({"distribution": "fixed", "value": 1.0, "source": 5}, r"^source: must be str; got 5"),
])
def test_distribution_errors_name_the_path(data, message):
    with pytest.raises(InvalidParameterError, match=message):
        Distribution.from_dict(data)


def test_deal_errors_name_the_path():
    data = json_trip(ohio_gas_power().to_dict())
    with pytest.raises(InvalidParameterError, match=r"^missing required key 'terms'"):
        Deal.from_dict({k: x for k, x in data.items() if k != "terms"})
    with pytest.raises(InvalidParameterError, match=r"^fees\[0\].installments: must be an integer; "
                                                    r"got True"):
        Deal.from_dict(data | {"fees": [data["fees"][0] | {"installments": True}]})
    with pytest.raises(InvalidParameterError,
                       match=r"^project: capex must be in \[0.001, 1e\+15\] \(USD\); got -1"):
        Deal.from_dict(data | {"project": data["project"] | {"capex": -1}})


def test_uncertainties_errors_name_the_path():
    with pytest.raises(UnknownNameError, match=r"uncertainties: unknown key 'marginal'"):
        Uncertainties.from_dict({"marginal": {}})
    with pytest.raises(InvalidParameterError,
                       match=r"uncertainties.correlation\[0\].rho: must be a finite number"):
        Uncertainties.from_dict({"marginals": {"a": {"distribution": "uniform", "low": 0,
                                                     "high": 1}},
                                 "correlation": [{"pair": ["a", "a"], "rho": "0.5"}]})


# --- misspelt inputs (§2) -------------------------------------------------------------


def test_default_uncertainties_refuses_a_misspelt_name():
    with pytest.raises(UnknownNameError, match=r"'overun' .*did you mean 'overrun'\?"):
        default_uncertainties(overun=dealsim.Fixed(3.0))


def test_evaluate_draws_refuses_a_misspelt_key():
    deal = ohio_gas_power()
    with pytest.raises(UnknownNameError, match=r"'overun' .*did you mean 'overrun'\?"):
        dealsim.evaluate_draws(deal, {"overun": 3.0})
    # usdjpy is declared, so it is accepted: it converts fees in yen (the preset's
    # SoftBank fee) and nothing else
    a = dealsim.evaluate_draws(deal, {"overrun": 1.2, "usdjpy": 150.0}).investor_npv
    assert a == dealsim.evaluate(deal, overrun=1.2, usdjpy=150.0).investor_npv
    usd = ohio_gas_power(fee="none")
    a = dealsim.evaluate_draws(usd, {"overrun": 1.2, "usdjpy": 150.0}).investor_npv
    assert a == dealsim.evaluate(usd, overrun=1.2).investor_npv


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_simulate_refuses_an_uncertainty_no_factor_consumes(backend):
    pytest.importorskip("numba") if backend == "numba" else None
    unc = Uncertainties({"overun": dealsim.LogNormal(3.0, 0.1)})
    with pytest.raises(UnknownNameError, match="did you mean 'overrun'"):
        dealsim.simulate(ohio_gas_power(), 20, seed=1, uncertainties=unc, backend=backend)


def test_report_only_names_are_declared_in_one_place():
    from dealsim.common import names as _names
    from dealsim.model import deal
    from dealsim.montecarlo import uncertainty

    assert deal.REPORT_ONLY is _names.REPORT_ONLY and deal.DRAW_FACTORS is _names.DRAW_FACTORS
    assert uncertainty.STANDARD_NAMES == (*_names.DRAW_FACTORS, *_names.REPORT_ONLY)
    assert set(default_uncertainties().names) == set(uncertainty.STANDARD_NAMES)
    assert np.isfinite(dealsim.simulate(ohio_gas_power(), 20, seed=1).inputs["usdjpy"]).all()
