"""The sources dealsim relies on, rendered as ``docs/sources.md``.

``docs/sources.md`` in the repository is generated from the records in the code, so
it cannot drift from them::

    python -m dealsim.presets.sources > docs/sources.md

It lists, with dates and confidence grades: every :class:`~dealsim.presets.Source`
cited by a preset of :func:`~dealsim.presets.catalog`; the sourced figures the
library's defaults use outside the presets (:data:`SOURCES` here: funding and loss
split, overrun and delay reference classes, plant parameters); the reference-class
table :data:`dealsim.montecarlo.uncertainty.REFERENCE_CLASSES`; the source line of every default
uncertainty; the EIA plant parameters as the code holds them; and the known gaps.

More sections come from other modules: any module listed in ``modules`` (see
:func:`render`, or ``--module`` on the command line) that defines ``SOURCES``, a
mapping of section title to a tuple of :class:`~dealsim.presets.Source`, adds its
sections after this module's. Docstrings cite the rendered page by section
(``docs/sources.md`` §N); the section titles keep the numbers of the project's fact
sheet, from which the records were taken.

Examples
--------
>>> text = render()
>>> text.startswith("# Sources")
True
>>> all(s.citation.replace("|", "\\\\|") in text for p in catalog().values()
...     for s in p.sources)
True
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Iterable, Mapping, Sequence

from dealsim.common.sources import CONFIDENCE, Source
from dealsim.montecarlo import uncertainty
from dealsim.presets.catalog import catalog
from dealsim.presets.deals import EIA_AERO, EIA_CC, EIA_SMR
from dealsim.presets.reference import EIA_LWR

__all__ = ["DEFAULT_MODULES", "GAPS", "SOURCES", "render"]

#: Modules whose ``SOURCES`` sections :func:`render` includes by default, in order.
DEFAULT_MODULES: tuple[str, ...] = ("dealsim.presets.sources", "dealsim.analysis.threat",
                                    "dealsim.presets.market_paths")

#: What each confidence grade means (the fact sheet's grades).
GRADES: Mapping[str, str] = {
    "official": "government document",
    "press": "named news or research source",
    "seed": "only in the original news articles",
    "derived": "arithmetic on the above",
    "assumption": "ours; labelled as such wherever it is used",
}

#: Sourced figures the library's defaults use outside the presets, by fact-sheet section.
SOURCES: Mapping[str, tuple[Source, ...]] = {
    "§1 The agreement: funding and who bears a loss": (
        Source("FT; Bloomberg: Japan funds within 45 business days of notice of selection "
               "(about 63 calendar days)", "2026-03", "press"),
        Source("Akazawa (Japan's negotiator): only ~1-2% equity, the rest JBIC/NEXI loans "
               "and guarantees; the MOU is not legally binding", "2025", "press"),
        Source("FT: Ohio financed by JBIC and commercial banks; NEXI guarantees more than "
               "90% of the commercial-loan portion; the split is undecided", "2026-03-19",
               "seed"),
    ),
    "§4-5 Cost overruns and delays: reference classes": (
        Source("Flyvbjerg & Gardner, How Big Things Get Done, reference-class table: mean "
               "cost overrun nuclear +120%, hydro +75%, fossil thermal +16%, wind +13%, "
               "solar +1%, transmission +8% (lower reliability)", "2023-02", "press"),
        Source("Sovacool, Gilbert & Nugent, Energy Research & Social Science: 401 "
               "electricity projects, mean overrun +66.3%, 3 of 4 over budget (abstract)",
               "2014", "official"),
        Source("Sovacool et al. (662 projects; press release): nuclear +102.5%, hydro "
               "+36.7%, wind +5.2%, solar -2.2%, transmission -3.6%; all electricity mean "
               "+40% and ~2 years late", "2025", "press"),
        Source("EIA (1986), 75 US nuclear plants: 2-3x projected cost, >= 3 years late on "
               "average", "1986", "press"),
        Source("IEEFA; Reuters: NuScale CFPP overrun drivers -- structural steel and "
               "carbon-steel pipe +20-100%, higher interest rates", "2023-01", "press"),
    ),
}

#: Figures no public source gives (the fact sheet's "known gaps"); each is a labelled
#: parameter wherever dealsim needs it.
GAPS: tuple[str, ...] = (
    "the verbatim Deemed Allocation Amount formula (spread schedule, amortisation "
    "convention, day count)",
    "whether opex, project debt and reserves rank ahead of the para. 13 split",
    "the re-allocation of distributions if Japan declines to fund",
    "the values of the two tranche-2 gas plants separately",
    "Pareto tail parameters of overruns per project type",
    "the power price of SoftBank's data-centre offtake, the plant's capacity factor and "
    "gas price path",
    "who in Japan bears a loss (seniority, recourse and guarantee terms of JBIC, NEXI and "
    "the banks)",
)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(head: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(_cell(x) for x in row) + " |" for row in rows]
    return out


def _preset_sources() -> list[str]:
    cited: dict[Source, list[str]] = {}
    for preset in catalog().values():
        for s in preset.sources:
            cited.setdefault(s, []).append(f"`{preset.name}`")
    rows = [(s.citation, s.date, s.confidence, ", ".join(names)) for s, names in cited.items()]
    return _table(("source", "date", "confidence", "cited by"), rows)


def _module_sections(modules: Sequence[str]) -> list[str]:
    lines: list[str] = []
    for name in modules:
        sections: Mapping[str, Sequence[Source]] = getattr(
            importlib.import_module(name), "SOURCES", {})
        for title, records in sections.items():
            lines += ["", f"## {title}", "",
                      *_table(("source", "date", "confidence"),
                              [(s.citation, s.date, s.confidence) for s in records])]
    return lines


def _reference_classes() -> list[str]:
    rows = []
    for rc in uncertainty.REFERENCE_CLASSES.values():
        others = "; ".join(f"{x:+.1%} ({src})" for x, src in rc.other_estimates)
        rows.append((rc.name, f"{rc.mean_overrun:+.1%}", rc.source, rc.confidence,
                     f"{rc.sigma:.3g}: {rc.sigma_basis}", others or "--"))
    return _table(("class", "mean overrun", "source", "confidence", "log-sd (basis)",
                   "other estimates"), rows)


def _default_uncertainties() -> list[str]:
    unc = uncertainty.default_uncertainties()
    pairs = ", ".join(f"{a}-{b} {r:+g}" for (a, b), r in unc.correlation.items())
    rows = [(f"`{name}`", unc[name].source) for name in unc.names]
    return [f"Rank correlations (assumptions): {pairs or 'none'}; every other pair is drawn "
            "independently (an assumption too).", "",
            *_table(("input", "distribution's source (or the assumption it is)"), rows)]


def _plant_parameters() -> list[str]:
    plants = {"gas CT aeroderivative (`EIA_AERO`)": EIA_AERO,
              "gas combined cycle (`EIA_CC`)": EIA_CC, "SMR (`EIA_SMR`)": EIA_SMR,
              "large LWR, AP1000 class (`EIA_LWR`)": EIA_LWR}
    keys = sorted({k for p in plants.values() for k in p})
    rows = [(label, *(p.get(k, "--") for k in keys)) for label, p in plants.items()]
    return _table(("plant", *keys), rows)


def render(modules: Sequence[str] = DEFAULT_MODULES) -> str:
    """The text of ``docs/sources.md``.

    Parameters
    ----------
    modules : sequence of str
        Importable modules whose ``SOURCES`` mapping (section title -> tuple of
        :class:`~dealsim.presets.Source`) adds sections, in order.

    Returns
    -------
    str
        Markdown, ending with a newline.
    """
    grades = "; ".join(f"**{g}** = {GRADES[g]}" for g in CONFIDENCE)
    lines = [
        "# Sources dealsim relies on",
        "",
        "Generated from the records in the code -- do not edit by hand; regenerate with",
        "`python -m dealsim.presets.sources > docs/sources.md` (a test checks it is up to",
        "date). Every figure in a preset or a default traces to a line here or is labelled",
        "an assumption where it is used. Docstrings cite this page by section",
        "(`docs/sources.md` §N). Where a section is listed on its own, its heading keeps",
        "the section number of the project's fact sheet, from which these records were",
        "taken.",
        "",
        f"Confidence: {grades}.",
        "",
        "## Sources cited by the presets (`dealsim.presets.catalog()`)",
        "",
        "`dealsim presets NAME` prints one preset's sources and assumptions.",
        "",
        *_preset_sources(),
        *_module_sections(modules),
        "",
        "## §5 Overrun reference classes (`dealsim.montecarlo.uncertainty.REFERENCE_CLASSES`)",
        "",
        *_reference_classes(),
        "",
        "## Default uncertainties (`dealsim.default_uncertainties()`)",
        "",
        *_default_uncertainties(),
        "",
        "## §6 Plant parameters as the code holds them (EIA AEO2026 Table 3, via a public "
        "copy)",
        "",
        "Heat rate Btu/kWh, fixed O&M $/kW-yr, variable O&M $/MWh, life and lead time in "
        "years, capex $/kW.",
        "",
        *_plant_parameters(),
        "",
        "## §8 Known gaps -- not invented, each a labelled parameter",
        "",
        *[f"- {gap}" for gap in GAPS],
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    """Print :func:`render` (``--module`` adds modules after the defaults)."""
    parser = argparse.ArgumentParser(description="Print docs/sources.md")
    parser.add_argument("--module", action="append", default=[],
                        help="another module with a SOURCES mapping (repeatable)")
    args = parser.parse_args(argv)
    print(render((*DEFAULT_MODULES, *args.module)), end="")


if __name__ == "__main__":
    main()
