"""Tests for dealsim.model.terms.DealTerms."""

from __future__ import annotations

import dataclasses

import pytest

from dealsim.errors import DealsimError, InvalidParameterError
from dealsim.model.terms import READINGS, DealTerms

# --- known values (source beside the value) -----------------------------------------


def test_japan_2025_values_and_sources() -> None:
    t = DealTerms.japan_2025()
    # MOU para. 13 via Cabinet written answer 28 Nov 2025 (内閣衆質219第80号): 50/50 then 90/10
    assert (t.share_before, t.share_after) == (0.5, 0.1)
    # OhmyNews worked example (assumption): 4.5% SOFR + 1% spread; 20-year principal
    assert t.deemed_rate == 0.055
    assert t.amortisation_periods == 20
    assert t.reading == "aggregate"
    assert any("内閣衆質219第80号" in s for s in t.sources)
    assert any("ASSUMPTION" in s for s in t.sources)
    assert DealTerms.japan_2025(reading="scheduled").reading == "scheduled"


def test_defaults() -> None:
    t = DealTerms()
    assert (t.deemed_rate, t.share_before, t.share_after, t.reading) == (0.0, 0.5, 0.1, "aggregate")
    assert READINGS == ("aggregate", "scheduled")


def test_frozen_and_replace_revalidates() -> None:
    t = DealTerms.japan_2025()
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.deemed_rate = 0.1  # type: ignore[misc]
    v = dataclasses.replace(t, deemed_rate=0.06, reading="scheduled")
    assert (v.deemed_rate, v.reading, v.share_before) == (0.06, "scheduled", 0.5)
    with pytest.raises(InvalidParameterError, match="share_after"):
        dataclasses.replace(t, share_after=-0.1)


def test_keyword_only() -> None:
    with pytest.raises(TypeError):
        DealTerms(0.05)  # type: ignore[misc]


# --- errors name the field and echo the value ---------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"share_before": 1.5}, r"share_before must be in \(0, 1\]; got 1.5"),
        ({"share_before": 0.0}, r"share_before must be in \(0, 1\]; got 0.0"),
        ({"share_after": 1.01}, r"share_after must be in \[0, 1\]; got 1.01"),
        ({"share_after": float("nan")}, r"share_after must be finite; got nan"),
        ({"deemed_rate": -1.0}, r"deemed_rate must be in \[-0.5, 10\]; got -1.0"),
        ({"deemed_rate": "5%"}, r"deemed_rate must be a real number; got '5%'"),
        ({"reading": "x"}, r"reading must be one of 'aggregate', 'scheduled'; got 'x'"),
        ({"amortisation_periods": 0}, r"amortisation_periods must be an integer >= 1; got 0"),
        ({"amortisation_periods": 2.5}, r"amortisation_periods must be an integer; got 2.5"),
        ({"sources": ["a"]}, r"sources must be a tuple of str; got \['a'\]"),
        ({"name": 3}, r"name must be a str; got 3"),
    ],
)
def test_errors_name_the_field(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message) as info:
        DealTerms(**kwargs)  # type: ignore[arg-type]
    assert isinstance(info.value, DealsimError)
    assert isinstance(info.value, ValueError)


def test_boundaries_accepted() -> None:
    DealTerms(share_before=1.0, share_after=0.0)
    DealTerms(share_after=1.0, deemed_rate=-0.5, amortisation_periods=1)
    DealTerms(deemed_rate=10.0)
