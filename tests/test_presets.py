"""Presets: every one carries dated, graded sources; known figures from deal-facts.md."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

import dealsim
from dealsim.common.sources import CONFIDENCE
from dealsim.montecarlo.uncertainty import NUSCALE_OVERRUN, REFERENCE_CLASSES
from dealsim.presets import ReferenceCase, Source, catalog, ohio_gas_power

CAT = catalog()
REQUIRED = {"ohio_gas_power", "texas_gulflink", "georgia_diamond", "smr_tranche2",
            "gas_tranche2", "nuscale_cfpp", "vogtle_3_4", "japan_2025", "korea_2025",
            "pledges"}


def test_catalog_has_the_issue_presets_and_is_read_only() -> None:
    assert REQUIRED <= set(CAT)
    with pytest.raises(TypeError):
        CAT["x"] = CAT["pledges"]  # type: ignore[index]


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_every_preset_has_dated_graded_sources(name: str) -> None:
    preset = CAT[name]
    assert preset.sources
    for src in preset.sources:
        assert isinstance(src, Source)
        assert src.confidence in CONFIDENCE
        assert src.date[:4].isdigit() and 2009 <= int(src.date[:4]) <= 2026
    assert preset.assumptions  # every preset names its labelled assumptions
    assert preset.usdjpy > 0


@pytest.mark.parametrize("name", sorted(n for n in REQUIRED if CAT[n].kind == "deal"))
def test_deal_presets_build_deals_with_a_real_reference_class(name: str) -> None:
    deal = CAT[name].build()
    assert isinstance(deal, dealsim.Deal)
    assert deal.project.reference_class in REFERENCE_CLASSES
    assert deal.project.reference_class != "all_electricity"
    assert deal.project.sources and deal.project.assumptions
    ev = dealsim.evaluate(deal)
    assert np.allclose(ev.split.investor + ev.split.host, ev.lines.net)


def test_known_figures() -> None:
    # deal-facts.md section 2 and 6
    assert CAT["ohio_gas_power"].build().project.capex == 33.3e9
    assert CAT["ohio_gas_power"].build().project.capacity == 9200.0
    tx = CAT["texas_gulflink"].build().project
    assert (tx.capex, tx.capacity, tx.capacity_unit) == (2.1e9, 1e6, "bbl/d")
    ga = CAT["georgia_diamond"].build().project
    assert (ga.capex, ga.capacity_unit) == (0.6e9, "t/yr")
    smr = CAT["smr_tranche2"].build().project
    assert smr.capex == 40e9 and smr.reference_class == "nuclear"
    assert smr.capacity == pytest.approx(40e9 / 9831e3)  # $40bn / $9,831/kW (derived)
    assert smr.fixed_om == pytest.approx(128.0 * smr.capacity * 1000)  # EIA $128/kW-yr
    assert smr.construction_years == 6  # EIA lead time
    both = CAT["gas_tranche2"].build().project.capex
    pa = CAT["gas_tranche2"].build(site="pennsylvania").project.capex
    tx2 = CAT["gas_tranche2"].build(site="texas", pennsylvania_share=0.3).project.capex
    assert both == 33e9 and pa == 16.5e9 and tx2 == pytest.approx(0.7 * 33e9)
    assert {k: v / 1e9 for k, v in CAT["pledges"].build().items()} == {
        "Japan": 550.0, "EU": 600.0, "Korea": 350.0, "Taiwan": 250.0}


def test_reference_cases() -> None:
    nus = CAT["nuscale_cfpp"].build()
    assert isinstance(nus, ReferenceCase)
    assert nus.overrun_factor == pytest.approx(NUSCALE_OVERRUN)  # 9.3 / 5.3, IEEFA
    assert nus.price_factor == pytest.approx(89 / 58)
    assert nus.capacity_mw == 462.0 and nus.deal.project.capacity == 462.0
    assert nus.subsidies["doe_cost_share_usd"] == 1.355e9
    vog = CAT["vogtle_3_4"].build()
    assert vog.overrun_factor == pytest.approx(35 / 14) and vog.delay_years == 7
    # calibration: NuScale's factor at the chosen quantile, nuclear sigma by default
    for q in (0.5, 0.75):
        dist = nus.overrun_distribution(q)
        assert float(dist.ppf(q)) == pytest.approx(NUSCALE_OVERRUN, rel=1e-12)
        assert dist.sigma == REFERENCE_CLASSES["nuclear"].sigma


def test_korea_terms_match_japan_split_and_carry_the_clauses() -> None:
    jp, kr = CAT["japan_2025"].build(), CAT["korea_2025"].build()
    assert dataclasses.replace(kr, name=jp.name, sources=jp.sources) == jp
    assert any("Newspim" in s for s in kr.sources)
    facts = CAT["korea_2025"].facts
    assert facts["annual_cap_usd"] == 20e9 and facts["recovery_test_years"] == 20
    assert facts["commitment_usd"] == 350e9 and facts["shipbuilding_usd"] == 150e9
    assert CAT["korea_2025"].build(reading="scheduled").reading == "scheduled"


def test_ohio_function_and_catalog_agree() -> None:
    assert CAT["ohio_gas_power"].build() == ohio_gas_power()
    assert CAT["ohio_gas_power"](fee="none").fees == ()


def test_builders_reject_bad_options() -> None:
    with pytest.raises(dealsim.InvalidParameterError, match="site must be one of"):
        CAT["gas_tranche2"].build(site="ohio")
    with pytest.raises(dealsim.InvalidParameterError, match="configuration"):
        ohio_gas_power(configuration="nuclear")  # type: ignore[arg-type]
    with pytest.raises(dealsim.InvalidParameterError, match="terms must be a DealTerms"):
        CAT["smr_tranche2"].build(terms="japan")
    with pytest.raises(dealsim.InvalidParameterError, match="confidence"):
        Source("x", "2026", "rumour")  # type: ignore[arg-type]


def test_preset_assumptions_follow_overrides() -> None:
    # the labelled assumptions describe the numbers actually used
    deal = CAT["texas_gulflink"].build(tariff=1.5)
    assert any("$1.5/bbl" in a for a in deal.project.assumptions)
    assert deal.project.price == 1.5


def test_describe_lists_sources_and_assumptions() -> None:
    text = CAT["korea_2025"].describe()
    assert "Newspim" in text and "20-year clause" in text and "[press]" in text
    assert not math.isnan(CAT["smr_tranche2"].facts["capacity_mw_derived"])


@pytest.mark.parametrize(("kwargs", "name"), [
    (dict(power_price=-5.0), "power_price"),
    (dict(capacity_factor=1.5), "capacity_factor"),
    (dict(gas_price=float("nan")), "gas_price"),
    (dict(escalation=-2.0), "escalation"),
])
def test_preset_errors_use_the_callers_names(kwargs, name):
    from dealsim.errors import InvalidParameterError
    from dealsim.presets import ohio_gas_power

    with pytest.raises(InvalidParameterError, match=f"^{name} "):
        ohio_gas_power(**kwargs)
