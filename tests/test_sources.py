"""docs/sources.md lives in the repository, is generated from the code's records and
lists every source a preset cites, with its date and confidence grade."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from dealsim.montecarlo.uncertainty import REFERENCE_CLASSES
from dealsim.presets import Source, catalog
from dealsim.presets import sources as gen

DOC = Path(__file__).resolve().parents[1] / "docs" / "sources.md"


def _row(s: Source) -> str:
    return f"| {s.citation.replace('|', chr(92) + '|')} | {s.date} | {s.confidence} |"


def test_docs_sources_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == gen.render(), (
        "docs/sources.md is stale: python -m dealsim.presets.sources > docs/sources.md")


@pytest.mark.parametrize("name", sorted(catalog()))
def test_every_source_a_preset_cites_is_listed_with_date_and_grade(name):
    text = DOC.read_text(encoding="utf-8")
    for s in catalog()[name].sources:
        assert _row(s) in text, (name, str(s))


@pytest.mark.parametrize("name", sorted(catalog()))
def test_every_preset_docstring_points_to_the_sources_file(name):
    assert "docs/sources.md" in (catalog()[name].build.__doc__ or "")


def test_library_defaults_and_reference_classes_are_listed():
    text = DOC.read_text(encoding="utf-8")
    for records in gen.SOURCES.values():
        for s in records:
            assert _row(s) in text
    for rc in REFERENCE_CLASSES.values():
        assert f"| {rc.name} | {rc.mean_overrun:+.1%} | {rc.source} |" in text
    assert "shared/" not in text  # users do not have the fact sheet's folder


def test_more_modules_add_their_sections(monkeypatch, capsys):
    extra = types.ModuleType("dealsim_extra_sources")
    rec = Source("Test source | with a pipe", "2026-11-28", "press")
    extra.SOURCES = {"§7 Tariff counterfactual": (rec,)}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, extra.__name__, extra)
    text = gen.render((*gen.DEFAULT_MODULES, extra.__name__))
    assert "## §7 Tariff counterfactual" in text and _row(rec) in text
    assert text.index("## §7") > text.index("## §1 The agreement")
    gen.main(["--module", extra.__name__])
    assert capsys.readouterr().out == text


def test_readme_names_the_sources_file_not_shared():
    readme = (DOC.parents[1] / "README.md").read_text(encoding="utf-8")
    assert "docs/sources.md" in readme and "shared/reference" not in readme
